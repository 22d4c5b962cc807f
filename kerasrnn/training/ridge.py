"""The closed-form ridge readout of an `EchoStateNetwork`: `W_out = (X^T X + ridge * I)^-1 X^T Y`."""

import collections
import concurrent.futures
import math

import numpy as np
import threadpoolctl

from kerasrnn import backend
from kerasrnn.utils.validation import check_non_negative_int
from kerasrnn.utils.validation import check_non_negative_number
from kerasrnn.utils.validation import check_positive_int

# `fit_ridge_readout` runs the reservoir over chunks of this many steps, adding each chunk's states to the
# ridge sums on a worker thread while the next chunk runs (inline on torch: see `_ridge_sums_executor`).
_CHUNK_STEPS = 1024


def fit_ridge_readout(network, inputs, targets=None, ridge=1e-6, warmup_steps=0, batch_size=32):
    """Fits the readout of `network` by ridge regression on its reservoir states.

    The reservoir runs batch by batch in the compiled function
    `network.predict` uses (shared by every network of the same settings).
    The states `X` of all steps after the first `warmup_steps` of every
    sequence, with a column of ones for the bias, are accumulated batch by
    batch into `X^T X` and `X^T Y` in float64, so the data never has to fit
    in memory as states (long sequences run in chunks of 1024 steps, each
    chunk's products computed on a worker thread while the reservoir runs the
    next). The readout weights are then the solution of
    `(X^T X + ridge * I) W = X^T Y` (the bias is not penalised), solved in
    float64 by Cholesky (`scipy.linalg.cho_solve`; `np.linalg.solve` without
    SciPy or for a matrix that is not positive definite) and written into the
    `Dense` readout. For token models the regression targets are one-hot
    vectors and the softmax is applied on top of the fitted scores (it keeps
    their argmax).

    Args:
        network: a `kerasrnn.models.EchoStateNetwork`; its readout is set in place.
        inputs: NumPy array of sequences, `(batch, timesteps, input_dim)`
            or token ids `(batch, timesteps)`; or a `tf.data.Dataset` of
            `(inputs, targets)` batches (then `targets` stays `None`).
        targets: NumPy array of shape `(batch, timesteps, output_dim)`; for
            token models it may also hold class ids `(batch, timesteps)`,
            which are one-hot encoded. Defaults to `None`.
        ridge: Non-negative float, the L2 penalty on the readout weights.
            Defaults to `1e-6`.
        warmup_steps: Non-negative integer, the number of initial steps of
            every sequence whose states are discarded (the reservoir is still
            forgetting its zero initial state; the "washout"). Defaults to `0`.
        batch_size: Positive integer, the number of sequences run through
            the reservoir at once (array inputs only). Defaults to `32`.

    Returns:
        A dict with the training errors of the fitted (linear) readout over
        the steps after the warm-up: `"mse"`, the mean squared error, and
        `"nrmse"`, its square root divided by the targets' standard
        deviation (variances averaged over output features).

    Example:

    ```python
    series = np.sin(0.1 * np.arange(600, dtype="float32"))[None, :, None]  # (1, 600, 1)
    esn = EchoStateNetwork(100, input_dim=1, leak_rate=0.5, seed=0)
    fit_ridge_readout(esn, series[:, :-1], series[:, 1:], warmup_steps=50)["nrmse"]  # small
    ```
    """
    ridge = check_non_negative_number(ridge, "ridge")
    warmup_steps = check_non_negative_int(warmup_steps, "warmup_steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    sums = _RidgeSums(network.units, network.output_dim)
    # The reservoir runs over chunks of `_CHUNK_STEPS` steps (carrying its state from chunk to chunk),
    # and a worker thread adds each chunk's states to X^T X while the next chunk runs: the float64
    # products (BLAS, which releases the GIL) overlap the recurrence instead of following it
    # (on JAX and TensorFlow; on torch they follow each chunk, see `_ridge_sums_executor`).
    with _one_blas_thread(), _ridge_sums_executor() as worker:
        pending = collections.deque()
        for batch_inputs, batch_targets in _batches(inputs, targets, batch_size):
            for chunk_states, chunk_targets in _chunks(network, batch_inputs, batch_targets, warmup_steps):
                pending.append(worker.submit(sums.add, chunk_states, chunk_targets))
                while len(pending) > 2:  # at most two chunks of states waiting
                    pending.popleft().result()
        while pending:
            pending.popleft().result()
    if sums.count == 0:
        raise ValueError("`fit_readout` received no data: the inputs hold no sequence.")
    weights = sums.solve(ridge)  # (units + 1, output_dim)
    network.readout.set_weights([weights[:-1], weights[-1]])
    return sums.errors(weights)


def _batches(inputs, targets, batch_size):
    """`(inputs, targets)` batches of arrays, or of a `tf.data.Dataset` (then `targets` must be None)."""
    if _is_dataset(inputs):
        if targets is not None:
            raise ValueError(
                "A dataset already yields (inputs, targets) batches; "
                f"pass `targets=None`, received: targets of type {type(targets).__name__}"
            )
        return inputs.as_numpy_iterator()
    if targets is None:
        raise ValueError("`targets` is required with array inputs, received: targets=None")
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    if len(inputs) != len(targets):
        raise ValueError(
            "`inputs` and `targets` must hold the same number of sequences, received: "
            f"inputs.shape={inputs.shape}, targets.shape={targets.shape}"
        )
    return _array_batches(inputs, targets, batch_size)


def _chunks(network, batch_inputs, batch_targets, warmup_steps):
    """Yields `(states, targets)` of one batch, chunk by chunk, without the first `warmup_steps` steps."""
    batch_targets = network._readout_targets(batch_targets)
    if batch_targets.shape[:2] != np.shape(batch_inputs)[:2]:
        raise ValueError(
            "`targets` must have one value per input step, received: "
            f"targets.shape={batch_targets.shape} for inputs.shape={np.shape(batch_inputs)}"
        )
    if batch_targets.shape[1] <= warmup_steps:
        raise ValueError(
            "`warmup_steps` must be shorter than the sequences, received: "
            f"warmup_steps={warmup_steps} for sequences of {batch_targets.shape[1]} steps"
        )
    batch_inputs = network._model_inputs(batch_inputs)
    state = None
    for begin in range(0, batch_targets.shape[1], _CHUNK_STEPS):
        end = begin + _CHUNK_STEPS
        states = network._run("states", batch_inputs[:, begin:end], state)  # (batch, chunk, units)
        state = states[:, -1]
        first = max(warmup_steps - begin, 0)  # warm-up steps in this chunk
        if first < states.shape[1]:
            yield states[:, first:], batch_targets[:, begin + first : end]


def _is_dataset(data):
    """Whether `data` is a `tf.data.Dataset` (duck-typed: no TensorFlow import here)."""
    return hasattr(data, "as_numpy_iterator")


def _array_batches(inputs, targets, batch_size):
    """Yields `(inputs, targets)` slices of at most `batch_size` sequences."""
    for start in range(0, len(inputs), batch_size):
        yield inputs[start : start + batch_size], targets[start : start + batch_size]


def _one_blas_thread():
    """A context limiting NumPy's BLAS to one thread (`threadpoolctl`, a dependency of kerasrnn).

    In `fit_ridge_readout` the reservoir runs on one core while a worker thread
    adds the previous chunk's states to `X^T X`. A multi-threaded BLAS in the
    worker competes with the reservoir for both cores of a small machine and
    the two no longer overlap: measured on 2 cores, JAX, 500 units, 10,000
    steps, the reservoir took 300 ms next to a 2-thread OpenBLAS product
    against 140 ms next to a 1-thread one, which was itself as fast (6.4 ms
    per 1024-step chunk against 7.4 ms).
    """
    return threadpoolctl.threadpool_limits(limits=1, user_api="blas")


class _InlineExecutor:
    """`concurrent.futures.Executor`'s `submit` run at once in the calling thread."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def submit(self, function, *args):
        future = concurrent.futures.Future()
        future.set_result(function(*args))
        return future


def _ridge_sums_executor():
    """Where `fit_ridge_readout` adds each chunk's states to `X^T X`: a worker thread, or inline.

    On JAX and TensorFlow the reservoir is one compiled call that releases the
    GIL, so a worker thread's float64 products run beside it. Where the
    backend runs the reservoir as a Python loop of small calls (PyTorch's
    `leaky_tanh_scan`, `kerasrnn.backend.torch_echo_state`), the loop holds
    the GIL, and a worker only slows it down: fit took 256 ms with a worker
    against 246 ms with the sums inline (medians of 9 alternating runs; 261
    against 236 ms in another measurement; 500 units, 10,000 steps, 2 cores).
    """
    if backend.kernel("leaky_tanh_scan") is not None:
        return _InlineExecutor()
    return concurrent.futures.ThreadPoolExecutor(max_workers=1)


def _solve_ridge(matrix, right_hand_side, ridge):
    """Solves the symmetric ridge system `matrix @ W = right_hand_side` in float64.

    By Cholesky (`scipy.linalg.cho_factor`, a third of the work of an LU
    solve) when SciPy is installed and the matrix is positive definite (any
    positive `ridge`); otherwise by `np.linalg.solve`, which only fails on an
    exactly singular matrix (a `ValueError` naming `ridge`).
    """
    try:
        from scipy import linalg
    except ImportError:
        linalg = None
    if linalg is not None:
        try:
            factor = linalg.cho_factor(matrix, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            pass  # not positive definite: LU below
        else:
            return linalg.cho_solve(factor, right_hand_side, check_finite=False)
    try:
        return np.linalg.solve(matrix, right_hand_side)
    except np.linalg.LinAlgError as error:
        raise ValueError(
            f"The ridge system is singular ({error}); use a positive `ridge`, received: ridge={ridge!r}"
        ) from None


class _RidgeSums:
    """`X^T X`, `X^T Y` and the target sums of the design matrix `X = [states, 1]`, in float64."""

    def __init__(self, units, output_dim):
        self.xtx = np.zeros((units + 1, units + 1))
        self.xty = np.zeros((units + 1, output_dim))
        self.target_sum = np.zeros(output_dim)
        self.target_square_sum = np.zeros(output_dim)
        self.count = 0

    def add(self, states, targets):
        """Adds the samples of `states` `(batch, time, units)` and float64 `targets` `(batch, time, output_dim)`."""
        states = states.reshape(-1, states.shape[-1]).astype(np.float64)  # (samples, units)
        targets = targets.reshape(-1, targets.shape[-1])  # (samples, output_dim)
        state_sum = states.sum(axis=0)
        self.xtx[:-1, :-1] += states.T @ states  # one symmetric BLAS product (syrk)
        self.xtx[:-1, -1] += state_sum
        self.xtx[-1, :-1] += state_sum
        self.xtx[-1, -1] += len(states)
        self.xty[:-1] += states.T @ targets
        self.xty[-1] += targets.sum(axis=0)
        self.target_sum += targets.sum(axis=0)
        self.target_square_sum += np.square(targets).sum(axis=0)
        self.count += len(targets)

    def solve(self, ridge):
        """The readout `W` `(units + 1, output_dim)` (bias last) of `(X^T X + ridge * I) W = X^T Y`."""
        penalty = np.full(len(self.xtx), float(ridge))
        penalty[-1] = 0.0  # the bias is not penalised
        return _solve_ridge(self.xtx + np.diag(penalty), self.xty, ridge)

    def errors(self, weights):
        """`{"mse", "nrmse"}` of the readout `weights` on the accumulated samples."""
        # Squared errors from the accumulated sums: |Y|^2 - 2 <W, X^T Y> + <W, X^T X W>.
        squared_error = (
            self.target_square_sum.sum() - 2.0 * np.sum(weights * self.xty) + np.sum(weights * (self.xtx @ weights))
        )
        output_dim = self.xty.shape[1]
        mse = max(float(squared_error), 0.0) / (self.count * output_dim)
        variance = float(np.mean(self.target_square_sum / self.count - np.square(self.target_sum / self.count)))
        nrmse = math.sqrt(mse / variance) if variance > 0 else float("inf")
        return {"mse": mse, "nrmse": nrmse}

"""Echo-state network: a fixed reservoir and a linear readout fitted in closed form."""

import collections
import concurrent.futures
import math
import numbers

import keras
import numpy as np
import threadpoolctl

from kerasrnn.backend import compile_inference
from kerasrnn.layers.echo_state import EchoState
from kerasrnn.layers.echo_state import reservoir_states
from kerasrnn.utils.validation import check_non_negative_int
from kerasrnn.utils.validation import check_positive_int

# Compiled reservoir functions, shared by every network: the weights are
# arguments, so a new network of the same settings reuses the compiled code
# (see `_compiled`).
_COMPILED = {}

# `fit_readout` runs the reservoir over chunks of this many steps, adding each chunk's states to the
# ridge sums on a worker thread while the next chunk runs (inline on torch: see `_ridge_sums_executor`).
_CHUNK_STEPS = 1024


def _one_blas_thread():
    """A context limiting NumPy's BLAS to one thread (`threadpoolctl`, a dependency of kerasrnn).

    In `fit_readout` the reservoir runs on one core while a worker thread adds
    the previous chunk's states to `X^T X`. A multi-threaded BLAS in the worker
    competes with the reservoir for both cores of a small machine and the two
    no longer overlap: measured on 2 cores, JAX, 500 units, 10,000 steps, the
    reservoir took 300 ms next to a 2-thread OpenBLAS product against 140 ms
    next to a 1-thread one, which was itself as fast (6.4 ms per 1024-step
    chunk against 7.4 ms).
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
    """Where `fit_readout` adds each chunk's states to `X^T X`: a worker thread, or inline on torch.

    On JAX and TensorFlow the reservoir is one compiled call that releases the
    GIL, so a worker thread's float64 products run beside it. On torch it is a
    Python loop of small calls (`kerasrnn.backend.torch_echo_state`) that
    holds the GIL, and a worker only slows it down: fit took 256 ms with a
    worker against 246 ms with the sums inline (medians of 9 alternating runs;
    261 against 236 ms in another measurement; 500 units, 10,000 steps, 2 cores).
    """
    if keras.backend.backend() == "torch":
        return _InlineExecutor()
    return concurrent.futures.ThreadPoolExecutor(max_workers=1)


def _is_dataset(data):
    """Whether `data` is a `tf.data.Dataset` (duck-typed: no TensorFlow import here)."""
    return hasattr(data, "as_numpy_iterator")


def _compiled(make_function, *settings):
    """`make_function(*settings)` compiled, made once per process for the static `settings`.

    The functions (`_reservoir_function`, `_forecast_function`) take the
    weights as arguments, `(inputs, [initial_state,] reservoir, readout)`: `reservoir` is the
    list `[kernel, recurrent_kernel, bias]`, preceded by the embedding table
    for embedded tokens, and `readout` is `[kernel, bias]`. They are compiled
    by XLA on JAX and TensorFlow (`kerasrnn.backend.compile_inference`), once
    per input shape, and run eagerly on PyTorch.
    """
    key = (keras.backend.backend(), make_function.__name__, *settings)
    if key not in _COMPILED:
        _COMPILED[key] = compile_inference(make_function(*settings), [], jit_compile=True)
    return _COMPILED[key]


def _reservoir_function(kind, leak_rate, vocabulary_size, embedded, softmax):
    """A pure function `(inputs, initial_state, reservoir, readout)` -> the states or the outputs.

    The states (`kind="states"`) or the readout outputs of every step,
    `(batch, time, units)` or `(batch, time, output_dim)`, of a reservoir that
    starts from `initial_state` `(batch, units)`.
    """

    def run(inputs, initial_state, reservoir, readout):
        if embedded:
            embeddings, kernel, recurrent_kernel, bias = reservoir
            features = keras.ops.take(embeddings, inputs, axis=0)  # (batch, time, embedding_dim)
        else:
            kernel, recurrent_kernel, bias = reservoir
            features = keras.ops.one_hot(inputs, vocabulary_size) if vocabulary_size else inputs
        drives = keras.ops.matmul(features, kernel) + bias  # (batch, time, units)
        states = reservoir_states(drives, recurrent_kernel, leak_rate, initial_state)  # (batch, time, units)
        if kind == "states":
            return states
        outputs = keras.ops.matmul(states, readout[0]) + readout[1]  # (batch, time, output_dim)
        return keras.ops.softmax(outputs) if softmax else outputs

    return run


def _forecast_function(leak_rate, steps):
    """A pure function `(warmup, reservoir, readout)` -> the `steps` predictions of a free run."""

    def run(warmup, reservoir, readout):
        kernel, recurrent_kernel, bias = reservoir
        readout_kernel, readout_bias = readout

        def update(drives, state):
            activation = keras.ops.tanh(drives + keras.ops.matmul(state, recurrent_kernel))
            return activation if leak_rate == 1.0 else (1.0 - leak_rate) * state + leak_rate * activation

        drives = keras.ops.matmul(warmup, kernel) + bias  # (batch, time, units)
        initial_state = keras.ops.zeros((keras.ops.shape(drives)[0], keras.ops.shape(kernel)[1]), drives.dtype)
        last_state = reservoir_states(drives, recurrent_kernel, leak_rate, initial_state)[:, -1]  # (batch, units)

        def free_run_step(state, _):
            prediction = keras.ops.matmul(state, readout_kernel) + readout_bias  # (batch, input_dim)
            return update(keras.ops.matmul(prediction, kernel) + bias, state), state

        _, visited = keras.ops.scan(free_run_step, last_state, length=steps)  # (steps, batch, units)
        visited = keras.ops.transpose(visited, (1, 0, 2))  # (batch, steps, units)
        return keras.ops.matmul(visited, readout_kernel) + readout_bias  # (batch, steps, input_dim)

    return run


def _solve_ridge(matrix, right_hand_side, ridge):
    """Solves the symmetric ridge system `matrix @ W = right_hand_side` in float64.

    By Cholesky (`scipy.linalg.cho_factor`, a third of the work of an LU
    solve) when SciPy is installed and the matrix is positive definite (any
    positive `ridge`); otherwise by `np.linalg.solve`, which only fails on an
    exactly singular matrix.
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


def _array_batches(inputs, targets, batch_size):
    """Yields `(inputs, targets)` slices of at most `batch_size` sequences."""
    for start in range(0, len(inputs), batch_size):
        yield inputs[start : start + batch_size], targets[start : start + batch_size]


@keras.saving.register_keras_serializable(package="kerasrnn")
class EchoStateNetwork(keras.Model):
    """Echo-state network: a fixed random reservoir and a trained linear readout.

    The network maps a sequence to one output per step: the inputs drive an
    `EchoState` reservoir,

        x_t = (1 - a) * x_{t-1} + a * tanh(u_t W_in + x_{t-1} W + b),

    whose fixed random weights are never trained, and a `Dense` readout
    `y_t = x_t W_out + b_out` reads each state. For real-valued sequences
    (`input_dim` features per step) the readout is linear. For token
    sequences (`vocabulary_size`), the integer ids are one-hot encoded (or
    looked up in a fixed random `Embedding` of size `embedding_dim`) before
    the reservoir, and the readout ends with a softmax over `output_dim`
    classes (the vocabulary by default), as a masked-word model would use.

    The readout can be trained in two ways:

    - `fit_readout(inputs, targets, ridge=...)` solves the ridge regression
      `W_out = (X^T X + ridge * I)^-1 X^T Y` in closed form on the collected
      states (with a bias column, whose weight is not penalised), in float64;
    - `compile()` and `fit()`, like any Keras model: only the readout is
      trainable.

    `forecast(warmup, steps)` free-runs a trained time-series model, feeding
    each prediction back as the next input.

    `fit_readout`, `predict` (on arrays) and `forecast` run the reservoir in
    functions compiled once per process and shared by every network, with the
    weights as arguments: building and fitting many networks of one size, as
    in a hyperparameter search, compiles once (XLA on JAX and TensorFlow; on
    PyTorch the reservoir runs as a loop of in-place kernels, NumPy's on CPU).

    Args:
        units: Positive integer, the number of reservoir units.
        input_dim: Positive integer, the number of features per step of
            real-valued inputs; leave `None` for token inputs. Defaults to
            `None`.
        output_dim: Positive integer, the number of outputs per step. Defaults
            to `None`: `input_dim` (next-step forecasting) for real-valued
            inputs, `vocabulary_size` for token inputs.
        vocabulary_size: Positive integer, the number of token ids of token
            inputs; leave `None` for real-valued inputs. Defaults to `None`.
        embedding_dim: Positive integer, the size of a fixed random
            (non-trainable) token embedding; `None` one-hot encodes the ids.
            Only for token inputs. Defaults to `None`.
        connectivity: Float in (0, 1], the fraction of non-zero recurrent
            weights. Defaults to `0.1`.
        spectral_radius: Positive float, the largest eigenvalue modulus of the
            recurrent matrix. Defaults to `0.9`.
        leak_rate: Float in (0, 1], the leak rate `a`. Defaults to `1.0`.
        input_scaling: Positive float, the scale of the input weights.
            Defaults to `1.0`.
        input_connectivity: Float in (0, 1], the fraction of non-zero input
            weights. Defaults to `1.0`.
        bias_scaling: Non-negative float, the scale of the reservoir bias.
            Defaults to `0.0`.
        seed: Integer seed of the reservoir (and of the token embedding).
            Defaults to `None`.
        **kwargs: Base model keyword arguments, such as `name`.

    Call arguments:
        inputs: A float tensor of shape `(batch, timesteps, input_dim)`, or an
            integer tensor of token ids of shape `(batch, timesteps)`.

    Returns:
        A tensor of shape `(batch, timesteps, output_dim)`: the readout of
        every state (class probabilities for token inputs).

    Example:

    ```python
    time = np.arange(600, dtype="float32")
    series = (np.sin(0.1 * time) + 0.5 * np.sin(0.031 * time))[:, None]
    inputs, targets = series[None, :-1], series[None, 1:]  # (1, 599, 1) each
    esn = EchoStateNetwork(100, input_dim=1, leak_rate=0.5, seed=0)
    errors = esn.fit_readout(inputs, targets, ridge=1e-6, washout=50)
    errors["nrmse"]  # small
    predictions = esn.predict(inputs)  # (1, 599, 1), one step ahead
    future = esn.forecast(series[:500], steps=20)  # (20, 1)

    tokens = EchoStateNetwork(100, vocabulary_size=30, embedding_dim=16, seed=0)
    ids = np.random.randint(0, 30, size=(8, 12))
    tokens.fit_readout(ids, ids)  # targets may be class ids: one-hot encoded
    tokens.predict(ids).shape  # (8, 12, 30), softmax over the vocabulary
    ```

    Reference:
        - [Jaeger, 2001. The "echo state" approach to analysing and training
          recurrent neural networks](https://www.ai.rug.nl/minds/uploads/EchoStatesTechRep.pdf)
        - [Lukosevicius, 2012. A practical guide to applying echo state
          networks](https://doi.org/10.1007/978-3-642-35289-8_36)
    """

    def __init__(
        self,
        units,
        input_dim=None,
        output_dim=None,
        vocabulary_size=None,
        embedding_dim=None,
        connectivity=0.1,
        spectral_radius=0.9,
        leak_rate=1.0,
        input_scaling=1.0,
        input_connectivity=1.0,
        bias_scaling=0.0,
        seed=None,
        **kwargs,
    ):
        if (input_dim is None) == (vocabulary_size is None):
            raise ValueError(
                "Pass exactly one of `input_dim` (real-valued inputs) or `vocabulary_size` "
                f"(token ids), received: input_dim={input_dim!r}, vocabulary_size={vocabulary_size!r}"
            )
        if input_dim is not None:
            check_positive_int(input_dim, "input_dim")
        if vocabulary_size is not None:
            check_positive_int(vocabulary_size, "vocabulary_size")
        if output_dim is not None:
            check_positive_int(output_dim, "output_dim")
        if embedding_dim is not None:
            check_positive_int(embedding_dim, "embedding_dim")
        if embedding_dim is not None and vocabulary_size is None:
            raise ValueError(
                "`embedding_dim` needs token inputs (`vocabulary_size`), "
                f"received: embedding_dim={embedding_dim!r}, vocabulary_size=None"
            )
        is_token_model = vocabulary_size is not None
        resolved_output_dim = output_dim or (vocabulary_size if is_token_model else input_dim)

        if is_token_model:
            inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
            if embedding_dim is None:
                features = keras.ops.one_hot(inputs, vocabulary_size)  # (batch, time, vocabulary_size)
            else:
                # Unit-norm random vectors on average, like the one-hot ones.
                initializer = keras.initializers.RandomNormal(
                    stddev=1.0 / math.sqrt(embedding_dim), seed=seed
                )
                features = keras.layers.Embedding(
                    vocabulary_size,
                    embedding_dim,
                    embeddings_initializer=initializer,
                    trainable=False,
                    name="embedding",
                )(inputs)  # (batch, time, embedding_dim)
        else:
            inputs = keras.Input(shape=(None, input_dim), name="inputs")
            features = inputs
        states = EchoState(
            units,
            connectivity=connectivity,
            spectral_radius=spectral_radius,
            leak_rate=leak_rate,
            input_scaling=input_scaling,
            input_connectivity=input_connectivity,
            bias_scaling=bias_scaling,
            seed=seed,
            return_sequences=True,
            name="reservoir",
        )(features)  # (batch, time, units)
        outputs = keras.layers.Dense(
            resolved_output_dim,
            activation="softmax" if is_token_model else None,
            name="readout",
        )(states)  # (batch, time, output_dim)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)

        self.units = units
        self.input_dim = input_dim
        self.output_dim = resolved_output_dim
        self.vocabulary_size = vocabulary_size
        self.embedding_dim = embedding_dim
        self.connectivity = connectivity
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.input_connectivity = input_connectivity
        self.bias_scaling = bias_scaling
        self.seed = seed

    @property
    def reservoir(self):
        """The `EchoState` layer."""
        return self.get_layer("reservoir")

    @property
    def readout(self):
        """The `Dense` readout layer."""
        return self.get_layer("readout")

    def _model_inputs(self, inputs):
        """`inputs` as a NumPy array the compiled functions take: float `(batch, time, input_dim)` or int32 ids."""
        inputs = np.asarray(inputs)
        if self.vocabulary_size is not None:
            if inputs.ndim != 2:
                raise ValueError(
                    f"Token inputs must be ids of shape (batch, timesteps), received: inputs.shape={inputs.shape}"
                )
            return inputs.astype("int32")
        if inputs.ndim != 3 or inputs.shape[-1] != self.input_dim:
            raise ValueError(
                f"Inputs must have shape (batch, timesteps, {self.input_dim}), received: inputs.shape={inputs.shape}"
            )
        return inputs.astype(self.reservoir.compute_dtype)

    def _run(self, kind, inputs, initial_state=None):
        """Runs the compiled `"states"` or `"outputs"` function of this network on checked `inputs`.

        The reservoir starts from `initial_state` `(batch, units)`, zeros by default.
        """
        if initial_state is None:
            initial_state = np.zeros((len(inputs), self.units), self.reservoir.compute_dtype)
        function = _compiled(
            _reservoir_function,
            kind,
            self.reservoir.leak_rate,
            self.vocabulary_size if self.embedding_dim is None else None,
            self.embedding_dim is not None,
            self.vocabulary_size is not None,
        )
        reservoir, readout = self._weight_arguments()
        return keras.ops.convert_to_numpy(function(inputs, initial_state, reservoir, readout))

    def _weight_arguments(self):
        """The current weights as tensors: `([embeddings,] kernel, recurrent_kernel, bias)`, `(kernel, bias)`."""
        cell = self.reservoir.cell
        reservoir = [cell.kernel, cell.recurrent_kernel, cell.bias]
        if self.embedding_dim is not None:
            reservoir.insert(0, self.get_layer("embedding").embeddings)
        readout = [self.readout.kernel, self.readout.bias]
        return (
            [keras.ops.convert_to_tensor(weight) for weight in reservoir],
            [keras.ops.convert_to_tensor(weight) for weight in readout],
        )

    def _readout_targets(self, targets):
        """Targets as float64 `(batch, time, output_dim)`; token class ids are one-hot encoded."""
        targets = np.asarray(targets)
        if self.vocabulary_size is not None and targets.ndim == 2:
            targets = np.eye(self.output_dim)[targets]  # class ids -> one-hot
        if targets.ndim != 3 or targets.shape[-1] != self.output_dim:
            raise ValueError(
                f"Targets must have shape (batch, timesteps, {self.output_dim})"
                + (" or be class ids (batch, timesteps)" if self.vocabulary_size else "")
                + f", received: targets.shape={targets.shape}"
            )
        return targets.astype(np.float64)

    def fit_readout(self, inputs, targets=None, ridge=1e-6, washout=0, batch_size=32):
        """Fits the readout by ridge regression on the reservoir states.

        The reservoir runs batch by batch in the compiled function `predict`
        uses (shared by every network of the same settings). The states `X` of
        all (non-washout) steps, with a column of ones for the bias, are
        accumulated batch by batch into `X^T X` and `X^T Y` in float64, so the
        data never has to fit in memory as states (long sequences run in
        chunks of 1024 steps, each chunk's products computed on a worker
        thread while the reservoir runs the next). The readout weights are
        then the solution of `(X^T X + ridge * I) W = X^T Y` (the bias is not
        penalised), solved in float64 by Cholesky (`scipy.linalg.cho_solve`;
        `np.linalg.solve` without SciPy or for a matrix that is not positive
        definite) and written into the `Dense` readout. For token models the
        regression targets are one-hot vectors and the softmax is applied on
        top of the fitted scores (it keeps their argmax).

        Args:
            inputs: NumPy array of sequences, `(batch, timesteps, input_dim)`
                or token ids `(batch, timesteps)`; or a `tf.data.Dataset` of
                `(inputs, targets)` batches (then `targets` stays `None`).
            targets: NumPy array of shape `(batch, timesteps, output_dim)`; for
                token models it may also hold class ids `(batch, timesteps)`,
                which are one-hot encoded. Defaults to `None`.
            ridge: Non-negative float, the L2 penalty on the readout weights.
                Defaults to `1e-6`.
            washout: Non-negative integer, the number of initial steps of every
                sequence whose states are discarded (the reservoir is still
                forgetting its zero initial state). Defaults to `0`.
            batch_size: Positive integer, the number of sequences run through
                the reservoir at once (array inputs only). Defaults to `32`.

        Returns:
            A dict with the training errors of the fitted (linear) readout over
            the non-washout steps: `"mse"`, the mean squared error, and
            `"nrmse"`, its square root divided by the targets' standard
            deviation (variances averaged over output features).
        """
        if isinstance(ridge, bool) or not isinstance(ridge, numbers.Real) or not ridge >= 0:
            raise ValueError(f"`ridge` must be a non-negative number, received: ridge={ridge!r}")
        check_non_negative_int(washout, "washout")
        check_positive_int(batch_size, "batch_size")
        if _is_dataset(inputs):
            if targets is not None:
                raise ValueError(
                    "A dataset already yields (inputs, targets) batches; "
                    f"pass `targets=None`, received: targets of type {type(targets).__name__}"
                )
            batches = inputs.as_numpy_iterator()
        else:
            if targets is None:
                raise ValueError("`targets` is required with array inputs, received: targets=None")
            inputs, targets = np.asarray(inputs), np.asarray(targets)
            if len(inputs) != len(targets):
                raise ValueError(
                    "`inputs` and `targets` must hold the same number of sequences, received: "
                    f"inputs.shape={inputs.shape}, targets.shape={targets.shape}"
                )
            batches = _array_batches(inputs, targets, batch_size)

        size = self.units + 1  # states and the bias column
        sums = _RidgeSums(self.units, self.output_dim)
        # The reservoir runs over chunks of `_CHUNK_STEPS` steps (carrying its state from chunk to chunk),
        # and a worker thread adds each chunk's states to X^T X while the next chunk runs: the float64
        # products (BLAS, which releases the GIL) overlap the recurrence instead of following it
        # (on JAX and TensorFlow; on torch they follow each chunk, see `_ridge_sums_executor`).
        with _one_blas_thread(), _ridge_sums_executor() as worker:
            pending = collections.deque()
            for batch_inputs, batch_targets in batches:
                batch_targets = self._readout_targets(batch_targets)
                if batch_targets.shape[:2] != np.shape(batch_inputs)[:2]:
                    raise ValueError(
                        "`targets` must have one value per input step, received: "
                        f"targets.shape={batch_targets.shape} for inputs.shape={np.shape(batch_inputs)}"
                    )
                if batch_targets.shape[1] <= washout:
                    raise ValueError(
                        "`washout` must be shorter than the sequences, received: "
                        f"washout={washout} for sequences of {batch_targets.shape[1]} steps"
                    )
                batch_inputs = self._model_inputs(batch_inputs)
                state = None
                for begin in range(0, batch_targets.shape[1], _CHUNK_STEPS):
                    end = begin + _CHUNK_STEPS
                    states = self._run("states", batch_inputs[:, begin:end], state)  # (batch, chunk, units)
                    state = states[:, -1]
                    first = max(washout - begin, 0)  # washout steps in this chunk
                    if first < states.shape[1]:
                        chunk_targets = batch_targets[:, begin + first : end]
                        pending.append(worker.submit(sums.add, states[:, first:], chunk_targets))
                    while len(pending) > 2:  # at most two chunks of states waiting
                        pending.popleft().result()
            while pending:
                pending.popleft().result()
        if sums.count == 0:
            raise ValueError("`fit_readout` received no data: the inputs hold no sequence.")
        xtx, xty, count = sums.xtx, sums.xty, sums.count
        target_sum, target_square_sum = sums.target_sum, sums.target_square_sum

        penalty = np.full(size, float(ridge))
        penalty[-1] = 0.0  # the bias is not penalised
        weights = _solve_ridge(xtx + np.diag(penalty), xty, ridge)  # (units + 1, output_dim)
        self.readout.set_weights([weights[:-1], weights[-1]])

        # Squared errors from the accumulated sums: |Y|^2 - 2 <W, X^T Y> + <W, X^T X W>.
        squared_error = (
            target_square_sum.sum() - 2.0 * np.sum(weights * xty) + np.sum(weights * (xtx @ weights))
        )
        mse = max(float(squared_error), 0.0) / (count * self.output_dim)
        variance = float(np.mean(target_square_sum / count - np.square(target_sum / count)))
        nrmse = math.sqrt(mse / variance) if variance > 0 else float("inf")
        return {"mse": mse, "nrmse": nrmse}

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Generates the outputs of every step of the input sequences.

        For array inputs (NumPy arrays or tensors) without `steps` or
        `callbacks`, the reservoir and the readout run in one function that
        is compiled once per process for given shapes and settings (XLA on
        JAX and TensorFlow; a loop of in-place kernels on PyTorch) and shared by
        every network, so a new network does not trace and compile its own as
        `keras.Model.predict` would; no progress bar is shown. Other inputs
        (datasets, generators) go through `keras.Model.predict`.

        Args:
            x: Input sequences, `(batch, timesteps, input_dim)`, or token ids
                `(batch, timesteps)`; or anything `keras.Model.predict` takes.
            batch_size: Positive integer, the number of sequences run at once.
                Defaults to `None`: 32.
            verbose, steps, callbacks: As in `keras.Model.predict`.

        Returns:
            A NumPy array `(batch, timesteps, output_dim)`.
        """
        array_inputs = isinstance(x, np.ndarray) or keras.ops.is_tensor(x)
        if not array_inputs or steps is not None or callbacks is not None or len(x) == 0:
            return super().predict(x, batch_size=batch_size, verbose=verbose, steps=steps, callbacks=callbacks)
        batch_size = 32 if batch_size is None else batch_size
        check_positive_int(batch_size, "batch_size")
        inputs = self._model_inputs(keras.ops.convert_to_numpy(x) if keras.ops.is_tensor(x) else x)
        outputs = [
            self._run("outputs", inputs[start : start + batch_size]) for start in range(0, len(inputs), batch_size)
        ]
        return np.concatenate(outputs)

    def forecast(self, warmup, steps):
        """Free-runs the network, feeding each prediction back as the next input.

        The reservoir first runs over `warmup` (as in `predict`); then one
        `keras.ops.scan` over `steps` iterations alternates "predict the next
        input with the readout" and "update the reservoir with that
        prediction", so no Python `predict` call is made per step. Both run in
        one function compiled by XLA on JAX and TensorFlow, once per process
        for given shapes, `leak_rate` and `steps` (the weights are arguments,
        so every network of that shape shares it); on PyTorch, the warm-up
        runs as a loop of in-place kernels and the free run as a loop of tensor
        operations. Only for real-valued models whose `output_dim` equals
        `input_dim`.

        Args:
            warmup: NumPy array of shape `(timesteps, input_dim)`, or
                `(batch, timesteps, input_dim)` to forecast several series.
            steps: Positive integer, the number of future steps to predict.

        Returns:
            A NumPy array of shape `(steps, input_dim)` (or
            `(batch, steps, input_dim)`): the predictions of the `steps` values
            that follow `warmup`.
        """
        if self.vocabulary_size is not None or self.output_dim != self.input_dim:
            raise ValueError(
                "`forecast` feeds predictions back as inputs, so it needs a real-valued model with "
                f"output_dim == input_dim, received: input_dim={self.input_dim}, "
                f"output_dim={self.output_dim}, vocabulary_size={self.vocabulary_size}"
            )
        check_positive_int(steps, "steps")
        warmup = np.asarray(warmup, dtype=self.reservoir.compute_dtype)
        single_series = warmup.ndim == 2
        if single_series:
            warmup = warmup[None]
        if warmup.ndim != 3 or warmup.shape[-1] != self.input_dim or warmup.shape[1] == 0:
            raise ValueError(
                f"`warmup` must have shape (timesteps, {self.input_dim}) or "
                f"(batch, timesteps, {self.input_dim}), received: warmup.shape={warmup.shape}"
            )
        function = _compiled(_forecast_function, self.reservoir.leak_rate, steps)
        reservoir, readout = self._weight_arguments()
        predictions = keras.ops.convert_to_numpy(function(warmup, reservoir, readout))  # (batch, steps, input_dim)
        return predictions[0] if single_series else predictions

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "vocabulary_size": self.vocabulary_size,
                "embedding_dim": self.embedding_dim,
                "connectivity": self.connectivity,
                "spectral_radius": self.spectral_radius,
                "leak_rate": self.leak_rate,
                "input_scaling": self.input_scaling,
                "input_connectivity": self.input_connectivity,
                "bias_scaling": self.bias_scaling,
                "seed": self.seed,
            }
        )
        return config

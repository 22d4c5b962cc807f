"""Echo-state network: a fixed reservoir and a linear readout fitted in closed form."""

import math
import warnings

import keras
import numpy as np

from kerasrnn.backend import compile_inference
from kerasrnn.layers.echo_state import EchoState
from kerasrnn.layers.echo_state import reservoir_states
from kerasrnn.utils.validation import check_positive_int

# Compiled reservoir functions, shared by every network: the weights are
# arguments, so a new network of the same settings reuses the compiled code
# (see `_compiled`).
_COMPILED = {}

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


def _warmup_steps_argument(warmup_steps, kwargs):
    """`warmup_steps`, or the value of its deprecated alias `washout` in `kwargs` (with a warning)."""
    if "washout" in kwargs:
        washout = kwargs.pop("washout")
        if warmup_steps != 0:
            raise ValueError(
                "Pass `warmup_steps` only (`washout` is its deprecated name), received: "
                f"warmup_steps={warmup_steps!r}, washout={washout!r}"
            )
        warnings.warn(
            "`washout` is deprecated and will be removed in the next release; use `warmup_steps` "
            f"(received: washout={washout!r}).",
            DeprecationWarning,
            stacklevel=3,
        )
        warmup_steps = washout
    if kwargs:
        raise TypeError(f"fit_readout() got unexpected keyword arguments: {', '.join(sorted(kwargs))}")
    return warmup_steps


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
    errors = esn.fit_readout(inputs, targets, ridge=1e-6, warmup_steps=50)
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

    def fit_readout(self, inputs, targets=None, ridge=1e-6, warmup_steps=0, batch_size=32, **kwargs):
        """Fits the readout by ridge regression on the reservoir states.

        `W_out = (X^T X + ridge * I)^-1 X^T Y` on the states `X` of every step
        after the first `warmup_steps` (with a bias column, not penalised),
        accumulated in float64 chunk by chunk with the reservoir compiled once
        per process: see `kerasrnn.training.fit_ridge_readout`, which this
        calls. For token models the regression targets are one-hot vectors
        and the softmax is applied on top of the fitted scores.

        Args:
            inputs: NumPy array of sequences, `(batch, timesteps, input_dim)`
                or token ids `(batch, timesteps)`; or a `tf.data.Dataset` of
                `(inputs, targets)` batches (then `targets` stays `None`).
            targets: NumPy array of shape `(batch, timesteps, output_dim)`; for
                token models it may also hold class ids `(batch, timesteps)`,
                which are one-hot encoded. Defaults to `None`.
            ridge: Non-negative float, the L2 penalty on the readout weights.
                Defaults to `1e-6`.
            warmup_steps: Non-negative integer, the number of initial steps of
                every sequence whose states are discarded (the reservoir is
                still forgetting its zero initial state; the "washout").
                Defaults to `0`.
            batch_size: Positive integer, the number of sequences run through
                the reservoir at once (array inputs only). Defaults to `32`.
            **kwargs: `washout=`, the deprecated name of `warmup_steps` (a
                `DeprecationWarning`; removed in the next release).

        Returns:
            A dict with the training errors of the fitted (linear) readout over
            the steps after the warm-up: `"mse"`, the mean squared error, and
            `"nrmse"`, its square root divided by the targets' standard
            deviation (variances averaged over output features).
        """
        from kerasrnn.training.ridge import fit_ridge_readout  # training sits above models: imported on use

        warmup_steps = _warmup_steps_argument(warmup_steps, kwargs)
        return fit_ridge_readout(self, inputs, targets, ridge=ridge, warmup_steps=warmup_steps, batch_size=batch_size)

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

"""Echo-state reservoir: a fixed random recurrent layer (`EchoStateCell`, `EchoState`)."""

import keras
import numpy as np

from kerasrnn import backend
from kerasrnn.utils.random_reservoir import make_reservoir
from kerasrnn.utils.validation import check_fraction
from kerasrnn.utils.validation import check_non_negative_number
from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_positive_number


def reservoir_states(drives, recurrent_kernel, leak_rate, initial_state):
    """All states of a leaky reservoir driven by precomputed input drives.

    Runs `x_t = (1 - a) * x_{t-1} + a * tanh(d_t + x_{t-1} W)` over time from
    `x_0 = initial_state`, where `d_t = u_t W_in + b` are the input drives
    (see `EchoStateCell.project_inputs`). It is a pure function of its
    arguments, so it can be compiled once and reused for every reservoir of the
    same shape: `keras.ops.scan` (one XLA loop on JAX, a `tf.while_loop` or an
    XLA loop on TensorFlow). On PyTorch, where Keras runs a loop step by step,
    it runs a loop of in-place kernels (NumPy's on CPU, torch's elsewhere;
    `kerasrnn.backend.torch_echo_state`) when no gradient is needed, and the
    same `keras.ops.scan` otherwise.

    Args:
        drives: Float tensor `(batch, timesteps, units)`, the input drives.
        recurrent_kernel: Float tensor `(units, units)`, the recurrent matrix `W`.
        leak_rate: Python float in (0, 1], the leak rate `a`.
        initial_state: Float tensor `(batch, units)`, the state before the
            first step.

    Returns:
        The states, a tensor of shape `(batch, timesteps, units)`.

    Example:

    ```python
    kernel, recurrent_kernel, bias = make_reservoir(1, 100, seed=0)
    inputs = np.random.random((2, 50, 1)).astype("float32")
    drives = (inputs @ kernel + bias).astype("float32")  # (2, 50, 100)
    states = reservoir_states(drives, recurrent_kernel.astype("float32"), 0.3, np.zeros((2, 100), "float32"))
    ```
    """
    drives = keras.ops.convert_to_tensor(drives)
    recurrent_kernel = keras.ops.convert_to_tensor(recurrent_kernel, dtype=drives.dtype)
    initial_state = keras.ops.convert_to_tensor(initial_state, dtype=drives.dtype)
    leaky_tanh_scan = backend.kernel("leaky_tanh_scan")
    if leaky_tanh_scan is not None:
        try:
            return leaky_tanh_scan(drives, recurrent_kernel, leak_rate, initial_state)
        except NotImplementedError:
            pass  # autograd needs the graph: Keras' loop below

    def step(state, drive):
        activation = keras.ops.tanh(drive + keras.ops.matmul(state, recurrent_kernel))
        if leak_rate != 1.0:
            activation = (1.0 - leak_rate) * state + leak_rate * activation
        return activation, activation

    _, states = keras.ops.scan(step, initial_state, keras.ops.transpose(drives, (1, 0, 2)))
    return keras.ops.transpose(states, (1, 0, 2))  # (batch, timesteps, units)


def _constant(value):
    """An initializer returning the fixed NumPy array `value`."""

    def initializer(shape, dtype=None):
        return keras.ops.convert_to_tensor(np.reshape(value, shape), dtype=dtype or "float32")

    return initializer


@keras.saving.register_keras_serializable(package="kerasrnn")
class EchoStateCell(keras.layers.Layer):
    """Cell class for `EchoState`: one step of a leaky echo-state reservoir.

    The cell holds a fixed random input matrix `W_in` (`kernel`), a fixed sparse
    recurrent matrix `W` (`recurrent_kernel`) and a fixed bias `b`, and updates
    its state with

        x_t = (1 - a) * x_{t-1} + a * tanh(u_t W_in + x_{t-1} W + b)

    where `a` is the leak rate. The output is the new state. `W` is rescaled at
    build time so that its largest eigenvalue modulus is `spectral_radius`
    (below 1, the reservoir forgets its initial state: the echo-state
    property). The three matrices are drawn with a NumPy generator seeded by
    `seed` (see `make_reservoir`), so a seed gives the same reservoir on every
    backend, and they are stored as non-trainable weights, so a saved model
    restores the exact reservoir. Only a readout on top of the states is
    trained.

    Args:
        units: Positive integer, the number of reservoir units.
        connectivity: Float in (0, 1], the fraction of non-zero entries of the
            recurrent matrix. Small reservoirs need a larger connectivity: with
            only a few non-zero weights the matrix can be nilpotent (no
            non-zero eigenvalue to rescale), which `build` reports. Defaults
            to `0.1`.
        spectral_radius: Positive float, the largest eigenvalue modulus of the
            recurrent matrix. Defaults to `0.9`.
        leak_rate: Float in (0, 1], the weight `a` of the new activation in the
            state update; `1.0` gives a plain (non-leaky) reservoir. Defaults to
            `1.0`.
        input_scaling: Positive float, input weights are drawn uniformly from
            `[-input_scaling, input_scaling]`. Defaults to `1.0`.
        input_connectivity: Float in (0, 1], the fraction of non-zero input
            weights. Defaults to `1.0`.
        bias_scaling: Non-negative float, the bias is drawn uniformly from
            `[-bias_scaling, bias_scaling]`. Defaults to `0.0`.
        seed: Integer seed of the NumPy generator that draws the reservoir. If
            `None`, NumPy's global random state picks one (seeded by
            `keras.utils.set_random_seed`). Defaults to `None`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: A 2D tensor, with shape `(batch, features)`.
        states: A 2D tensor with shape `(batch, units)` (or a list holding it),
            the state from the previous time step.
        training: Python boolean, unused (the reservoir behaves the same in
            training and inference).

    Returns:
        A tuple `(output, new_states)`: the new state of shape
        `(batch, units)`, and the same tensor as the next state.

    Example:

    ```python
    inputs = np.random.random((32, 10, 3)).astype("float32")
    rnn = keras.layers.RNN(EchoStateCell(100, seed=0), return_sequences=True)
    states = rnn(inputs)  # (32, 10, 100)
    kernel, recurrent_kernel, bias = rnn.cell.reservoir_weights()
    # kernel: (3, 100), recurrent_kernel: (100, 100), bias: (100,)
    ```

    Reference:
        - [Jaeger, 2001. The "echo state" approach to analysing and training
          recurrent neural networks](https://www.ai.rug.nl/minds/uploads/EchoStatesTechRep.pdf)
        - [Jaeger et al., 2007. Optimization and applications of echo state
          networks with leaky-integrator neurons](
          https://doi.org/10.1016/j.neunet.2007.04.016)
    """

    def __init__(
        self,
        units,
        connectivity=0.1,
        spectral_radius=0.9,
        leak_rate=1.0,
        input_scaling=1.0,
        input_connectivity=1.0,
        bias_scaling=0.0,
        seed=None,
        **kwargs,
    ):
        check_positive_int(units, "units")
        check_fraction(connectivity, "connectivity")
        check_positive_number(spectral_radius, "spectral_radius")
        check_fraction(leak_rate, "leak_rate")
        check_positive_number(input_scaling, "input_scaling")
        check_fraction(input_connectivity, "input_connectivity")
        check_non_negative_number(bias_scaling, "bias_scaling")
        super().__init__(**kwargs)
        self.units = int(units)
        self.connectivity = float(connectivity)
        self.spectral_radius = float(spectral_radius)
        self.leak_rate = float(leak_rate)
        self.input_scaling = float(input_scaling)
        self.input_connectivity = float(input_connectivity)
        self.bias_scaling = float(bias_scaling)
        self.seed = seed
        self.state_size = self.units
        self.output_size = self.units
        # `EchoState` computes `u_t W_in + b` for all time steps in one matmul
        # and sets this flag so that `call` receives those drives, not `u_t`.
        self._inputs_are_drives = False

    def build(self, input_shape):
        kernel, recurrent_kernel, bias = make_reservoir(
            input_shape[-1],
            self.units,
            connectivity=self.connectivity,
            spectral_radius=self.spectral_radius,
            input_scaling=self.input_scaling,
            input_connectivity=self.input_connectivity,
            bias_scaling=self.bias_scaling,
            seed=self.seed,
        )
        self.kernel = self.add_weight(
            shape=kernel.shape, name="kernel", initializer=_constant(kernel), trainable=False
        )
        self.recurrent_kernel = self.add_weight(
            shape=recurrent_kernel.shape,
            name="recurrent_kernel",
            initializer=_constant(recurrent_kernel),
            trainable=False,
        )
        self.bias = self.add_weight(
            shape=bias.shape, name="bias", initializer=_constant(bias), trainable=False
        )

    def project_inputs(self, inputs):
        """Returns the input drive `u W_in + b` for inputs of shape `(..., features)`."""
        return keras.ops.matmul(inputs, self.kernel) + self.bias  # (..., units)

    def update(self, drives, state):
        """Returns the next state given the input drive `u_t W_in + b` and the state."""
        activation = keras.ops.tanh(drives + keras.ops.matmul(state, self.recurrent_kernel))
        if self.leak_rate == 1.0:
            return activation
        return (1.0 - self.leak_rate) * state + self.leak_rate * activation

    def call(self, inputs, states, training=False):
        state = states[0] if isinstance(states, (list, tuple)) else states
        drives = inputs if self._inputs_are_drives else self.project_inputs(inputs)
        new_state = self.update(drives, state)  # (batch, units)
        return new_state, [new_state] if isinstance(states, (list, tuple)) else new_state

    def get_initial_state(self, batch_size=None):
        return [keras.ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def reservoir_weights(self):
        """Returns the reservoir `(W_in, W, b)` as dense NumPy arrays.

        Shapes are `(features, units)`, `(units, units)` and `(units,)`.
        """
        if not self.built:
            raise ValueError(
                f"The reservoir of `{self.name}` is drawn when the layer is built; "
                "call it on an input (or call `build`) before `reservoir_weights()`."
            )
        return tuple(
            np.asarray(keras.ops.convert_to_numpy(weight))
            for weight in (self.kernel, self.recurrent_kernel, self.bias)
        )

    def get_config(self):
        config = {
            "units": self.units,
            "connectivity": self.connectivity,
            "spectral_radius": self.spectral_radius,
            "leak_rate": self.leak_rate,
            "input_scaling": self.input_scaling,
            "input_connectivity": self.input_connectivity,
            "bias_scaling": self.bias_scaling,
            "seed": self.seed,
        }
        base_config = super().get_config()
        return {**base_config, **config}


@keras.saving.register_keras_serializable(package="kerasrnn")
class EchoState(keras.layers.RNN):
    """Echo-state reservoir layer: a fixed random recurrent network.

    The layer runs an `EchoStateCell` over the sequence,

        x_t = (1 - a) * x_{t-1} + a * tanh(u_t W_in + x_{t-1} W + b),

    with fixed random `W_in`, `W` (sparse, rescaled to `spectral_radius`) and
    `b`, and leak rate `a`. The input drives `u_t W_in + b` of all time steps
    are computed in one matrix product before the recurrence, which then only
    multiplies by `W`. On PyTorch, without a mask, `go_backwards` or `unroll`
    and when no gradient flows into the inputs, the recurrence runs as a loop
    of in-place kernels (`kerasrnn.backend.torch_echo_state`: NumPy's on CPU,
    torch's elsewhere) instead of Keras' step loop (about 16 instead of 400
    microseconds a step for 500 units on one CPU core), with the same states. The reservoir has no
    trainable weights: put a readout (such as `keras.layers.Dense`) on the
    states, or use `EchoStateNetwork`, which also fits the readout in closed
    form.

    Args:
        units: Positive integer, the number of reservoir units.
        connectivity: Float in (0, 1], the fraction of non-zero entries of the
            recurrent matrix. Defaults to `0.1`.
        spectral_radius: Positive float, the largest eigenvalue modulus of the
            recurrent matrix. Defaults to `0.9`.
        leak_rate: Float in (0, 1], the weight `a` of the new activation in the
            state update. Defaults to `1.0`.
        input_scaling: Positive float, input weights are drawn uniformly from
            `[-input_scaling, input_scaling]`. Defaults to `1.0`.
        input_connectivity: Float in (0, 1], the fraction of non-zero input
            weights. Defaults to `1.0`.
        bias_scaling: Non-negative float, the bias is drawn uniformly from
            `[-bias_scaling, bias_scaling]`. Defaults to `0.0`.
        seed: Integer seed of the NumPy generator that draws the reservoir; the
            same seed gives the same reservoir on every backend. Defaults to
            `None`.
        return_sequences: Boolean, whether to return the whole sequence of
            states or only the last one. Defaults to `False`.
        return_state: Boolean, whether to also return the last state.
            Defaults to `False`.
        go_backwards: Boolean, whether to process the sequence backwards and
            return the reversed sequence. Defaults to `False`.
        stateful: Boolean, whether the last state of each sample in a batch is
            the initial state of that sample in the next batch. Defaults to
            `False`.
        unroll: Boolean, whether to unroll the recurrence (only for short
            sequences). Defaults to `False`.
        **kwargs: Base `keras.layers.RNN` keyword arguments, such as `name`,
            `dtype` and `zero_output_for_mask`.

    Call arguments:
        sequences: A 3D tensor of shape `(batch, timesteps, features)`.
        initial_state: Optional tensor of shape `(batch, units)` (or a list
            holding it), the initial reservoir state. Defaults to zeros.
        mask: Optional boolean tensor of shape `(batch, timesteps)`; masked
            steps keep the previous state.
        training: Python boolean, unused.

    Returns:
        The states, of shape `(batch, timesteps, units)` if
        `return_sequences`, else `(batch, units)`; with `return_state`, a list
        that also holds the last state `(batch, units)`.

    Example:

    ```python
    inputs = np.random.random((32, 10, 3)).astype("float32")
    reservoir = EchoState(100, spectral_radius=0.9, leak_rate=0.3, seed=0)
    last_state = reservoir(inputs)  # (32, 100)
    reservoir = EchoState(100, seed=0, return_sequences=True, return_state=True)
    states, last_state = reservoir(inputs)  # (32, 10, 100), (32, 100)
    kernel, recurrent_kernel, bias = reservoir.reservoir_weights()
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
        connectivity=0.1,
        spectral_radius=0.9,
        leak_rate=1.0,
        input_scaling=1.0,
        input_connectivity=1.0,
        bias_scaling=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        **kwargs,
    ):
        cell = EchoStateCell(
            units,
            connectivity=connectivity,
            spectral_radius=spectral_radius,
            leak_rate=leak_rate,
            input_scaling=input_scaling,
            input_connectivity=input_connectivity,
            bias_scaling=bias_scaling,
            seed=seed,
            dtype=kwargs.get("dtype", None),
            name="echo_state_cell",
        )
        cell._inputs_are_drives = True
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            **kwargs,
        )
        self.input_spec = [keras.layers.InputSpec(ndim=3)]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        drives = self.cell.project_inputs(sequences)  # (batch, time, units)
        return super().call(drives, initial_state=initial_state, mask=mask, training=training)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        # On PyTorch, Keras' generic loop pays Keras' dispatch on every op of
        # every step; without a mask, reversal or unrolling, the backend's
        # loop of `reservoir_states` computes the same states (when no
        # gradient is needed; it raises otherwise).
        leaky_tanh_scan = backend.kernel("leaky_tanh_scan")
        if (
            leaky_tanh_scan is not None
            and mask is None
            and not self.go_backwards
            and not self.unroll
            and sequences.shape[1]
        ):
            state = initial_state[0] if isinstance(initial_state, (list, tuple)) else initial_state
            try:
                states = leaky_tanh_scan(
                    sequences, self.cell.recurrent_kernel.value, self.cell.leak_rate, state
                )
            except NotImplementedError:
                pass
            else:
                last_state = states[:, -1]  # (batch, units)
                return last_state, states, [last_state]
        return super().inner_loop(sequences, initial_state, mask, training=training)

    def reservoir_weights(self):
        """Returns the reservoir `(W_in, W, b)` as dense NumPy arrays.

        Shapes are `(features, units)`, `(units, units)` and `(units,)`.
        """
        return self.cell.reservoir_weights()

    @property
    def units(self):
        return self.cell.units

    @property
    def connectivity(self):
        return self.cell.connectivity

    @property
    def spectral_radius(self):
        return self.cell.spectral_radius

    @property
    def leak_rate(self):
        return self.cell.leak_rate

    @property
    def input_scaling(self):
        return self.cell.input_scaling

    @property
    def input_connectivity(self):
        return self.cell.input_connectivity

    @property
    def bias_scaling(self):
        return self.cell.bias_scaling

    @property
    def seed(self):
        return self.cell.seed

    def get_config(self):
        config = {
            "units": self.units,
            "connectivity": self.connectivity,
            "spectral_radius": self.spectral_radius,
            "leak_rate": self.leak_rate,
            "input_scaling": self.input_scaling,
            "input_connectivity": self.input_connectivity,
            "bias_scaling": self.bias_scaling,
            "seed": self.seed,
        }
        base_config = super().get_config()
        del base_config["cell"]
        return {**base_config, **config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

"""Teaching cells: the from-scratch Elman RNN and the two kinds of output recurrence.

Each cell does one time step; run it over a sequence with `keras.layers.RNN`.
They keep the textbook weight names (`Wx`, `Wh`, `b`, ...) so the code reads
like the equations:

| cell | recurrence | step |
| --- | --- | --- |
| `ElmanCell` | hidden to hidden | `h_t = tanh(x_t Wx + h_{t-1} Wh + b)` |
| `JordanCell` | output to hidden | `h_t = tanh(x_t Wx + y_{t-1} Wy + b)`, `y_t = f(h_t Wo + c)` |
| `OutputFeedbackCell` | output to output | `h_t = tanh(x_t Wx + b)`, `y_t = f(h_t Wo + y_{t-1} Wyy + c)` |
"""

import keras
from keras import ops

from kerasrnn.utils.validation import check_bool
from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_positive_number
from kerasrnn.utils.validation import check_seed


def _check_common(stddev, seed):
    return check_positive_number(stddev, "stddev"), check_seed(seed)


def _normal(stddev, seed, offset):
    # Each weight gets its own seed (seed, seed + 1, ...) so no two draw the same numbers.
    return keras.initializers.RandomNormal(stddev=stddev, seed=None if seed is None else seed + offset)


def _previous(states):
    return states[0] if isinstance(states, (list, tuple)) else states


def _as_states(states, new_state):
    return [new_state] if isinstance(states, (list, tuple)) else new_state


@keras.saving.register_keras_serializable(package="kerasrnn")
class ElmanCell(keras.layers.Layer):
    """The from-scratch recurrent cell (Elman network): one step of hidden recurrence.

    The hidden state carries everything seen so far:

    `h_t = tanh(x_t Wx + h_{t-1} Wh + b)`,

    and is also the output. It computes the same function as
    `keras.layers.SimpleRNNCell` (`Wx`, `Wh`, `b` are its `kernel`,
    `recurrent_kernel` and `bias`) but spells the weights as in the equation.
    As in the from-scratch notebook, `Wx` and `Wh` start as `N(0, stddev^2)`
    draws with `stddev=0.01` and `b` starts at zero.

    Args:
        units: int, size of the hidden state.
        activation: activation of the hidden state. Defaults to `"tanh"`.
        stddev: float, standard deviation of the initial `Wx` and `Wh`.
            Defaults to `0.01`.
        seed: int or None, seed of the initial weights (`Wx` uses `seed`,
            `Wh` uses `seed + 1`). Defaults to `None`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: a tensor of shape `(batch, features)`, one time step.
        states: a list with the previous hidden state `(batch, units)`.

    Returns:
        A tuple `(output, new_states)`: the new hidden state
        `(batch, units)` and a list holding it.

    Example:

    ```python
    rnn = keras.layers.RNN(ElmanCell(16), return_sequences=True)
    outputs = rnn(np.ones((4, 10, 8)))  # (4, 10, 16)
    ```

    Reference:
        [Elman, 1990](https://doi.org/10.1207/s15516709cog1402_1),
        "Finding Structure in Time".
    """

    def __init__(self, units, activation="tanh", stddev=0.01, seed=None, **kwargs):
        units = check_positive_int(units, "units")
        stddev, seed = _check_common(stddev, seed)
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.stddev = float(stddev)
        self.seed = seed
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.Wx = self.add_weight(
            shape=(input_dim, self.units), name="Wx", initializer=_normal(self.stddev, self.seed, 0)
        )
        self.Wh = self.add_weight(
            shape=(self.units, self.units), name="Wh", initializer=_normal(self.stddev, self.seed, 1)
        )
        self.b = self.add_weight(shape=(self.units,), name="b", initializer="zeros")
        self.built = True

    def call(self, inputs, states):
        h_previous = _previous(states)  # (batch, units)
        h = self.activation(ops.matmul(inputs, self.Wx) + ops.matmul(h_previous, self.Wh) + self.b)
        return h, _as_states(states, h)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": keras.activations.serialize(self.activation),
                "stddev": self.stddev,
                "seed": self.seed,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="kerasrnn")
class JordanCell(keras.layers.Layer):
    """One step of a Jordan network: the previous output feeds the hidden layer.

    Output-to-hidden recurrence: the state is the previous *output*, not the
    hidden layer,

    `h_t = tanh(x_t Wx + y_{t-1} Wy + b)`
    `y_t = f(h_t Wo + c)`,

    with `f` the output activation and `y_0 = 0`. The hidden layer only sees
    the past through what the network emitted, so it remembers less than an
    Elman network of the same size, but it can be trained in parallel with the
    true `y_{t-1}` in place of the prediction. Weights start as
    `N(0, stddev^2)` draws, biases at zero.

    Args:
        units: int, size of the hidden layer.
        output_units: int or None, size of the output (and of the state).
            Defaults to `None`, which means `units`.
        activation: activation of the hidden layer. Defaults to `"tanh"`.
        output_activation: the output activation `f`. Defaults to `None`
            (linear).
        stddev: float, standard deviation of the initial `Wx`, `Wy` and `Wo`.
            Defaults to `0.01`.
        seed: int or None, seed of the initial weights (`Wx`, `Wy`, `Wo` use
            `seed`, `seed + 1`, `seed + 2`). Defaults to `None`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: a tensor of shape `(batch, features)`, one time step.
        states: a list with the previous output `(batch, output_units)`.

    Returns:
        A tuple `(output, new_states)`: the output `y_t` of shape
        `(batch, output_units)` and a list holding it.

    Example:

    ```python
    rnn = keras.layers.RNN(JordanCell(16, output_units=3), return_sequences=True)
    outputs = rnn(np.ones((4, 10, 8)))  # (4, 10, 3)
    ```

    Reference:
        [Jordan, 1986](https://doi.org/10.1016/S0166-4115(97)80111-2),
        "Serial Order: A Parallel Distributed Processing Approach" (1997
        reprint);
        [Goodfellow et al., 2016](https://www.deeplearningbook.org/contents/rnn.html),
        "Deep Learning", section 10.2.
    """

    def __init__(
        self,
        units,
        output_units=None,
        activation="tanh",
        output_activation=None,
        stddev=0.01,
        seed=None,
        **kwargs,
    ):
        units = check_positive_int(units, "units")
        if output_units is not None:
            output_units = check_positive_int(output_units, "output_units")
        stddev, seed = _check_common(stddev, seed)
        super().__init__(**kwargs)
        self.units = units
        self.output_units = units if output_units is None else output_units
        self.activation = keras.activations.get(activation)
        self.output_activation = keras.activations.get(output_activation)
        self.stddev = float(stddev)
        self.seed = seed
        self.state_size = self.output_units
        self.output_size = self.output_units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.Wx = self.add_weight(
            shape=(input_dim, self.units), name="Wx", initializer=_normal(self.stddev, self.seed, 0)
        )
        self.Wy = self.add_weight(
            shape=(self.output_units, self.units), name="Wy", initializer=_normal(self.stddev, self.seed, 1)
        )
        self.b = self.add_weight(shape=(self.units,), name="b", initializer="zeros")
        self.Wo = self.add_weight(
            shape=(self.units, self.output_units), name="Wo", initializer=_normal(self.stddev, self.seed, 2)
        )
        self.c = self.add_weight(shape=(self.output_units,), name="c", initializer="zeros")
        self.built = True

    def call(self, inputs, states):
        y_previous = _previous(states)  # (batch, output_units)
        h = self.activation(ops.matmul(inputs, self.Wx) + ops.matmul(y_previous, self.Wy) + self.b)
        y = self.output_activation(ops.matmul(h, self.Wo) + self.c)  # (batch, output_units)
        return y, _as_states(states, y)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "output_units": self.output_units,
                "activation": keras.activations.serialize(self.activation),
                "output_activation": keras.activations.serialize(self.output_activation),
                "stddev": self.stddev,
                "seed": self.seed,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="kerasrnn")
class OutputFeedbackCell(keras.layers.Layer):
    """One step of output-to-output recurrence, teacher-forced or free-running.

    The hidden layer sees only the current input; the previous output feeds
    the output layer directly:

    `h_t = tanh(x_t Wx + b)`
    `y_t = f(h_t Wo + y_{t-1} Wyy + c)`.

    What plays `y_{t-1}` depends on the mode, fixed at construction:

    - `teacher_forcing=False` (free-running, for generation): the cell feeds
      back its own previous output, carried as the state (`y_0 = 0`, or the
      `initial_state` given to `keras.layers.RNN`). Inputs are `x_t` alone.
    - `teacher_forcing=True` (training): the true previous target `y*_{t-1}`
      is given. Each step's input is `x_t` concatenated with `y*_{t-1}` (its
      last `output_units` features); build the sequence with
      `teacher_forcing_inputs(x, y)`. The steps no longer depend on each
      other's outputs, so errors do not compound while training.

    The weights have the same shapes in both modes, so a cell trained with
    teacher forcing is copied into a free-running one with `set_weights`.
    The state is the cell's own last output in both modes. Weights start as
    `N(0, stddev^2)` draws, biases at zero.

    Args:
        units: int, size of the hidden layer.
        output_units: int or None, size of the output. Defaults to `None`,
            which means `units`.
        activation: activation of the hidden layer. Defaults to `"tanh"`.
        output_activation: the output activation `f`. Defaults to `None`
            (linear).
        teacher_forcing: bool, whether the inputs carry the true previous
            targets (see above). Defaults to `False`.
        stddev: float, standard deviation of the initial `Wx`, `Wo` and `Wyy`.
            Defaults to `0.01`.
        seed: int or None, seed of the initial weights (`Wx`, `Wo`, `Wyy` use
            `seed`, `seed + 1`, `seed + 2`). Defaults to `None`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: one time step, `(batch, features)` when free-running, or
            `(batch, features + output_units)` with teacher forcing.
        states: a list with the cell's previous output
            `(batch, output_units)`.

    Returns:
        A tuple `(output, new_states)`: `y_t` of shape
        `(batch, output_units)` and a list holding it.

    Example:

    ```python
    x = np.random.normal(size=(4, 10, 8))  # (batch, time, features)
    y = np.random.normal(size=(4, 10, 3))  # (batch, time, output_units)
    forced = keras.layers.RNN(
        OutputFeedbackCell(16, output_units=3, teacher_forcing=True), return_sequences=True
    )
    outputs = forced(teacher_forcing_inputs(x, y))  # (4, 10, 3), input (4, 10, 8 + 3)
    free = keras.layers.RNN(OutputFeedbackCell(16, output_units=3), return_sequences=True)
    free.build((None, None, 8))
    free.set_weights(forced.get_weights())
    generated = free(x)  # (4, 10, 3), each step fed its own previous output
    ```

    Reference:
        [Goodfellow et al., 2016](https://www.deeplearningbook.org/contents/rnn.html),
        "Deep Learning", section 10.2.1, "Teacher Forcing and Networks with
        Output Recurrence".
    """

    def __init__(
        self,
        units,
        output_units=None,
        activation="tanh",
        output_activation=None,
        teacher_forcing=False,
        stddev=0.01,
        seed=None,
        **kwargs,
    ):
        units = check_positive_int(units, "units")
        if output_units is not None:
            output_units = check_positive_int(output_units, "output_units")
        teacher_forcing = check_bool(teacher_forcing, "teacher_forcing")
        stddev, seed = _check_common(stddev, seed)
        super().__init__(**kwargs)
        self.units = units
        self.output_units = units if output_units is None else output_units
        self.activation = keras.activations.get(activation)
        self.output_activation = keras.activations.get(output_activation)
        self.teacher_forcing = teacher_forcing
        self.stddev = float(stddev)
        self.seed = seed
        self.state_size = self.output_units
        self.output_size = self.output_units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if self.teacher_forcing:
            if input_dim is not None and input_dim <= self.output_units:
                raise ValueError(
                    f"With `teacher_forcing=True` each step's input must hold x_t and the previous "
                    f"target ({self.output_units} features), received: {input_dim} features; "
                    "build it with `teacher_forcing_inputs(x, y)`"
                )
            input_dim -= self.output_units
        self.Wx = self.add_weight(
            shape=(input_dim, self.units), name="Wx", initializer=_normal(self.stddev, self.seed, 0)
        )
        self.b = self.add_weight(shape=(self.units,), name="b", initializer="zeros")
        self.Wo = self.add_weight(
            shape=(self.units, self.output_units), name="Wo", initializer=_normal(self.stddev, self.seed, 1)
        )
        self.Wyy = self.add_weight(
            shape=(self.output_units, self.output_units),
            name="Wyy",
            initializer=_normal(self.stddev, self.seed, 2),
        )
        self.c = self.add_weight(shape=(self.output_units,), name="c", initializer="zeros")
        self.built = True

    def call(self, inputs, states):
        if self.teacher_forcing:
            x = inputs[:, : -self.output_units]  # (batch, features)
            y_previous = inputs[:, -self.output_units :]  # (batch, output_units), the true target
        else:
            x = inputs
            y_previous = _previous(states)  # (batch, output_units), the cell's own output
        h = self.activation(ops.matmul(x, self.Wx) + self.b)  # (batch, units)
        y = self.output_activation(ops.matmul(h, self.Wo) + ops.matmul(y_previous, self.Wyy) + self.c)
        return y, _as_states(states, y)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "output_units": self.output_units,
                "activation": keras.activations.serialize(self.activation),
                "output_activation": keras.activations.serialize(self.output_activation),
                "teacher_forcing": self.teacher_forcing,
                "stddev": self.stddev,
                "seed": self.seed,
            }
        )
        return config


def teacher_forcing_inputs(inputs, targets, initial_output=None):
    """Inputs for a teacher-forced `OutputFeedbackCell`: `x_t` next to `y*_{t-1}`.

    Shifts `targets` one step right along time, so step `t` sees the target of
    step `t - 1` (step 0 sees `initial_output`, zeros by default, matching the
    free-running cell's zero initial state), and concatenates it to `inputs`
    on the feature axis.

    Args:
        inputs: tensor of shape `(batch, time, features)`.
        targets: tensor of shape `(batch, time, output_units)`, the true
            outputs of every step.
        initial_output: optional tensor `(batch, output_units)` that stands for
            `y*_0`. Defaults to `None` (zeros).

    Returns:
        A tensor of shape `(batch, time, features + output_units)`.

    Example:

    ```python
    x = np.zeros((2, 5, 4))  # (batch, time, features)
    y = np.ones((2, 5, 3))  # (batch, time, output_units)
    teacher_forcing_inputs(x, y).shape  # (2, 5, 7); [:, 0, 4:] is 0, [:, 1:, 4:] is 1
    ```
    """
    inputs = ops.convert_to_tensor(inputs)
    targets = ops.cast(targets, inputs.dtype)
    if initial_output is None:
        first = ops.zeros_like(targets[:, :1])  # (batch, 1, output_units)
    else:
        first = ops.expand_dims(ops.cast(initial_output, inputs.dtype), 1)
    previous_targets = ops.concatenate([first, targets[:, :-1]], axis=1)  # (batch, time, output_units)
    return ops.concatenate([inputs, previous_targets], axis=-1)

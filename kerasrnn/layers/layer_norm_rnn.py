"""LayerNorm recurrent cells and layers: SimpleRNN, LSTM and GRU with layer normalization.

Layer normalization (Ba et al., 2016) rescales a vector of pre-activations to
zero mean and unit variance over its features, then applies a learned gain and
shift:

`LN(a; gamma, beta) = gamma * (a - mean(a)) / sqrt(var(a) + epsilon) + beta`.

Where each cell normalizes (`W` is `kernel`, `U` is `recurrent_kernel`, `b` is
`bias`, which serves as the shift of the normalization it follows):

- `LayerNormSimpleRNNCell`: the summed pre-activation,
  `h_t = act(LN(x_t W + h_{t-1} U; gamma, b))`.
- `LayerNormLSTMCell` (Ba et al.'s LN-LSTM): the input and recurrent
  projections separately, `LN(x_t W; input_gamma, b) + LN(h_{t-1} U; recurrent_gamma)`,
  and the new cell state before the output activation,
  `h_t = o * act(LN(c_t; cell_gamma, cell_beta))`; `c_t` is carried un-normalized.
- `LayerNormGRUCell`: the input and recurrent projections separately,
  `LN(x_t W; input_gamma, b_x)` and `LN(h_{t-1} U; recurrent_gamma, b_h)`; the
  reset gate multiplies the normalized recurrent candidate (Keras'
  `reset_after=True`).

With `layer_norm=False` every cell computes exactly what the Keras cell of the
same kind computes, with the same weights. The cells subclass Keras' own
`SimpleRNNCell`, `LSTMCell` and `GRUCell`, so they keep Keras' arguments,
weight shapes, gate order and dropout masks (one mask per sequence, reused at
every step).

The layers project the whole input sequence before the recurrence: `x W` (with
its normalization, for the LSTM and GRU) is one matmul over
`(batch, time, features)`, so a step only computes `h U`, one or two
normalizations and the gates. Their cells run with `projected_inputs=True`;
a cell built with the default `projected_inputs=False` projects each step's
input itself, so it also works inside `keras.layers.RNN` or stacked with
`keras.layers.StackedRNNCells`.
"""

import keras
from keras import ops

from kerasrnn.layers.fused_rnn import _TANH
from kerasrnn.layers.fused_rnn import fused_kernel
from kerasrnn.utils.validation import check_fraction
from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_positive_number


def _check_cell_arguments(units, dropout, recurrent_dropout, layernorm_epsilon):
    check_positive_int(units, "units")
    check_fraction(dropout, "dropout", low_open=False, high_open=True)
    check_fraction(recurrent_dropout, "recurrent_dropout", low_open=False, high_open=True)
    check_positive_number(layernorm_epsilon, "layernorm_epsilon")


def _normalize(x, gamma, beta, epsilon):
    """`LN(x; gamma, beta)` over the last axis; just `x + beta` when `gamma` is None (no LayerNorm)."""
    if gamma is not None:
        return ops.layer_normalization(x, gamma, beta, epsilon=epsilon)
    if beta is not None:
        return x + beta
    return x


def _previous_state(states):
    return states[0] if isinstance(states, (list, tuple)) else states


def _as_states(states, new_state):
    return [new_state] if isinstance(states, (list, tuple)) else new_state


@keras.saving.register_keras_serializable(package="kerasrnn")
class LayerNormSimpleRNNCell(keras.layers.SimpleRNNCell):
    """Cell of a fully-connected RNN with layer normalization: one time step.

    The input and recurrent projections are summed, normalized over the units
    and shifted by the bias before the activation:

    `h_t = activation(gamma * (a_t - mean(a_t)) / sqrt(var(a_t) + epsilon) + b)`,
    with `a_t = x_t W + h_{t-1} U`.

    With `layer_norm=False` it is `keras.layers.SimpleRNNCell`:
    `h_t = activation(x_t W + h_{t-1} U + b)`.

    Args:
        units: int, size of the hidden state.
        activation: activation of the hidden state. Defaults to `"tanh"`.
        use_bias: bool, whether the cell has the bias (the shift after the
            normalization). Defaults to `True`.
        kernel_initializer: initializer of `kernel`, the input projection `W`.
            Defaults to `"glorot_uniform"`.
        recurrent_initializer: initializer of `recurrent_kernel`, the
            recurrent projection `U`. Defaults to `"orthogonal"`.
        bias_initializer: initializer of `bias`. Defaults to `"zeros"`.
        gamma_initializer: initializer of `gamma`, the normalization gain.
            Defaults to `"ones"`.
        kernel_regularizer: regularizer of `kernel`. Defaults to `None`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
            Defaults to `None`.
        bias_regularizer: regularizer of `bias`. Defaults to `None`.
        gamma_regularizer: regularizer of `gamma`. Defaults to `None`.
        kernel_constraint: constraint on `kernel`. Defaults to `None`.
        recurrent_constraint: constraint on `recurrent_kernel`.
            Defaults to `None`.
        bias_constraint: constraint on `bias`. Defaults to `None`.
        gamma_constraint: constraint on `gamma`. Defaults to `None`.
        dropout: float in [0, 1), fraction of the input features dropped
            (one mask per sequence). Defaults to `0.0`.
        recurrent_dropout: float in [0, 1), fraction of the previous state
            dropped before `U` (one mask per sequence). Defaults to `0.0`.
        layer_norm: bool, whether to normalize. `False` gives Keras'
            `SimpleRNNCell` and creates no `gamma`. Defaults to `True`.
        layernorm_epsilon: positive float added to the variance.
            Defaults to `1e-3` (as `keras.layers.LayerNormalization`).
        projected_inputs: bool, whether `call()` receives
            `project_inputs(x_t)` instead of `x_t`, as in
            `LayerNormSimpleRNN`, which projects the whole sequence at once.
            Defaults to `False`.
        seed: int or None, seed of the dropout masks. Defaults to `None`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: a tensor of shape `(batch, features)`, one time step (or
            `(batch, units)` from `project_inputs()` when
            `projected_inputs=True`).
        states: a list with the previous hidden state `(batch, units)`.
        training: bool, whether dropout is active. Defaults to `False`.

    Returns:
        A tuple `(output, new_states)`: the new hidden state
        `(batch, units)` and a list holding it.

    Example:

    ```python
    rnn = keras.layers.RNN(LayerNormSimpleRNNCell(16), return_sequences=True)
    outputs = rnn(np.ones((4, 10, 8)))  # (4, 10, 16)
    ```

    Reference:
        [Ba et al., 2016](https://arxiv.org/abs/1607.06450),
        "Layer Normalization".
    """

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        gamma_initializer="ones",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        gamma_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        gamma_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        layer_norm=True,
        layernorm_epsilon=1e-3,
        projected_inputs=False,
        seed=None,
        **kwargs,
    ):
        _check_cell_arguments(units, dropout, recurrent_dropout, layernorm_epsilon)
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            **kwargs,
        )
        self.gamma_initializer = keras.initializers.get(gamma_initializer)
        self.gamma_regularizer = keras.regularizers.get(gamma_regularizer)
        self.gamma_constraint = keras.constraints.get(gamma_constraint)
        self.layer_norm = layer_norm
        self.layernorm_epsilon = layernorm_epsilon
        self.projected_inputs = projected_inputs

    def build(self, input_shape):
        super().build(input_shape)
        self.gamma = None
        if self.layer_norm:
            self.gamma = self.add_weight(
                shape=(self.units,),
                name="gamma",
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )

    def project_inputs(self, inputs):
        """The input-only part of a step, `x W` (`x W + b` without LayerNorm).

        Takes one step `(batch, features)` or a whole sequence `(batch, time, features)`
        and returns `(..., units)`: what `call()` takes when `projected_inputs=True`.
        """
        projected = ops.matmul(inputs, self.kernel)
        if self.bias is not None and not self.layer_norm:
            # Without the normalization the bias joins the projection, off the recurrent path.
            projected = projected + self.bias
        return projected

    def call(self, inputs, states, training=False):
        h_previous = _previous_state(states)  # (batch, units)
        if not self.projected_inputs:
            if training and self.dropout > 0:
                inputs = inputs * self.get_dropout_mask(inputs)
            inputs = self.project_inputs(inputs)  # (batch, units)
        if training and self.recurrent_dropout > 0:
            h_previous = h_previous * self.get_recurrent_dropout_mask(h_previous)
        z = inputs + ops.matmul(h_previous, self.recurrent_kernel)  # (batch, units)
        if self.layer_norm:
            z = ops.layer_normalization(z, self.gamma, self.bias, epsilon=self.layernorm_epsilon)
        h = self.activation(z)
        return h, _as_states(states, h)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "gamma_initializer": keras.initializers.serialize(self.gamma_initializer),
                "gamma_regularizer": keras.regularizers.serialize(self.gamma_regularizer),
                "gamma_constraint": keras.constraints.serialize(self.gamma_constraint),
                "layer_norm": self.layer_norm,
                "layernorm_epsilon": self.layernorm_epsilon,
                "projected_inputs": self.projected_inputs,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="kerasrnn")
class LayerNormLSTMCell(keras.layers.LSTMCell):
    """Cell of an LSTM with layer normalization (Ba et al., 2016): one time step.

    The input and recurrent projections are normalized separately over all
    `4 * units` gate pre-activations, each with its own gain; the bias is the
    shift of the input normalization (it absorbs the recurrent one). The new
    cell state is normalized before the output activation, and is carried
    un-normalized, as in the paper's supplementary material:

    `[i, f, g, o] = LN(x_t W; input_gamma, b) + LN(h_{t-1} U; recurrent_gamma)`,
    `c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)`,
    `h_t = sigmoid(o) * tanh(LN(c_t; cell_gamma, cell_beta))`,

    with `sigmoid` the `recurrent_activation` and `tanh` the `activation`.
    The gate order `i, f, g, o` is Keras'. With `layer_norm=False` it is
    `keras.layers.LSTMCell`.

    Args:
        units: int, size of the hidden and cell states.
        activation: activation of the candidate `g` and of the output.
            Defaults to `"tanh"`.
        recurrent_activation: activation of the gates `i, f, o`.
            Defaults to `"sigmoid"`.
        use_bias: bool, whether the cell has the bias. Defaults to `True`.
        kernel_initializer: initializer of `kernel`, the input projection `W`
            `(features, 4 * units)`. Defaults to `"glorot_uniform"`.
        recurrent_initializer: initializer of `recurrent_kernel`, the
            recurrent projection `U` `(units, 4 * units)`.
            Defaults to `"orthogonal"`.
        bias_initializer: initializer of `bias` `(4 * units,)`.
            Defaults to `"zeros"`.
        unit_forget_bias: bool, whether the forget gate's bias starts at one
            (with `bias_initializer="zeros"` for the other gates).
            Defaults to `True`.
        gamma_initializer: initializer of the gains `input_gamma`,
            `recurrent_gamma` and `cell_gamma`. Defaults to `"ones"`.
        beta_initializer: initializer of `cell_beta`. Defaults to `"zeros"`.
        kernel_regularizer: regularizer of `kernel`. Defaults to `None`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
            Defaults to `None`.
        bias_regularizer: regularizer of `bias`. Defaults to `None`.
        gamma_regularizer: regularizer of the gains. Defaults to `None`.
        beta_regularizer: regularizer of `cell_beta`. Defaults to `None`.
        kernel_constraint: constraint on `kernel`. Defaults to `None`.
        recurrent_constraint: constraint on `recurrent_kernel`.
            Defaults to `None`.
        bias_constraint: constraint on `bias`. Defaults to `None`.
        gamma_constraint: constraint on the gains. Defaults to `None`.
        beta_constraint: constraint on `cell_beta`. Defaults to `None`.
        dropout: float in [0, 1), fraction of the input features dropped
            (one mask per sequence, shared by the gates). Defaults to `0.0`.
        recurrent_dropout: float in [0, 1), fraction of the previous hidden
            state dropped before `U` (one mask per sequence, shared by the
            gates). Defaults to `0.0`.
        layer_norm: bool, whether to normalize. `False` gives Keras'
            `LSTMCell` and creates no gains. Defaults to `True`.
        layernorm_epsilon: positive float added to the variances.
            Defaults to `1e-3`.
        projected_inputs: bool, whether `call()` receives
            `project_inputs(x_t)` instead of `x_t`, as in `LayerNormLSTM`.
            Defaults to `False`.
        seed: int or None, seed of the dropout masks. Defaults to `None`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: a tensor of shape `(batch, features)`, one time step (or
            `(batch, 4 * units)` from `project_inputs()` when
            `projected_inputs=True`).
        states: a list `[h, c]` of the previous hidden and cell states,
            each `(batch, units)`.
        training: bool, whether dropout is active. Defaults to `False`.

    Returns:
        A tuple `(output, [h, c])`: the new hidden state `(batch, units)`
        and the list of new states.

    Example:

    ```python
    rnn = keras.layers.RNN(LayerNormLSTMCell(16), return_state=True)
    output, h, c = rnn(np.ones((4, 10, 8)))  # (4, 16), (4, 16), (4, 16)
    ```

    Reference:
        [Ba et al., 2016](https://arxiv.org/abs/1607.06450),
        "Layer Normalization", supplementary material (LN-LSTM).
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        gamma_initializer="ones",
        beta_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        gamma_regularizer=None,
        beta_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        gamma_constraint=None,
        beta_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        layer_norm=True,
        layernorm_epsilon=1e-3,
        projected_inputs=False,
        seed=None,
        **kwargs,
    ):
        _check_cell_arguments(units, dropout, recurrent_dropout, layernorm_epsilon)
        super().__init__(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            **kwargs,
        )
        # Keras' LSTMCell draws one mask per gate once `recurrent_dropout` is set; this
        # cell keeps one mask for all gates, so the input projection stays one matmul.
        self.dropout_mask_count = None
        self.gamma_initializer = keras.initializers.get(gamma_initializer)
        self.beta_initializer = keras.initializers.get(beta_initializer)
        self.gamma_regularizer = keras.regularizers.get(gamma_regularizer)
        self.beta_regularizer = keras.regularizers.get(beta_regularizer)
        self.gamma_constraint = keras.constraints.get(gamma_constraint)
        self.beta_constraint = keras.constraints.get(beta_constraint)
        self.layer_norm = layer_norm
        self.layernorm_epsilon = layernorm_epsilon
        self.projected_inputs = projected_inputs

    def build(self, input_shape):
        super().build(input_shape)
        self.input_gamma = self.recurrent_gamma = self.cell_gamma = self.cell_beta = None
        if self.layer_norm:
            self.input_gamma = self._add_gain("input_gamma", 4 * self.units)
            self.recurrent_gamma = self._add_gain("recurrent_gamma", 4 * self.units)
            self.cell_gamma = self._add_gain("cell_gamma", self.units)
            self.cell_beta = self.add_weight(
                shape=(self.units,),
                name="cell_beta",
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )

    def _add_gain(self, name, size):
        return self.add_weight(
            shape=(size,),
            name=name,
            initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer,
            constraint=self.gamma_constraint,
        )

    def project_inputs(self, inputs):
        """The input-only part of a step, `LN(x W; input_gamma, b)` (`x W + b` without LayerNorm).

        Takes one step `(batch, features)` or a whole sequence `(batch, time, features)`
        and returns `(..., 4 * units)`: what `call()` takes when `projected_inputs=True`.
        """
        projected = ops.matmul(inputs, self.kernel)
        return _normalize(projected, self.input_gamma, self.bias, self.layernorm_epsilon)

    def call(self, inputs, states, training=False):
        h_previous, c_previous = states  # (batch, units) each
        if not self.projected_inputs:
            if training and self.dropout > 0:
                inputs = inputs * self.get_dropout_mask(inputs)
            inputs = self.project_inputs(inputs)  # (batch, 4 * units)
        if training and self.recurrent_dropout > 0:
            h_previous = h_previous * self.get_recurrent_dropout_mask(h_previous)
        recurrent = ops.matmul(h_previous, self.recurrent_kernel)  # (batch, 4 * units)
        z = inputs + _normalize(recurrent, self.recurrent_gamma, None, self.layernorm_epsilon)
        z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_previous + i * self.activation(z_g)
        c_normalized = _normalize(c, self.cell_gamma, self.cell_beta, self.layernorm_epsilon)
        h = self.recurrent_activation(z_o) * self.activation(c_normalized)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "gamma_initializer": keras.initializers.serialize(self.gamma_initializer),
                "beta_initializer": keras.initializers.serialize(self.beta_initializer),
                "gamma_regularizer": keras.regularizers.serialize(self.gamma_regularizer),
                "beta_regularizer": keras.regularizers.serialize(self.beta_regularizer),
                "gamma_constraint": keras.constraints.serialize(self.gamma_constraint),
                "beta_constraint": keras.constraints.serialize(self.beta_constraint),
                "layer_norm": self.layer_norm,
                "layernorm_epsilon": self.layernorm_epsilon,
                "projected_inputs": self.projected_inputs,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="kerasrnn")
class LayerNormGRUCell(keras.layers.GRUCell):
    """Cell of a GRU with layer normalization: one time step.

    Following the LN-LSTM of Ba et al. (2016), the input and recurrent
    projections are normalized separately over all `3 * units` gate
    pre-activations, each with its own gain and its own bias as shift. The
    reset gate multiplies the normalized recurrent candidate, after the
    matmul, as in Keras' default `reset_after=True` (the cuDNN placement):

    `[zx, rx, gx] = LN(x_t W; input_gamma, b_x)`,
    `[zh, rh, gh] = LN(h_{t-1} U; recurrent_gamma, b_h)`,
    `z = sigmoid(zx + zh)`, `r = sigmoid(rx + rh)`,
    `h_t = z * h_{t-1} + (1 - z) * tanh(gx + r * gh)`,

    with `sigmoid` the `recurrent_activation` and `tanh` the `activation`.
    `bias` has Keras' shape `(2, 3 * units)`: row 0 is `b_x`, row 1 is `b_h`.
    With `layer_norm=False` it is `keras.layers.GRUCell(reset_after=True)`.

    Args:
        units: int, size of the hidden state.
        activation: activation of the candidate state. Defaults to `"tanh"`.
        recurrent_activation: activation of the update and reset gates.
            Defaults to `"sigmoid"`.
        use_bias: bool, whether the cell has the biases. Defaults to `True`.
        kernel_initializer: initializer of `kernel`, the input projection `W`
            `(features, 3 * units)`. Defaults to `"glorot_uniform"`.
        recurrent_initializer: initializer of `recurrent_kernel`, the
            recurrent projection `U` `(units, 3 * units)`.
            Defaults to `"orthogonal"`.
        bias_initializer: initializer of `bias` `(2, 3 * units)`.
            Defaults to `"zeros"`.
        gamma_initializer: initializer of the gains `input_gamma` and
            `recurrent_gamma`. Defaults to `"ones"`.
        kernel_regularizer: regularizer of `kernel`. Defaults to `None`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
            Defaults to `None`.
        bias_regularizer: regularizer of `bias`. Defaults to `None`.
        gamma_regularizer: regularizer of the gains. Defaults to `None`.
        kernel_constraint: constraint on `kernel`. Defaults to `None`.
        recurrent_constraint: constraint on `recurrent_kernel`.
            Defaults to `None`.
        bias_constraint: constraint on `bias`. Defaults to `None`.
        gamma_constraint: constraint on the gains. Defaults to `None`.
        dropout: float in [0, 1), fraction of the input features dropped
            (one mask per sequence, shared by the gates). Defaults to `0.0`.
        recurrent_dropout: float in [0, 1), fraction of the previous state
            dropped before `U` (one mask per sequence, shared by the gates).
            Defaults to `0.0`.
        layer_norm: bool, whether to normalize. `False` gives Keras'
            `GRUCell` and creates no gains. Defaults to `True`.
        layernorm_epsilon: positive float added to the variances.
            Defaults to `1e-3`.
        projected_inputs: bool, whether `call()` receives
            `project_inputs(x_t)` instead of `x_t`, as in `LayerNormGRU`.
            Defaults to `False`.
        seed: int or None, seed of the dropout masks. Defaults to `None`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: a tensor of shape `(batch, features)`, one time step (or
            `(batch, 3 * units)` from `project_inputs()` when
            `projected_inputs=True`).
        states: a list with the previous hidden state `(batch, units)`.
        training: bool, whether dropout is active. Defaults to `False`.

    Returns:
        A tuple `(output, new_states)`: the new hidden state
        `(batch, units)` and a list holding it.

    Example:

    ```python
    rnn = keras.layers.RNN(LayerNormGRUCell(16), return_sequences=True)
    outputs = rnn(np.ones((4, 10, 8)))  # (4, 10, 16)
    ```

    Reference:
        [Ba et al., 2016](https://arxiv.org/abs/1607.06450),
        "Layer Normalization";
        [Cho et al., 2014](https://arxiv.org/abs/1406.1078),
        "Learning Phrase Representations using RNN Encoder-Decoder for
        Statistical Machine Translation".
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        gamma_initializer="ones",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        gamma_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        gamma_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        layer_norm=True,
        layernorm_epsilon=1e-3,
        projected_inputs=False,
        seed=None,
        **kwargs,
    ):
        _check_cell_arguments(units, dropout, recurrent_dropout, layernorm_epsilon)
        super().__init__(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            reset_after=True,
            seed=seed,
            **kwargs,
        )
        # One dropout mask for all gates, also with `recurrent_dropout` (see LayerNormLSTMCell).
        self.dropout_mask_count = None
        self.gamma_initializer = keras.initializers.get(gamma_initializer)
        self.gamma_regularizer = keras.regularizers.get(gamma_regularizer)
        self.gamma_constraint = keras.constraints.get(gamma_constraint)
        self.layer_norm = layer_norm
        self.layernorm_epsilon = layernorm_epsilon
        self.projected_inputs = projected_inputs

    def build(self, input_shape):
        super().build(input_shape)
        self.input_gamma = self.recurrent_gamma = None
        if self.layer_norm:
            self.input_gamma = self._add_gain("input_gamma")
            self.recurrent_gamma = self._add_gain("recurrent_gamma")

    def _add_gain(self, name):
        return self.add_weight(
            shape=(3 * self.units,),
            name=name,
            initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer,
            constraint=self.gamma_constraint,
        )

    def project_inputs(self, inputs):
        """The input-only part of a step, `LN(x W; input_gamma, b_x)` (`x W + b_x` without LayerNorm).

        Takes one step `(batch, features)` or a whole sequence `(batch, time, features)`
        and returns `(..., 3 * units)`: what `call()` takes when `projected_inputs=True`.
        """
        input_bias = None if self.bias is None else self.bias[0]
        projected = ops.matmul(inputs, self.kernel)
        return _normalize(projected, self.input_gamma, input_bias, self.layernorm_epsilon)

    def call(self, inputs, states, training=False):
        h_previous = _previous_state(states)  # (batch, units)
        if not self.projected_inputs:
            if training and self.dropout > 0:
                inputs = inputs * self.get_dropout_mask(inputs)
            inputs = self.project_inputs(inputs)  # (batch, 3 * units)
        h_dropped = h_previous
        if training and self.recurrent_dropout > 0:
            h_dropped = h_previous * self.get_recurrent_dropout_mask(h_previous)
        recurrent_bias = None if self.bias is None else self.bias[1]
        recurrent = ops.matmul(h_dropped, self.recurrent_kernel)  # (batch, 3 * units)
        recurrent = _normalize(recurrent, self.recurrent_gamma, recurrent_bias, self.layernorm_epsilon)
        x_z, x_r, x_g = ops.split(inputs, 3, axis=-1)
        h_z, h_r, h_g = ops.split(recurrent, 3, axis=-1)
        z = self.recurrent_activation(x_z + h_z)
        r = self.recurrent_activation(x_r + h_r)
        candidate = self.activation(x_g + r * h_g)
        h = z * h_previous + (1 - z) * candidate
        return h, _as_states(states, h)

    def get_config(self):
        config = super().get_config()
        del config["reset_after"]  # always True here
        config.update(
            {
                "gamma_initializer": keras.initializers.serialize(self.gamma_initializer),
                "gamma_regularizer": keras.regularizers.serialize(self.gamma_regularizer),
                "gamma_constraint": keras.constraints.serialize(self.gamma_constraint),
                "layer_norm": self.layer_norm,
                "layernorm_epsilon": self.layernorm_epsilon,
                "projected_inputs": self.projected_inputs,
            }
        )
        return config


def _cell_property(name):
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's `{name}`.")


class _ProjectedInputsRNN(keras.layers.RNN):
    """A `keras.layers.RNN` that projects the whole sequence before running its cell.

    The cell must have `project_inputs()` and `projected_inputs=True`. The layer's
    arguments are the cell's plus the RNN ones, so `get_config()` merges the two.
    """

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if training and self.cell.dropout > 0:
            # The mask `RNN.call` drew for this batch, shared by every step: (batch, features).
            dropout_mask = self.cell.get_dropout_mask(sequences[:, 0, :])
            sequences = sequences * ops.expand_dims(dropout_mask, axis=1)
        projected = self.cell.project_inputs(sequences)  # (batch, time, gates * units)
        outputs = self.fused_inner_loop(projected, initial_state, mask, training)
        if outputs is None:
            outputs = super().inner_loop(projected, initial_state, mask, training=training)
        return outputs

    def fused_inner_loop(self, projected, initial_state, mask, training):
        """The recurrence run by a backend kernel, or None where Keras' step loop must run."""
        return None

    units = _cell_property("units")
    activation = _cell_property("activation")
    use_bias = _cell_property("use_bias")
    kernel_initializer = _cell_property("kernel_initializer")
    recurrent_initializer = _cell_property("recurrent_initializer")
    bias_initializer = _cell_property("bias_initializer")
    gamma_initializer = _cell_property("gamma_initializer")
    kernel_regularizer = _cell_property("kernel_regularizer")
    recurrent_regularizer = _cell_property("recurrent_regularizer")
    bias_regularizer = _cell_property("bias_regularizer")
    gamma_regularizer = _cell_property("gamma_regularizer")
    kernel_constraint = _cell_property("kernel_constraint")
    recurrent_constraint = _cell_property("recurrent_constraint")
    bias_constraint = _cell_property("bias_constraint")
    gamma_constraint = _cell_property("gamma_constraint")
    dropout = _cell_property("dropout")
    recurrent_dropout = _cell_property("recurrent_dropout")
    layer_norm = _cell_property("layer_norm")
    layernorm_epsilon = _cell_property("layernorm_epsilon")
    seed = _cell_property("seed")

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype", "projected_inputs"):
            cell_config.pop(key, None)
        return {**config, **cell_config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="kerasrnn")
class LayerNormSimpleRNN(_ProjectedInputsRNN):
    """Fully-connected RNN with layer normalization (Ba et al., 2016).

    Runs `LayerNormSimpleRNNCell` over a sequence:

    `h_t = activation(LN(x_t W + h_{t-1} U; gamma, b))`.

    `x W` is computed for all time steps in one matmul before the
    recurrence, so a step only computes `h U`, the normalization and the
    activation. With `layer_norm=False` it is `keras.layers.SimpleRNN`. It
    supports what `SimpleRNN` does: masking, `go_backwards`, `stateful`,
    `keras.layers.Bidirectional` and stacking.

    Args:
        units: int, size of the hidden state.
        activation: activation of the hidden state. Defaults to `"tanh"`.
        use_bias: bool, whether the layer has the bias (the shift after the
            normalization). Defaults to `True`.
        kernel_initializer: initializer of `kernel`. Defaults to
            `"glorot_uniform"`.
        recurrent_initializer: initializer of `recurrent_kernel`. Defaults to
            `"orthogonal"`.
        bias_initializer: initializer of `bias`. Defaults to `"zeros"`.
        gamma_initializer: initializer of `gamma`. Defaults to `"ones"`.
        kernel_regularizer: regularizer of `kernel`. Defaults to `None`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
            Defaults to `None`.
        bias_regularizer: regularizer of `bias`. Defaults to `None`.
        gamma_regularizer: regularizer of `gamma`. Defaults to `None`.
        activity_regularizer: regularizer of the layer's output.
            Defaults to `None`.
        kernel_constraint: constraint on `kernel`. Defaults to `None`.
        recurrent_constraint: constraint on `recurrent_kernel`.
            Defaults to `None`.
        bias_constraint: constraint on `bias`. Defaults to `None`.
        gamma_constraint: constraint on `gamma`. Defaults to `None`.
        dropout: float in [0, 1), fraction of the input features dropped
            (one mask per sequence). Defaults to `0.0`.
        recurrent_dropout: float in [0, 1), fraction of the previous state
            dropped before `U` (one mask per sequence). Defaults to `0.0`.
        layer_norm: bool, whether to normalize. Defaults to `True`.
        layernorm_epsilon: positive float added to the variance.
            Defaults to `1e-3`.
        return_sequences: bool, whether to return the whole output sequence
            rather than the last output. Defaults to `False`.
        return_state: bool, whether to also return the last state.
            Defaults to `False`.
        go_backwards: bool, whether to read the sequence backwards (and
            return the outputs reversed). Defaults to `False`.
        stateful: bool, whether each batch starts from the last state of the
            previous one (needs a fixed batch size). Defaults to `False`.
        unroll: bool, whether to unroll the loop (short sequences only).
            Defaults to `False`.
        seed: int or None, seed of the dropout masks. Defaults to `None`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        sequences: a tensor of shape `(batch, time, features)`.
        initial_state: optional list with the initial hidden state
            `(batch, units)`. Defaults to zeros.
        mask: optional boolean tensor `(batch, time)`, `False` for the steps
            to skip (padding). Set by `Embedding(mask_zero=True)`.
        training: bool, whether dropout is active.

    Returns:
        The last output `(batch, units)`, or the outputs
        `(batch, time, units)` with `return_sequences=True`; with
        `return_state=True`, a list of that and the last state.

    Example:

    ```python
    rnn = LayerNormSimpleRNN(16, return_sequences=True, return_state=True)
    outputs, state = rnn(np.ones((4, 10, 8)))  # (4, 10, 16), (4, 16)
    ```

    Reference:
        [Ba et al., 2016](https://arxiv.org/abs/1607.06450),
        "Layer Normalization".
    """

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        gamma_initializer="ones",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        gamma_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        gamma_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        layer_norm=True,
        layernorm_epsilon=1e-3,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        seed=None,
        **kwargs,
    ):
        cell = LayerNormSimpleRNNCell(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            gamma_initializer=gamma_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            gamma_regularizer=gamma_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            gamma_constraint=gamma_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            layer_norm=layer_norm,
            layernorm_epsilon=layernorm_epsilon,
            projected_inputs=True,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="layer_norm_simple_rnn_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = keras.InputSpec(ndim=3)

    def fused_inner_loop(self, projected, initial_state, mask, training):
        """A recurrence with a hand-written backward pass, on JAX and torch.

        JAX: a `lax.scan` (`kerasrnn.backend.jax_fused_rnn`); torch: a loop of
        fused ops per step (`kerasrnn.backend.torch_fused_rnn`). Runs for the
        `tanh` activation without a mask, unrolling or recurrent dropout in
        training; the same numbers as the cell's step loop (see
        `kerasrnn.layers.fused_rnn.fused_kernel`). (On TensorFlow an
        XLA-compiled version trained no faster than the cell's loop.)
        """
        cell = self.cell
        kernel_fn = fused_kernel(self, "layer_norm_simple_rnn", training) if cell.activation in _TANH else None
        if kernel_fn is None:
            return None
        state = initial_state[0] if isinstance(initial_state, (list, tuple)) else initial_state
        try:
            return kernel_fn(
                projected,
                ops.copy(state) if self.stateful else state,
                cell.recurrent_kernel,
                cell.gamma,
                cell.bias if cell.layer_norm else None,
                cell.layernorm_epsilon,
                mask=mask,
                go_backwards=self.go_backwards,
                return_sequences=self.return_sequences,
            )
        except NotImplementedError:
            return None


@keras.saving.register_keras_serializable(package="kerasrnn")
class LayerNormLSTM(_ProjectedInputsRNN):
    """LSTM with layer normalization (Ba et al., 2016).

    Runs `LayerNormLSTMCell` over a sequence:

    `[i, f, g, o] = LN(x_t W; input_gamma, b) + LN(h_{t-1} U; recurrent_gamma)`,
    `c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)`,
    `h_t = sigmoid(o) * tanh(LN(c_t; cell_gamma, cell_beta))`.

    `LN(x W)` is computed for all time steps at once before the recurrence,
    so a step only computes `h U`, two normalizations and the gates. With
    `layer_norm=False` it is `keras.layers.LSTM`. It supports masking,
    `go_backwards`, `stateful`, `keras.layers.Bidirectional` and stacking.

    Args:
        units: int, size of the hidden and cell states.
        activation: activation of the candidate and of the output.
            Defaults to `"tanh"`.
        recurrent_activation: activation of the gates. Defaults to
            `"sigmoid"`.
        use_bias: bool, whether the layer has the bias. Defaults to `True`.
        kernel_initializer: initializer of `kernel`. Defaults to
            `"glorot_uniform"`.
        recurrent_initializer: initializer of `recurrent_kernel`. Defaults to
            `"orthogonal"`.
        bias_initializer: initializer of `bias`. Defaults to `"zeros"`.
        unit_forget_bias: bool, whether the forget gate's bias starts at one.
            Defaults to `True`.
        gamma_initializer: initializer of the gains. Defaults to `"ones"`.
        beta_initializer: initializer of `cell_beta`. Defaults to `"zeros"`.
        kernel_regularizer: regularizer of `kernel`. Defaults to `None`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
            Defaults to `None`.
        bias_regularizer: regularizer of `bias`. Defaults to `None`.
        gamma_regularizer: regularizer of the gains. Defaults to `None`.
        beta_regularizer: regularizer of `cell_beta`. Defaults to `None`.
        activity_regularizer: regularizer of the layer's output.
            Defaults to `None`.
        kernel_constraint: constraint on `kernel`. Defaults to `None`.
        recurrent_constraint: constraint on `recurrent_kernel`.
            Defaults to `None`.
        bias_constraint: constraint on `bias`. Defaults to `None`.
        gamma_constraint: constraint on the gains. Defaults to `None`.
        beta_constraint: constraint on `cell_beta`. Defaults to `None`.
        dropout: float in [0, 1), fraction of the input features dropped
            (one mask per sequence). Defaults to `0.0`.
        recurrent_dropout: float in [0, 1), fraction of the previous hidden
            state dropped before `U` (one mask per sequence).
            Defaults to `0.0`.
        layer_norm: bool, whether to normalize. Defaults to `True`.
        layernorm_epsilon: positive float added to the variances.
            Defaults to `1e-3`.
        return_sequences: bool, whether to return the whole output sequence
            rather than the last output. Defaults to `False`.
        return_state: bool, whether to also return the last states `h`, `c`.
            Defaults to `False`.
        go_backwards: bool, whether to read the sequence backwards (and
            return the outputs reversed). Defaults to `False`.
        stateful: bool, whether each batch starts from the last states of the
            previous one (needs a fixed batch size). Defaults to `False`.
        unroll: bool, whether to unroll the loop (short sequences only).
            Defaults to `False`.
        seed: int or None, seed of the dropout masks. Defaults to `None`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        sequences: a tensor of shape `(batch, time, features)`.
        initial_state: optional list `[h, c]` of initial states, each
            `(batch, units)`. Defaults to zeros.
        mask: optional boolean tensor `(batch, time)`, `False` for the steps
            to skip (padding). Set by `Embedding(mask_zero=True)`.
        training: bool, whether dropout is active.

    Returns:
        The last output `(batch, units)`, or the outputs
        `(batch, time, units)` with `return_sequences=True`; with
        `return_state=True`, a list of that and the last states `h`, `c`.

    Example:

    ```python
    lstm = LayerNormLSTM(16, return_sequences=True, return_state=True)
    outputs, h, c = lstm(np.ones((4, 10, 8)))  # (4, 10, 16), (4, 16), (4, 16)
    ```

    Reference:
        [Ba et al., 2016](https://arxiv.org/abs/1607.06450),
        "Layer Normalization", supplementary material (LN-LSTM).
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        gamma_initializer="ones",
        beta_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        gamma_regularizer=None,
        beta_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        gamma_constraint=None,
        beta_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        layer_norm=True,
        layernorm_epsilon=1e-3,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        seed=None,
        **kwargs,
    ):
        cell = LayerNormLSTMCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            gamma_initializer=gamma_initializer,
            beta_initializer=beta_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            gamma_regularizer=gamma_regularizer,
            beta_regularizer=beta_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            gamma_constraint=gamma_constraint,
            beta_constraint=beta_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            layer_norm=layer_norm,
            layernorm_epsilon=layernorm_epsilon,
            projected_inputs=True,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="layer_norm_lstm_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = keras.InputSpec(ndim=3)

    recurrent_activation = _cell_property("recurrent_activation")
    unit_forget_bias = _cell_property("unit_forget_bias")
    beta_initializer = _cell_property("beta_initializer")
    beta_regularizer = _cell_property("beta_regularizer")
    beta_constraint = _cell_property("beta_constraint")


@keras.saving.register_keras_serializable(package="kerasrnn")
class LayerNormGRU(_ProjectedInputsRNN):
    """GRU with layer normalization, reset gate after the recurrent matmul.

    Runs `LayerNormGRUCell` over a sequence:

    `[zx, rx, gx] = LN(x_t W; input_gamma, b_x)`,
    `[zh, rh, gh] = LN(h_{t-1} U; recurrent_gamma, b_h)`,
    `z = sigmoid(zx + zh)`, `r = sigmoid(rx + rh)`,
    `h_t = z * h_{t-1} + (1 - z) * tanh(gx + r * gh)`.

    `LN(x W)` is computed for all time steps at once before the recurrence,
    so a step only computes `h U`, one normalization and the gates. With
    `layer_norm=False` it is `keras.layers.GRU` (whose default is
    `reset_after=True`). It supports masking, `go_backwards`, `stateful`,
    `keras.layers.Bidirectional` and stacking.

    Args:
        units: int, size of the hidden state.
        activation: activation of the candidate state. Defaults to `"tanh"`.
        recurrent_activation: activation of the update and reset gates.
            Defaults to `"sigmoid"`.
        use_bias: bool, whether the layer has the biases. Defaults to `True`.
        kernel_initializer: initializer of `kernel`. Defaults to
            `"glorot_uniform"`.
        recurrent_initializer: initializer of `recurrent_kernel`. Defaults to
            `"orthogonal"`.
        bias_initializer: initializer of `bias`. Defaults to `"zeros"`.
        gamma_initializer: initializer of the gains. Defaults to `"ones"`.
        kernel_regularizer: regularizer of `kernel`. Defaults to `None`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
            Defaults to `None`.
        bias_regularizer: regularizer of `bias`. Defaults to `None`.
        gamma_regularizer: regularizer of the gains. Defaults to `None`.
        activity_regularizer: regularizer of the layer's output.
            Defaults to `None`.
        kernel_constraint: constraint on `kernel`. Defaults to `None`.
        recurrent_constraint: constraint on `recurrent_kernel`.
            Defaults to `None`.
        bias_constraint: constraint on `bias`. Defaults to `None`.
        gamma_constraint: constraint on the gains. Defaults to `None`.
        dropout: float in [0, 1), fraction of the input features dropped
            (one mask per sequence). Defaults to `0.0`.
        recurrent_dropout: float in [0, 1), fraction of the previous state
            dropped before `U` (one mask per sequence). Defaults to `0.0`.
        layer_norm: bool, whether to normalize. Defaults to `True`.
        layernorm_epsilon: positive float added to the variances.
            Defaults to `1e-3`.
        return_sequences: bool, whether to return the whole output sequence
            rather than the last output. Defaults to `False`.
        return_state: bool, whether to also return the last state.
            Defaults to `False`.
        go_backwards: bool, whether to read the sequence backwards (and
            return the outputs reversed). Defaults to `False`.
        stateful: bool, whether each batch starts from the last state of the
            previous one (needs a fixed batch size). Defaults to `False`.
        unroll: bool, whether to unroll the loop (short sequences only).
            Defaults to `False`.
        seed: int or None, seed of the dropout masks. Defaults to `None`.
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        sequences: a tensor of shape `(batch, time, features)`.
        initial_state: optional list with the initial hidden state
            `(batch, units)`. Defaults to zeros.
        mask: optional boolean tensor `(batch, time)`, `False` for the steps
            to skip (padding). Set by `Embedding(mask_zero=True)`.
        training: bool, whether dropout is active.

    Returns:
        The last output `(batch, units)`, or the outputs
        `(batch, time, units)` with `return_sequences=True`; with
        `return_state=True`, a list of that and the last state.

    Example:

    ```python
    gru = LayerNormGRU(16, return_sequences=True, return_state=True)
    outputs, state = gru(np.ones((4, 10, 8)))  # (4, 10, 16), (4, 16)
    ```

    Reference:
        [Ba et al., 2016](https://arxiv.org/abs/1607.06450),
        "Layer Normalization";
        [Cho et al., 2014](https://arxiv.org/abs/1406.1078),
        "Learning Phrase Representations using RNN Encoder-Decoder for
        Statistical Machine Translation".
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        gamma_initializer="ones",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        gamma_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        gamma_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        layer_norm=True,
        layernorm_epsilon=1e-3,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        seed=None,
        **kwargs,
    ):
        cell = LayerNormGRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            gamma_initializer=gamma_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            gamma_regularizer=gamma_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            gamma_constraint=gamma_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            layer_norm=layer_norm,
            layernorm_epsilon=layernorm_epsilon,
            projected_inputs=True,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="layer_norm_gru_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = keras.InputSpec(ndim=3)

    recurrent_activation = _cell_property("recurrent_activation")

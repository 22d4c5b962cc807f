"""`LayerNormLSTMCell` and `LayerNormLSTM`: Ba et al.'s LN-LSTM.

The input and recurrent projections are normalized separately,
`LN(x_t W; input_gamma, b) + LN(h_{t-1} U; recurrent_gamma)`, and the new
cell state before the output activation,
`h_t = o * act(LN(c_t; cell_gamma, cell_beta))`; `c_t` is carried
un-normalized. With `layer_norm=False` it is Keras' `LSTMCell` / `LSTM`. What
the LayerNorm cells share is in `kerasrnn.layers.layer_norm_base`.
"""

import keras
from keras import ops

from kerasrnn.layers.layer_norm_base import ProjectedInputsRNN
from kerasrnn.layers.layer_norm_base import cell_property
from kerasrnn.layers.layer_norm_base import check_cell_arguments
from kerasrnn.layers.layer_norm_base import normalize


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
        check_cell_arguments(units, dropout, recurrent_dropout, layernorm_epsilon)
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
        return normalize(projected, self.input_gamma, self.bias, self.layernorm_epsilon)

    def call(self, inputs, states, training=False):
        h_previous, c_previous = states  # (batch, units) each
        if not self.projected_inputs:
            if training and self.dropout > 0:
                inputs = inputs * self.get_dropout_mask(inputs)
            inputs = self.project_inputs(inputs)  # (batch, 4 * units)
        if training and self.recurrent_dropout > 0:
            h_previous = h_previous * self.get_recurrent_dropout_mask(h_previous)
        recurrent = ops.matmul(h_previous, self.recurrent_kernel)  # (batch, 4 * units)
        z = inputs + normalize(recurrent, self.recurrent_gamma, None, self.layernorm_epsilon)
        z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_previous + i * self.activation(z_g)
        c_normalized = normalize(c, self.cell_gamma, self.cell_beta, self.layernorm_epsilon)
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
class LayerNormLSTM(ProjectedInputsRNN):
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

    recurrent_activation = cell_property("recurrent_activation")
    unit_forget_bias = cell_property("unit_forget_bias")
    beta_initializer = cell_property("beta_initializer")
    beta_regularizer = cell_property("beta_regularizer")
    beta_constraint = cell_property("beta_constraint")

"""`LayerNormGRUCell` and `LayerNormGRU`: a GRU with layer normalization.

The input and recurrent projections are normalized separately,
`LN(x_t W; input_gamma, b_x)` and `LN(h_{t-1} U; recurrent_gamma, b_h)`; the
reset gate multiplies the normalized recurrent candidate (Keras'
`reset_after=True`). With `layer_norm=False` it is Keras' `GRUCell` / `GRU`.
What the LayerNorm cells share is in `kerasrnn.layers.layer_norm_base`.
"""

import keras
from keras import ops

from kerasrnn.layers.layer_norm_base import ProjectedInputsRNN
from kerasrnn.layers.layer_norm_base import as_states
from kerasrnn.layers.layer_norm_base import cell_property
from kerasrnn.layers.layer_norm_base import check_cell_arguments
from kerasrnn.layers.layer_norm_base import normalize
from kerasrnn.layers.layer_norm_base import previous_state


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
        check_cell_arguments(units, dropout, recurrent_dropout, layernorm_epsilon)
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
        return normalize(projected, self.input_gamma, input_bias, self.layernorm_epsilon)

    def call(self, inputs, states, training=False):
        h_previous = previous_state(states)  # (batch, units)
        if not self.projected_inputs:
            if training and self.dropout > 0:
                inputs = inputs * self.get_dropout_mask(inputs)
            inputs = self.project_inputs(inputs)  # (batch, 3 * units)
        h_dropped = h_previous
        if training and self.recurrent_dropout > 0:
            h_dropped = h_previous * self.get_recurrent_dropout_mask(h_previous)
        recurrent_bias = None if self.bias is None else self.bias[1]
        recurrent = ops.matmul(h_dropped, self.recurrent_kernel)  # (batch, 3 * units)
        recurrent = normalize(recurrent, self.recurrent_gamma, recurrent_bias, self.layernorm_epsilon)
        x_z, x_r, x_g = ops.split(inputs, 3, axis=-1)
        h_z, h_r, h_g = ops.split(recurrent, 3, axis=-1)
        z = self.recurrent_activation(x_z + h_z)
        r = self.recurrent_activation(x_r + h_r)
        candidate = self.activation(x_g + r * h_g)
        h = z * h_previous + (1 - z) * candidate
        return h, as_states(states, h)

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


@keras.saving.register_keras_serializable(package="kerasrnn")
class LayerNormGRU(ProjectedInputsRNN):
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

    recurrent_activation = cell_property("recurrent_activation")

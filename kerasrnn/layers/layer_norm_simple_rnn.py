"""`LayerNormSimpleRNNCell` and `LayerNormSimpleRNN`: a fully-connected RNN with layer normalization.

The summed pre-activation is normalized (`W` is `kernel`, `U` is
`recurrent_kernel`, `b` is `bias`, which serves as the shift of the
normalization): `h_t = act(LN(x_t W + h_{t-1} U; gamma, b))`. With
`layer_norm=False` it is Keras' `SimpleRNNCell` / `SimpleRNN`. On JAX and
torch the layer runs a fused recurrence with a hand-written backward pass
where it applies. What the LayerNorm cells share is in
`kerasrnn.layers.layer_norm_base`.
"""

import keras
from keras import ops

from kerasrnn.layers.fused_rnn import _TANH
from kerasrnn.layers.fused_rnn import fused_kernel
from kerasrnn.layers.layer_norm_base import ProjectedInputsRNN
from kerasrnn.layers.layer_norm_base import as_states
from kerasrnn.layers.layer_norm_base import check_cell_arguments
from kerasrnn.layers.layer_norm_base import previous_state


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
        check_cell_arguments(units, dropout, recurrent_dropout, layernorm_epsilon)
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
        h_previous = previous_state(states)  # (batch, units)
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
        return h, as_states(states, h)

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
class LayerNormSimpleRNN(ProjectedInputsRNN):
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

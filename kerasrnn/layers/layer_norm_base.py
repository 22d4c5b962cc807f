"""What the LayerNorm recurrent cells and layers share: the normalization, the argument checks, the layer base.

Layer normalization (Ba et al., 2016) rescales a vector of pre-activations to
zero mean and unit variance over its features, then applies a learned gain and
shift:

`LN(a; gamma, beta) = gamma * (a - mean(a)) / sqrt(var(a) + epsilon) + beta`.

The cells (`LayerNormSimpleRNNCell`, `LayerNormLSTMCell`, `LayerNormGRUCell`,
one file each with the layer that wraps it) subclass Keras' own
`SimpleRNNCell`, `LSTMCell` and `GRUCell`, so they keep Keras' arguments,
weight shapes, gate order and dropout masks (one mask per sequence, reused at
every step). With `layer_norm=False` every cell computes exactly what the
Keras cell of the same kind computes, with the same weights.

The layers subclass `ProjectedInputsRNN`: it projects the whole input
sequence before the recurrence, so `x W` (with its normalization, for the
LSTM and GRU) is one matmul over `(batch, time, features)` and a step only
computes `h U`, one or two normalizations and the gates. Their cells run with
`projected_inputs=True`; a cell built with the default
`projected_inputs=False` projects each step's input itself, so it also works
inside `keras.layers.RNN` or stacked with `keras.layers.StackedRNNCells`.
"""

import keras
from keras import ops

from kerasrnn.utils.validation import check_fraction
from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_positive_number


def check_cell_arguments(units, dropout, recurrent_dropout, layernorm_epsilon):
    """The arguments every LayerNorm cell checks; a `ValueError` naming the first bad one."""
    check_positive_int(units, "units")
    check_fraction(dropout, "dropout", low_open=False, high_open=True)
    check_fraction(recurrent_dropout, "recurrent_dropout", low_open=False, high_open=True)
    check_positive_number(layernorm_epsilon, "layernorm_epsilon")


def normalize(x, gamma, beta, epsilon):
    """`LN(x; gamma, beta)` over the last axis; just `x + beta` when `gamma` is None (no LayerNorm)."""
    if gamma is not None:
        return ops.layer_normalization(x, gamma, beta, epsilon=epsilon)
    if beta is not None:
        return x + beta
    return x


def previous_state(states):
    """The hidden state `(batch, units)` of a cell's `states` (a list, or the tensor itself)."""
    return states[0] if isinstance(states, (list, tuple)) else states


def as_states(states, new_state):
    """`new_state` in the form `states` came in: a one-element list, or the tensor itself."""
    return [new_state] if isinstance(states, (list, tuple)) else new_state


def cell_property(name):
    """A read-only property of the layer that returns its cell's attribute `name`."""
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's `{name}`.")


class ProjectedInputsRNN(keras.layers.RNN):
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

    units = cell_property("units")
    activation = cell_property("activation")
    use_bias = cell_property("use_bias")
    kernel_initializer = cell_property("kernel_initializer")
    recurrent_initializer = cell_property("recurrent_initializer")
    bias_initializer = cell_property("bias_initializer")
    gamma_initializer = cell_property("gamma_initializer")
    kernel_regularizer = cell_property("kernel_regularizer")
    recurrent_regularizer = cell_property("recurrent_regularizer")
    bias_regularizer = cell_property("bias_regularizer")
    gamma_regularizer = cell_property("gamma_regularizer")
    kernel_constraint = cell_property("kernel_constraint")
    recurrent_constraint = cell_property("recurrent_constraint")
    bias_constraint = cell_property("bias_constraint")
    gamma_constraint = cell_property("gamma_constraint")
    dropout = cell_property("dropout")
    recurrent_dropout = cell_property("recurrent_dropout")
    layer_norm = cell_property("layer_norm")
    layernorm_epsilon = cell_property("layernorm_epsilon")
    seed = cell_property("seed")

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

"""TensorFlow: the LSTM and GRU recurrences compiled by XLA, with hand-written backward passes.

Keras' layers run a `tf.while_loop` through TensorFlow's graph executor,
which costs a few microseconds per op and step, and differentiate it op by op
(stacks of every intermediate, one small product per step for the recurrent
kernel's gradient). Here, as in `kerasrnn.backend.jax_fused_rnn`, the forward
loop saves only what the backward pass needs, the backward loop only carries
the gradient back in time, the recurrent kernel's gradient is one product over
all steps, and both loops are compiled by XLA (`jit_compile=True`), so a step
is a handful of fused kernels. Imported only when the TensorFlow backend is
active.

There is no SimpleRNN here: compiled the same way, a SimpleRNN language
model trained slower than with Keras' loop (129k vs 139k tokens/s), and a
LayerNormSimpleRNN no faster than with its cell's loop (116k vs 115k).

The layers call these functions in training only (`FOR_INFERENCE = False`):
at inference Keras' loop runs, so a model exported as a SavedModel for
serving holds no XLA-compiled function, which a server built without XLA
could not run.
"""

import keras
import tensorflow as tf

# Whether the layers use these recurrences outside training (see above).
FOR_INFERENCE = False


def _shifted(initial, stacked):
    """`[initial, stacked[0], ..., stacked[-2]]`: each step's previous value, `(time, ...)`."""
    return tf.concat([initial[None], stacked[:-1]], axis=0)


def _kernel_gradient(previous_states, step_gradients):
    """`sum_t h_{t-1}^T dz_t` as one product: `(time, batch, units), (time, batch, n) -> (units, n)`."""
    units, n = tf.shape(previous_states)[-1], tf.shape(step_gradients)[-1]
    return tf.matmul(tf.reshape(previous_states, [-1, units]), tf.reshape(step_gradients, [-1, n]), transpose_a=True)


# LSTM (Keras' gate order i, f, c, o; sigmoid gates, tanh activations).


@tf.custom_gradient
def _lstm(projected, initial_h, initial_c, recurrent_kernel):
    def step(carry, x):
        h, c, _ = carry
        i, f, g, o = tf.split(x + tf.matmul(h, recurrent_kernel), 4, axis=-1)
        i, f, g, o = tf.sigmoid(i), tf.sigmoid(f), tf.tanh(g), tf.sigmoid(o)
        c = f * c + i * g
        return o * tf.tanh(c), c, tf.concat([i, f, g, o], axis=-1)

    empty_gates = tf.zeros_like(projected[0])
    outputs, cells, gates = tf.scan(step, projected, initializer=(initial_h, initial_c, empty_gates))

    def backward(d_outputs, d_last_c):
        def back_step(carry, inputs):
            dh, dc, _ = carry
            dh_out, c, c_previous, gate = inputs
            i, f, g, o = tf.split(gate, 4, axis=-1)
            dh = dh + dh_out
            tanh_c = tf.tanh(c)
            dc = dc + dh * o * (1.0 - tanh_c * tanh_c)
            dz = tf.concat(
                [dc * g * i * (1.0 - i), dc * c_previous * f * (1.0 - f), dc * i * (1.0 - g * g),
                 dh * tanh_c * o * (1.0 - o)],
                axis=-1,
            )
            return tf.matmul(dz, recurrent_kernel, transpose_b=True), dc * f, dz

        inputs = (d_outputs, cells, _shifted(initial_c, cells), gates)
        initializer = (tf.zeros_like(initial_h), d_last_c, empty_gates)
        dh, dc, dz = tf.scan(back_step, inputs, initializer=initializer, reverse=True)
        return dz, dh[0], dc[0], _kernel_gradient(_shifted(initial_h, outputs), dz)

    return (outputs, cells[-1]), backward


# GRU, Keras' `reset_after=True` (gate order z, r, h).


@tf.custom_gradient
def _gru(projected, initial_state, recurrent_kernel, recurrent_bias):
    def step(carry, x):
        h, _ = carry
        inner = tf.matmul(h, recurrent_kernel) + recurrent_bias
        x_z, x_r, x_h = tf.split(x, 3, axis=-1)
        inner_z, inner_r, recurrent_h = tf.split(inner, 3, axis=-1)
        z, r = tf.sigmoid(x_z + inner_z), tf.sigmoid(x_r + inner_r)
        candidate = tf.tanh(x_h + r * recurrent_h)
        return z * h + (1.0 - z) * candidate, tf.concat([z, r, candidate, recurrent_h], axis=-1)

    empty = tf.zeros_like(tf.concat([initial_state] * 4, axis=-1))
    outputs, saved = tf.scan(step, projected, initializer=(initial_state, empty))

    def backward(d_outputs):
        previous = _shifted(initial_state, outputs)

        def back_step(carry, inputs):
            dh_next, _, _ = carry
            dh_out, h_previous, gates = inputs
            z, r, candidate, recurrent_h = tf.split(gates, 4, axis=-1)
            dh = dh_out + dh_next
            d_candidate = dh * (1.0 - z) * (1.0 - candidate * candidate)
            dz = dh * (h_previous - candidate) * z * (1.0 - z)
            dr = d_candidate * recurrent_h * r * (1.0 - r)
            d_inner = tf.concat([dz, dr, d_candidate * r], axis=-1)
            d_projected = tf.concat([dz, dr, d_candidate], axis=-1)
            return dh * z + tf.matmul(d_inner, recurrent_kernel, transpose_b=True), d_projected, d_inner

        zeros = tf.zeros_like(projected[0])
        initializer = (tf.zeros_like(initial_state), zeros, zeros)
        elements = (d_outputs, previous, saved)
        d_h, d_projected, d_inner = tf.scan(back_step, elements, initializer=initializer, reverse=True)
        return d_projected, d_h[0], _kernel_gradient(previous, d_inner), tf.reduce_sum(d_inner, axis=[0, 1])

    return outputs, backward


# The recurrences as XLA-compiled functions (traced and compiled on first call, per input shape).
_compiled_lstm = tf.function(_lstm, jit_compile=True, reduce_retracing=True)
_compiled_gru = tf.function(_gru, jit_compile=True, reduce_retracing=True)


# Keras `RNN.inner_loop` interface (same as `kerasrnn.backend.torch_fused_rnn`).


def _arrays(*tensors):
    """Keras variables (and anything array-like) -> tensors (a variable's read, so gradients reach it)."""
    return [None if tensor is None else tf.convert_to_tensor(tensor) for tensor in tensors]


def _check_supported(mask, *tensors):
    if mask is not None:
        raise NotImplementedError("the TensorFlow fused recurrences take no mask")
    dtypes = {keras.backend.standardize_dtype(tensor.dtype) for tensor in tensors if tensor is not None}
    if len(dtypes) != 1 or dtypes.pop() not in ("float32", "float64"):
        raise NotImplementedError("the TensorFlow fused recurrences need float32 or float64 inputs and weights")


def _time_major(sequences, go_backwards):
    sequences = tf.transpose(sequences, [1, 0, 2])
    return sequences[::-1] if go_backwards else sequences


def _keras_outputs(outputs, states, return_sequences):
    last_output = outputs[-1]
    outputs = tf.transpose(outputs, [1, 0, 2]) if return_sequences else last_output[:, None, :]
    return last_output, outputs, states


def _project(inputs, kernel, bias, go_backwards):
    projected = tf.einsum("tbf,fg->tbg", _time_major(inputs, go_backwards), kernel)
    return projected if bias is None else projected + bias


def fused_lstm(inputs, initial_state_h, initial_state_c, kernel, recurrent_kernel, bias, *, mask=None,
               go_backwards=False, return_sequences=True, zero_output_for_mask=False):
    """Keras' LSTM recurrence (tanh, sigmoid gates); arguments and returns as `torch_fused_rnn.fused_lstm`."""
    del zero_output_for_mask
    inputs, initial_state_h, initial_state_c, kernel, recurrent_kernel, bias = _arrays(
        inputs, initial_state_h, initial_state_c, kernel, recurrent_kernel, bias
    )
    _check_supported(mask, inputs, kernel, recurrent_kernel, bias, initial_state_h, initial_state_c)
    projected = _project(inputs, kernel, bias, go_backwards)
    outputs, last_c = _compiled_lstm(projected, initial_state_h, initial_state_c, recurrent_kernel)
    return _keras_outputs(outputs, [outputs[-1], last_c], return_sequences)


def fused_gru(inputs, initial_state, kernel, recurrent_kernel, bias, *, mask=None, go_backwards=False,
              return_sequences=True, zero_output_for_mask=False):
    """Keras' GRU recurrence, `reset_after=True`; arguments and returns as `torch_fused_rnn.fused_gru`."""
    del zero_output_for_mask
    inputs, initial_state, kernel, recurrent_kernel, bias = _arrays(inputs, initial_state, kernel, recurrent_kernel, bias)
    _check_supported(mask, inputs, kernel, recurrent_kernel, bias, initial_state)
    projected = _project(inputs, kernel, None if bias is None else bias[0], go_backwards)
    recurrent_bias = tf.zeros_like(recurrent_kernel[0]) if bias is None else bias[1]
    outputs = _compiled_gru(projected, initial_state, recurrent_kernel, recurrent_bias)
    return _keras_outputs(outputs, [outputs[-1]], return_sequences)

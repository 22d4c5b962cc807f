"""Keras' LSTM, GRU and SimpleRNN that run PyTorch's fused recurrent kernels on the torch backend.

On TensorFlow and JAX, Keras' own LSTM and GRU already hand the whole
recurrence to a backend kernel when they can (cuDNN on GPU); on PyTorch they
do so only on CUDA, and on CPU step through time in Python. These layers are
`keras.layers.LSTM`, `GRU` and `SimpleRNN` with one change: on the torch
backend, on any device, `inner_loop` calls `torch._VF.lstm` / `gru` /
`rnn_tanh` / `rnn_relu` (the kernels behind `torch.nn.LSTM`, `GRU`, `RNN`)
whenever that computes exactly what Keras' step loop computes:

- the default activations (`tanh` and a `sigmoid` gate; `tanh` or `relu` for SimpleRNN),
- `reset_after=True` for the GRU (PyTorch's GRU formula; Keras' default),
- `unroll=False`, `use_cudnn` "auto" or True (LSTM, GRU),
- no recurrent dropout while training (input `dropout` is fine: one mask per
  sequence, as Keras applies it),
- no mask, or a right-padded one (`[True, True, False]`) with no empty sequence,
- float32 or float64 weights (and float16 / bfloat16 on CUDA).

Anything else runs Keras' own `inner_loop`, so results never depend on which
path ran. Everything else is Keras': arguments, `get_config()`, weights (names,
shapes, gate order), so a model can swap `keras.layers.LSTM` for
`kerasrnn.layers.LSTM` and keep its weights, and `.weights.h5` files load
either way. On TensorFlow and JAX these layers are exactly Keras' layers.

Example:

```python
layer = LSTM(64, return_sequences=True)
outputs = layer(keras.random.normal((8, 20, 16)))  # (8, 20, 64)
```
"""

import importlib

import keras
from keras import ops

_TANH = (keras.activations.tanh, ops.tanh)
_SIGMOID = (keras.activations.sigmoid, ops.sigmoid)
_RELU = (keras.activations.relu, ops.relu)


def _fused_kernels():
    """The torch fast-path module, or None on other backends (imported only on torch)."""
    if keras.backend.backend() != "torch":
        return None
    return importlib.import_module("kerasrnn.backend.torch_fused_rnn")


def _can_fuse(layer, training):
    """The layer-level conditions (the kernels check the tensors: mask, dtype)."""
    cell = layer.cell
    if layer.unroll or getattr(layer, "use_cudnn", "auto") not in ("auto", True):
        return False
    if training and cell.recurrent_dropout:
        return False
    # Implementation 1 with dropout draws one input mask per gate: only the generic loop follows it.
    return not (training and cell.dropout and getattr(cell, "implementation", 2) == 1)


def _fused_inner_loop(layer, kernel_name, sequences, initial_state, mask, training, **options):
    """The outputs of the named torch kernel, or None where the generic loop must run.

    Applies Keras' per-sequence input dropout (one mask per sequence, as Keras
    does), takes the first mask, and copies the states of a stateful layer
    (Keras assigns them in place after the call; autograd keeps the initial
    ones). `options` are extra kernel arguments (SimpleRNN: `activation`).
    """
    kernels = _fused_kernels()
    if kernels is None or not _can_fuse(layer, training):
        return None
    cell = layer.cell
    if training and cell.dropout:
        dropout_mask = cell.get_dropout_mask(sequences[:, 0, :])  # (batch, features)
        sequences = sequences * ops.expand_dims(dropout_mask, axis=1)
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
    states = [ops.copy(state) for state in initial_state] if layer.stateful else list(initial_state)
    try:
        return getattr(kernels, kernel_name)(
            sequences,
            *states,
            cell.kernel,
            cell.recurrent_kernel,
            cell.bias,
            mask=mask,
            go_backwards=layer.go_backwards,
            return_sequences=layer.return_sequences,
            zero_output_for_mask=layer.zero_output_for_mask,
            **options,
        )
    except NotImplementedError:
        return None  # the tensors (dtype, mask layout) need the generic loop


@keras.saving.register_keras_serializable(package="kerasrnn")
class LSTM(keras.layers.LSTM):
    """`keras.layers.LSTM` that runs PyTorch's fused LSTM kernel on the torch backend.

    Same arguments, weights and results as `keras.layers.LSTM` (see the module
    docstring for when the fused kernel runs).

    Example:

    ```python
    lstm = LSTM(32, return_sequences=True, return_state=True)
    sequences, h, c = lstm(keras.random.normal((4, 10, 8)))  # (4, 10, 32), (4, 32), (4, 32)
    ```

    Reference:
        Hochreiter & Schmidhuber, "Long Short-Term Memory", 1997.
    """

    def inner_loop(self, sequences, initial_state, mask, training=False):
        cell = self.cell
        outputs = None
        if cell.activation in _TANH and cell.recurrent_activation in _SIGMOID:
            outputs = _fused_inner_loop(self, "fused_lstm", sequences, initial_state, mask, training)
        if outputs is None:
            outputs = super().inner_loop(sequences, initial_state, mask=mask, training=training)
        return outputs


@keras.saving.register_keras_serializable(package="kerasrnn")
class GRU(keras.layers.GRU):
    """`keras.layers.GRU` that runs PyTorch's fused GRU kernel on the torch backend.

    Same arguments, weights and results as `keras.layers.GRU`. The fused kernel
    needs `reset_after=True` (Keras' default), which is PyTorch's GRU formula.

    Example:

    ```python
    gru = GRU(32, return_sequences=True)
    sequences = gru(keras.random.normal((4, 10, 8)))  # (4, 10, 32)
    ```

    Reference:
        Cho et al., "Learning Phrase Representations using RNN Encoder-Decoder
        for Statistical Machine Translation", 2014.
    """

    def inner_loop(self, sequences, initial_state, mask, training=False):
        cell = self.cell
        outputs = None
        if cell.reset_after and cell.activation in _TANH and cell.recurrent_activation in _SIGMOID:
            outputs = _fused_inner_loop(self, "fused_gru", sequences, initial_state, mask, training)
        if outputs is None:
            outputs = super().inner_loop(sequences, initial_state, mask=mask, training=training)
        return outputs


@keras.saving.register_keras_serializable(package="kerasrnn")
class SimpleRNN(keras.layers.SimpleRNN):
    """`keras.layers.SimpleRNN` that runs PyTorch's fused RNN kernel on the torch backend.

    Same arguments, weights and results as `keras.layers.SimpleRNN`; the fused
    kernel covers the `tanh` (default) and `relu` activations.

    Example:

    ```python
    rnn = SimpleRNN(32)
    last = rnn(keras.random.normal((4, 10, 8)))  # (4, 32)
    ```

    Reference:
        Elman, "Finding Structure in Time", 1990.
    """

    def inner_loop(self, sequences, initial_state, mask, training=False):
        cell = self.cell
        activation = "tanh" if cell.activation in _TANH else "relu" if cell.activation in _RELU else None
        outputs = None
        if activation is not None:
            outputs = _fused_inner_loop(
                self, "fused_simple_rnn", sequences, initial_state, mask, training, activation=activation
            )
        if outputs is None:
            outputs = super().inner_loop(sequences, initial_state, mask=mask, training=training)
        return outputs

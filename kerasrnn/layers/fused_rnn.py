"""Keras' LSTM, GRU and SimpleRNN with fused recurrences on the torch, JAX and TensorFlow backends.

On GPU, Keras' own LSTM and GRU hand the whole recurrence to cuDNN; on CPU
they step through time with Keras' generic loop. These layers are
`keras.layers.LSTM`, `GRU` and `SimpleRNN` with one change, in `inner_loop`:

- torch backend, any device: `torch._VF.lstm` / `gru` / `rnn_tanh` /
  `rnn_relu` (the kernels behind `torch.nn.LSTM`, `GRU`, `RNN`), masks
  included (right-padded ones, as packed sequences);
- JAX backend, GRU and SimpleRNN: `kerasrnn.backend.jax_fused_rnn`, the
  input projection of all steps in one product and a `lax.scan` whose
  backward pass is written by hand (the recurrent kernel's gradient is one
  product over all steps), for unmasked sequences and the `tanh` SimpleRNN;
- TensorFlow backend, LSTM and GRU, in training:
  `kerasrnn.backend.tensorflow_fused_rnn`, the same recurrences compiled by
  XLA (inference runs Keras' loop, so exported SavedModels hold no XLA-only
  function);

whenever that computes exactly what Keras' step loop computes:

- the default activations (`tanh` and a `sigmoid` gate; `tanh` or `relu` for SimpleRNN),
- `reset_after=True` for the GRU (PyTorch's GRU formula; Keras' default),
- `unroll=False`, `use_cudnn` "auto" or True (LSTM, GRU),
- no recurrent dropout while training (input `dropout` is fine: one mask per
  sequence, as Keras applies it),
- no mask, or (torch) a right-padded one (`[True, True, False]`) with no empty sequence,
- float32 or float64 weights (and float16 / bfloat16 on CUDA).

Anything else runs Keras' own `inner_loop` (so does a kind a backend has no
kernel for: Keras' own loop measured as fast for the JAX LSTM and the
TensorFlow SimpleRNN), so results never depend on which path ran.
Everything else is Keras': arguments, `get_config()`, weights (names,
shapes, gate order), so a model can swap `keras.layers.LSTM` for
`kerasrnn.layers.LSTM` and keep its weights, and `.weights.h5` files load
either way.

Example:

```python
layer = LSTM(64, return_sequences=True)
outputs = layer(keras.random.normal((8, 20, 16)))  # (8, 20, 64)
```
"""

import keras
from keras import ops

from kerasrnn import backend

_TANH = (keras.activations.tanh, ops.tanh)
_SIGMOID = (keras.activations.sigmoid, ops.sigmoid)
_RELU = (keras.activations.relu, ops.relu)


def _can_fuse(layer, training):
    """The layer-level conditions (the kernels check the tensors: mask, dtype)."""
    cell = layer.cell
    if layer.unroll or getattr(layer, "use_cudnn", "auto") not in ("auto", True):
        return False
    if training and cell.recurrent_dropout:
        return False
    # Implementation 1 with dropout draws one input mask per gate: only the generic loop follows it.
    return not (training and cell.dropout and getattr(cell, "implementation", 2) == 1)


def fused_kernel(layer, name, training):
    """The active backend's fused function `name` for this layer and call, or None for Keras' loop.

    None when the backend has no function of that name (`kerasrnn.backend.kernel`),
    when the layer's settings need Keras' loop (unrolling, recurrent dropout
    in training, ...), or outside training when the backend's functions are
    for training only (TensorFlow, see `kerasrnn.backend.tensorflow_fused_rnn`).
    The function itself raises NotImplementedError for tensors it cannot
    take (a mask, a dtype).
    """
    if not _can_fuse(layer, training):
        return None
    return backend.kernel(name, inference=not training)


def _fused_inner_loop(layer, kernel_name, sequences, initial_state, mask, training, **options):
    """The outputs of the named fused kernel, or None where the generic loop must run.

    Applies Keras' per-sequence input dropout (one mask per sequence, as Keras
    does), takes the first mask, and copies the states of a stateful layer
    (Keras assigns them in place after the call; autograd keeps the initial
    ones). `options` are extra kernel arguments (SimpleRNN: `activation`).
    """
    kernel_fn = fused_kernel(layer, kernel_name, training)
    if kernel_fn is None:
        return None
    cell = layer.cell
    if training and cell.dropout:
        dropout_mask = cell.get_dropout_mask(sequences[:, 0, :])  # (batch, features)
        sequences = sequences * ops.expand_dims(dropout_mask, axis=1)
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
    states = [ops.copy(state) for state in initial_state] if layer.stateful else list(initial_state)
    try:
        return kernel_fn(
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


class _FusedInnerLoop:
    """Mixin: `inner_loop` runs the backend's fused kernel where it can, else Keras' loop.

    A layer names its kernel (`_fused_kernel`) and says, from its cell, whether
    the kernel computes what the cell does: `_fused_options()` returns the
    extra kernel arguments, or None for Keras' loop.
    """

    _fused_kernel = None

    def _fused_options(self):
        raise NotImplementedError

    def inner_loop(self, sequences, initial_state, mask, training=False):
        options = self._fused_options()
        outputs = None
        if options is not None:
            outputs = _fused_inner_loop(
                self, self._fused_kernel, sequences, initial_state, mask, training, **options
            )
        if outputs is None:
            outputs = super().inner_loop(sequences, initial_state, mask=mask, training=training)
        return outputs


def _default_gates(cell):
    return cell.activation in _TANH and cell.recurrent_activation in _SIGMOID


@keras.saving.register_keras_serializable(package="kerasrnn")
class LSTM(_FusedInnerLoop, keras.layers.LSTM):
    """`keras.layers.LSTM` with a fused recurrence on every backend (see the module docstring).

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

    _fused_kernel = "fused_lstm"

    def _fused_options(self):
        return {} if _default_gates(self.cell) else None


@keras.saving.register_keras_serializable(package="kerasrnn")
class GRU(_FusedInnerLoop, keras.layers.GRU):
    """`keras.layers.GRU` with a fused recurrence on every backend (see the module docstring).

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

    _fused_kernel = "fused_gru"

    def _fused_options(self):
        return {} if self.cell.reset_after and _default_gates(self.cell) else None


@keras.saving.register_keras_serializable(package="kerasrnn")
class SimpleRNN(_FusedInnerLoop, keras.layers.SimpleRNN):
    """`keras.layers.SimpleRNN` with a fused recurrence on every backend (see the module docstring).

    Same arguments, weights and results as `keras.layers.SimpleRNN`; the fused
    kernel covers the `tanh` (default) activation, and `relu` on torch.

    Example:

    ```python
    rnn = SimpleRNN(32)
    last = rnn(keras.random.normal((4, 10, 8)))  # (4, 32)
    ```

    Reference:
        Elman, "Finding Structure in Time", 1990.
    """

    _fused_kernel = "fused_simple_rnn"

    def _fused_options(self):
        activation = self.cell.activation
        if activation in _TANH:
            return {"activation": "tanh"}
        return {"activation": "relu"} if activation in _RELU else None

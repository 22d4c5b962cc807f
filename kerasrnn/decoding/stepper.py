"""One decoding step of a stacked recurrent model, with the state carried along.

`RecurrentStepper` serves every recurrent generator of the zoo: language
models (`Embedding -> RNN... -> Dense`, e.g. the name generator) and the
decoder of a sequence-to-sequence model. It reuses the model's own layers:
the embedding, the *cells* of the recurrent layers, the output projection,
so a model trained on whole sequences generates token by token with no copy
of the weights. The state is a flat list of tensors, layer by layer
(`[h_0, c_0, h_1, c_1]` for two LSTM layers), as `Seq2SeqEncoder` returns it.
A decoder that reads the encoder summary `c` at every step
(`Seq2SeqDecoder(context_dim=...)`) carries `c` as the last entry of that
list, unchanged from step to step: the samplers reorder and repeat it with
the other states (beam search), so no strategy needs to know of it.

On backends with fused one-step kernels (PyTorch: `torch._VF.lstm_cell` and
`gru_cell`, found through `kerasrnn.layers.fused_rnn.fused_kernel` as the
sequence kernels are), `next_fn()` steps LSTM and GRU stacks with them
directly, with no Keras layer call per token; other models step their cells.
"""

import keras
from keras import ops

from kerasrnn.layers.fused_rnn import fused_kernel

_STEP_KERNELS = {"fused_lstm": "fused_lstm_step", "fused_gru": "fused_gru_step"}


def step_cell(layer, inputs, states):
    """One step of recurrent layer `layer`'s cell: `(inputs (batch, features), states) -> (outputs, states)`.

    Cells of kerasrnn's LayerNorm layers (`projected_inputs=True`) expect the
    input projection done for them; it is done here.
    """
    cell = layer.cell
    if getattr(cell, "projected_inputs", False):
        inputs = cell.project_inputs(inputs)
    outputs, updated = cell(inputs, list(states))  # Keras cells take a list of states
    return outputs, list(updated) if isinstance(updated, (list, tuple)) else [updated]


def _state_count(layer):
    sizes = layer.cell.state_size
    return len(sizes) if isinstance(sizes, (list, tuple)) else 1


class RecurrentStepper:
    """Run a trained recurrent model one token at a time.

    Args:
        model: a model built like `kerasrnn.models.build_language_model` (an
            `Embedding`, one or more unidirectional `keras.layers.RNN`
            subclasses, optional `Dropout`, and a final `Dense`), or a
            `kerasrnn.layers.seq2seq.Seq2SeqDecoder`, whose `step_input`,
            `is_residual` and `output_logits` are used as its `call` uses
            them. Dropout is skipped (inference).

    Example:

    >>> stepper = RecurrentStepper(model)
    >>> states = stepper.initial_states(batch_size=4)
    >>> logits, states = stepper.step(ops.zeros((4,), "int32"), states)  # (4, vocabulary)
    """

    def __init__(self, model):
        self.decoder = None
        if all(hasattr(model, name) for name in ("embedding", "recurrent_layers", "output_logits")):
            self.decoder = model  # a Seq2SeqDecoder
            self.embedding, self.output_layer = model.embedding, model.output_projection
            self.rnn_layers = list(model.recurrent_layers)
            self.vocabulary_size = model.vocabulary_size
        else:
            self._read_layers(model)
            self.vocabulary_size = self.output_layer.units
        for layer in self.rnn_layers:
            if layer.go_backwards:
                raise ValueError(f"layer {layer.name!r} reads backwards and cannot generate step by step")
        self.state_counts = [_state_count(layer) for layer in self.rnn_layers]
        self.uses_context = bool(getattr(self.decoder, "context_dim", 0))
        # The plain stack (embedding -> cells -> Dense) has fused one-step kernels on some backends.
        self.plain = self.output_layer is not None and not self.uses_context and not getattr(
            self.decoder, "residual", False)

    def _read_layers(self, model):
        self.embedding, self.rnn_layers, self.output_layer = None, [], None
        for layer in model.layers:
            if isinstance(layer, (keras.layers.InputLayer, keras.layers.Dropout)):
                continue
            if isinstance(layer, keras.layers.Embedding) and self.embedding is None:
                self.embedding = layer
            elif isinstance(layer, keras.layers.RNN):
                self.rnn_layers.append(layer)
            elif isinstance(layer, keras.layers.Dense) and self.output_layer is None:
                self.output_layer = layer
            else:
                raise ValueError(
                    f"RecurrentStepper handles Embedding -> RNN -> Dense models; model {model.name!r} has "
                    f"layer {layer.name!r} of type {type(layer).__name__}"
                )
        if self.embedding is None or not self.rnn_layers or self.output_layer is None:
            raise ValueError(
                f"model {model.name!r} needs an Embedding, at least one recurrent layer and a Dense output"
            )

    @property
    def variables(self):
        if self.decoder is not None:
            return list(self.decoder.variables)
        layers = [self.embedding, *self.rnn_layers, self.output_layer]
        return [v for layer in layers for v in layer.variables]

    def initial_states(self, batch_size):
        """Zero states: a flat list of `(batch, size)` tensors, layer by layer."""
        states = []
        for layer in self.rnn_layers:
            sizes = layer.cell.state_size
            sizes = sizes if isinstance(sizes, (list, tuple)) else [sizes]
            states.extend(ops.zeros((batch_size, size), dtype=self.embedding.compute_dtype) for size in sizes)
        return states

    def split_states(self, states):
        """The flat list of states (without the context) -> one list per recurrent layer."""
        states = list(states)
        if len(states) != sum(self.state_counts):
            raise ValueError(f"the model takes {sum(self.state_counts)} states"
                             + (" and the context" if self.uses_context else "") + f", received {len(states)}"
                             + (" (with the context)" if self.uses_context else ""))
        per_layer, start = [], 0
        for count in self.state_counts:
            per_layer.append(states[start:start + count])
            start += count
        return per_layer

    def step(self, tokens, states):
        """Feed `tokens` `(batch,)`; return logits `(batch, vocabulary)` and the new flat states.

        For a decoder with a context, `states` ends with the context
        `(batch, context_dim)`, returned unchanged at the end of the new states.
        """
        states, context = list(states), None
        if self.uses_context:
            if not states:
                raise ValueError("the decoder reads a context at every step: end `states` with it")
            states, context = states[:-1], states[-1]
        embedded = self.embedding(tokens)  # (batch, embedding_dim)
        x = embedded if self.decoder is None else self.decoder.step_input(embedded, context)
        new_states = []
        for index, (layer, layer_states) in enumerate(zip(self.rnn_layers, self.split_states(states))):
            y, updated = step_cell(layer, x, layer_states)
            x = y + x if self.decoder is not None and self.decoder.is_residual(index) else y
            new_states.extend(updated)
        if context is not None:
            new_states.append(context)
        if self.decoder is not None:
            return self.decoder.output_logits(x, embedded, context), new_states
        return self.output_layer(x), new_states

    def next_fn(self):
        """A sampler's step function `next_fn(tokens, states, index) -> (logits, states)`.

        Made once per decoding run (inside the compiled function): it reads
        the weights then. Fused one-step kernels where the backend has them
        for every layer, else `step`.
        """
        fused = self._fused_next_fn()
        if fused is not None:
            return fused
        return lambda tokens, states, index: self.step(tokens, states)

    def _fused_next_fn(self):
        if not self.plain:
            return None
        steps = []
        for layer in self.rnn_layers:
            name = _STEP_KERNELS.get(getattr(layer, "_fused_kernel", None))
            kernel_fn = None if name is None or layer._fused_options() is None else fused_kernel(layer, name, False)
            if kernel_fn is None:
                return None
            cell = layer.cell
            try:
                steps.append(kernel_fn(cell.kernel, cell.recurrent_kernel, cell.bias))
            except NotImplementedError:
                return None  # a dtype the kernel has no version for
        dense, embedding = self.output_layer, self.embedding
        dtypes = {embedding.compute_dtype, embedding.embeddings.dtype, dense.compute_dtype, dense.kernel.dtype}
        if len(dtypes) != 1 or dense.activation not in (keras.activations.linear, None) or getattr(
                dense, "lora_enabled", False):
            return None
        stack_fn = fused_kernel(self.rnn_layers[0], "fused_decoding_step", False)
        if stack_fn is None:
            return None
        return stack_fn(embedding.embeddings, steps, self.state_counts, dense.kernel, dense.bias)

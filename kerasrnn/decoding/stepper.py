"""One decoding step of a stacked recurrent model, with the state carried along."""

import keras
from keras import ops


class RecurrentStepper:
    """Run a trained `Embedding -> RNN... -> Dense` model one token at a time.

    The stepper reuses the model's own layers: the embedding, the *cells* of
    its recurrent layers, and the output projection, so a model trained on
    whole sequences generates token by token with its state carried across
    steps and no copy of the weights. Dropout layers are skipped (inference).

    Args:
        model: a model built like `kerasrnn.models.build_language_model`
            (an `Embedding`, one or more unidirectional `keras.layers.RNN`
            subclasses, optional `Dropout`, and a final `Dense`).

    Example:

    >>> stepper = RecurrentStepper(model)
    >>> states = stepper.initial_states(batch_size=4)
    >>> logits, states = stepper.step(ops.zeros((4,), "int32"), states)
    """

    def __init__(self, model):
        self.embedding = None
        self.rnn_layers = []
        self.output_layer = None
        for layer in model.layers:
            if isinstance(layer, keras.layers.InputLayer) or isinstance(layer, keras.layers.Dropout):
                continue
            if isinstance(layer, keras.layers.Embedding) and self.embedding is None:
                self.embedding = layer
            elif isinstance(layer, keras.layers.RNN):
                if layer.go_backwards:
                    raise ValueError(f"layer {layer.name!r} reads backwards and cannot generate step by step")
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
        self.vocabulary_size = self.output_layer.units

    @property
    def variables(self):
        layers = [self.embedding, *self.rnn_layers, self.output_layer]
        return [v for layer in layers for v in layer.variables]

    def initial_states(self, batch_size):
        """Zero states: one list of tensors per recurrent layer."""
        states = []
        for layer in self.rnn_layers:
            sizes = layer.cell.state_size
            sizes = sizes if isinstance(sizes, (list, tuple)) else [sizes]
            states.append([ops.zeros((batch_size, size), dtype=self.embedding.compute_dtype) for size in sizes])
        return states

    def step(self, tokens, states):
        """Feed `tokens` `(batch,)`; return logits `(batch, vocabulary)` and the new states."""
        x = self.embedding(tokens)  # (batch, embedding_dim)
        new_states = []
        for layer, layer_states in zip(self.rnn_layers, states):
            if getattr(layer.cell, "projected_inputs", False):
                # Cells of kerasrnn's sequence layers expect the input projection done for them.
                x = layer.cell.project_inputs(x)
            x, updated = layer.cell(x, list(layer_states))  # Keras cells take a list of states
            new_states.append(list(updated) if isinstance(updated, (list, tuple)) else [updated])
        return self.output_layer(x), new_states

"""The encoder and decoder of an attention-free sequence-to-sequence model (Sutskever et al., 2014).

The encoder reads the source `x_1 ... x_T` with stacked recurrent layers and
keeps only their final states `s`; the decoder starts from `s` and models

`P(y_1 ... y_T' | x) = prod_t P(y_t | s, y_1 ... y_{t-1})`,

one softmax over the target vocabulary per step. Both sides embed their own
vocabulary, stack `num_layers` recurrent layers of the same kind (any kind
of `kerasrnn.layers.recurrent_factory.RECURRENT_KINDS`), and put dropout
between layers, never on the recurrent connections, so Keras' LSTM and GRU
keep their cuDNN path on GPU.

Options, all off by default (the model of Sutskever et al.):

* a bidirectional first encoder layer (`Seq2SeqEncoder(bidirectional=True)`),
  whose final states go through a learned bridge (`Seq2SeqBridge`) to the
  decoder's initial states;
* residual connections around the stacked layers after the first
  (`residual=True`, Wu et al., 2016);
* the encoder summary `c` fed to the decoder at every step and to its output
  layer (`Seq2SeqDecoder(context_dim=...)`, Cho et al., 2014);
* an output layer that shares the target embedding matrix
  (`tie_embeddings=True`, Press & Wolf, 2017).

Id 0 is padding on both sides. The encoder masks it, so a padded source ends
in the same state as the unpadded one; the decoder does not need a mask
(its padding comes after the real tokens, and the loss weights drop it).
"""

import keras
from keras import ops

from kerasrnn.layers.recurrent_factory import RECURRENT_KINDS
from kerasrnn.layers.recurrent_factory import make_recurrent_layer
from kerasrnn.utils.validation import check_bool
from kerasrnn.utils.validation import check_non_negative_int
from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_stack_arguments
from kerasrnn.utils.validation import renamed_argument


def _state_count(layer):
    """States a recurrent layer returns: 2 for an LSTM, 1 for a GRU; twice that when bidirectional."""
    if isinstance(layer, keras.layers.Bidirectional):
        return 2 * _state_count(layer.forward_layer)
    sizes = layer.cell.state_size
    return len(sizes) if isinstance(sizes, (list, tuple)) else 1


def config_with_cell_type(config):
    """`config` with the key `"cell"` of configs saved before the rename read as `"cell_type"` (no warning).

    The recurrent layer kind was saved as `"cell"` until it became
    `cell_type`; a `.keras` file written then still loads, silently. The
    deprecated keyword (`cell=...` in code) warns; an old file is not the
    user's code to change.
    """
    config = dict(config)
    if "cell" in config and "cell_type" not in config:
        config["cell_type"] = config.pop("cell")
    return config


class _RecurrentStack(keras.layers.Layer):
    """What the encoder and decoder share: embedding, stacked recurrent layers, dropout, residuals."""

    def __init__(self, vocabulary_size, embedding_dim=256, hidden_units=256, num_layers=1, cell_type="lstm",
                 dropout=0.0, residual=False, return_state=False, bidirectional=False, **kwargs):
        super().__init__(**kwargs)
        vocabulary_size, embedding_dim, hidden_units, num_layers = check_stack_arguments(
            cell_type, RECURRENT_KINDS, dropout, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim,
            hidden_units=hidden_units, num_layers=num_layers
        )
        self.vocabulary_size = vocabulary_size
        self.embedding_dim = embedding_dim
        self.hidden_units = hidden_units
        self.num_layers = num_layers
        self.cell_type = cell_type
        self.dropout = dropout
        self.residual = check_bool(residual, "residual")
        self.embedding = keras.layers.Embedding(vocabulary_size, embedding_dim, name="embedding")
        self.recurrent_layers = []
        for index in range(num_layers):
            layer = make_recurrent_layer(cell_type, hidden_units, return_sequences=True, return_state=return_state,
                                         name=f"{cell_type}_{index}")
            if bidirectional and index == 0:
                layer = keras.layers.Bidirectional(layer, merge_mode="concat", name=f"bidirectional_{cell_type}_0")
            self.recurrent_layers.append(layer)
        # One dropout after the embedding and after every recurrent layer (Zaremba et al., 2014).
        self.dropout_layers = [
            keras.layers.Dropout(dropout, name=f"dropout_{index}") for index in range(num_layers + 1)
        ] if dropout else []

    def output_size(self, index):
        """Features recurrent layer `index` outputs per step (twice `hidden_units` when bidirectional)."""
        bidirectional = isinstance(self.recurrent_layers[index], keras.layers.Bidirectional)
        return 2 * self.hidden_units if bidirectional else self.hidden_units

    def is_residual(self, index):
        """Whether layer `index` adds its input to its output (`residual=True`, sizes permitting).

        Every layer after the first whose input has its output's size: the
        first reads the embedding, and the layer after a bidirectional one
        reads twice its own size.
        """
        return self.residual and index > 0 and self.output_size(index - 1) == self.output_size(index)

    @property
    def state_sizes(self):
        """Sizes of the states, flattened over the layers (`[h, c] * num_layers` for an LSTM)."""
        return [self.hidden_units] * sum(_state_count(layer) for layer in self.recurrent_layers)

    def _build_stack(self, ids_shape, input_size):
        self.embedding.build(ids_shape)
        shape = (*ids_shape, input_size)
        for index, layer in enumerate(self.recurrent_layers):
            layer.build(shape)
            shape = (*ids_shape, self.output_size(index))
        return shape

    def _dropout(self, index, x, training):
        return self.dropout_layers[index](x, training=training) if self.dropout_layers else x

    def _split_states(self, states):
        """Flat list of states -> one list per recurrent layer."""
        states = list(states)
        if len(states) != len(self.state_sizes):
            raise ValueError(
                f"{self.name} takes {len(self.state_sizes)} states ({self.cell_type} x {self.num_layers} layers), "
                f"received {len(states)}"
            )
        per_layer = []
        for layer in self.recurrent_layers:
            count = _state_count(layer)
            per_layer.append(states[:count])
            states = states[count:]
        return per_layer

    def get_config(self):
        config = super().get_config()
        config.update({
            "vocabulary_size": self.vocabulary_size,
            "embedding_dim": self.embedding_dim,
            "hidden_units": self.hidden_units,
            "num_layers": self.num_layers,
            "cell_type": self.cell_type,
            "dropout": self.dropout,
            "residual": self.residual,
        })
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config_with_cell_type(config))


@keras.saving.register_keras_serializable(package="kerasrnn")
class Seq2SeqEncoder(_RecurrentStack):
    """Encoder of a sequence-to-sequence model: source ids -> final recurrent states.

    Embeds the source ids and runs `num_layers` stacked recurrent layers over
    them, returning the final states of every layer (for an LSTM `h` and `c`
    per layer, for a GRU or SimpleRNN `h`). Id 0 is padding: it is masked, so
    the states are those after the last real token whatever the padding.

    With `bidirectional=True` the first layer reads the source both ways
    (`keras.layers.Bidirectional`, outputs concatenated) and returns the final
    states of both directions, forward first; its states no longer fit a
    unidirectional decoder, so `Seq2Seq` puts a `Seq2SeqBridge` between them.

    Args:
        vocabulary_size: number of source token ids (0 is padding).
        embedding_dim: size of the token embedding. Defaults to 256.
        hidden_units: size of each recurrent state. Defaults to 256.
        num_layers: stacked recurrent layers. Defaults to 1.
        cell_type: recurrent layer kind, one of
            `kerasrnn.layers.recurrent_factory.RECURRENT_KINDS`.
            Defaults to `"lstm"`.
        dropout: dropout rate on the embedding and between layers (not on
            the recurrent connections). Defaults to 0.
        bidirectional: make the first layer bidirectional. Defaults to False.
        residual: add each layer's input to its output from the second layer
            on, where the sizes match (Wu et al., 2016). Defaults to False.
        cell: deprecated name of `cell_type` (a `DeprecationWarning`; removed
            in the next release).
        **kwargs: base layer keyword arguments, such as `name`.

    Call arguments:
        source_ids: int tensor `(batch, time)`, padded with 0 at the end.
        training: bool, whether dropout is active.

    Returns:
        A list of `sum(states per layer)` tensors `(batch, hidden_units)`,
        layer by layer (`[h_0, c_0, h_1, c_1]` for a 2-layer LSTM,
        `[h_0_forward, c_0_forward, h_0_backward, c_0_backward, h_1, c_1]`
        with `bidirectional=True`).

    Example:

    ```python
    encoder = Seq2SeqEncoder(100, embedding_dim=8, hidden_units=16, num_layers=2)
    states = encoder(np.array([[5, 6, 7, 0], [8, 9, 0, 0]]))
    [tuple(s.shape) for s in states]  # [(2, 16), (2, 16), (2, 16), (2, 16)]
    encoder.summary_vector(states).shape  # (2, 16): the top layer's final h
    ```

    Reference:
        [Sutskever et al., 2014](https://arxiv.org/abs/1409.3215),
        "Sequence to Sequence Learning with Neural Networks";
        [Schuster & Paliwal, 1997](https://doi.org/10.1109/78.650093),
        "Bidirectional Recurrent Neural Networks";
        [Wu et al., 2016](https://arxiv.org/abs/1609.08144), "Google's Neural
        Machine Translation System" (residual connections).
    """

    def __init__(self, vocabulary_size, embedding_dim=256, hidden_units=256, num_layers=1, cell_type="lstm",
                 dropout=0.0, bidirectional=False, residual=False, cell=None, **kwargs):
        cell_type = renamed_argument(cell_type, "cell_type", cell, "cell", default="lstm")
        super().__init__(vocabulary_size, embedding_dim, hidden_units, num_layers, cell_type, dropout, residual,
                         return_state=True, bidirectional=check_bool(bidirectional, "bidirectional"), **kwargs)
        self.bidirectional = bidirectional

    @property
    def summary_size(self):
        """Size of `summary_vector`: the top layer's output size."""
        return self.output_size(self.num_layers - 1)

    def summary_vector(self, states):
        """The source summary `c`: the final output `h` of the top layer (both directions when bidirectional).

        `h` is the first state of each direction (Keras orders an LSTM's
        states `[h, c]`), so `c` is `(batch, summary_size)`.
        """
        top, count = self._split_states(states)[-1], _state_count(self.recurrent_layers[-1])
        if isinstance(self.recurrent_layers[-1], keras.layers.Bidirectional):
            return ops.concatenate([top[0], top[count // 2]], axis=-1)  # (batch, 2 * hidden_units)
        return top[0]  # (batch, hidden_units)

    def build(self, source_ids_shape):
        self._build_stack(tuple(source_ids_shape), self.embedding_dim)
        self.built = True

    def call(self, source_ids, training=False):
        mask = ops.not_equal(source_ids, 0)  # (batch, time)
        x = self._dropout(0, self.embedding(source_ids), training)  # (batch, time, embedding_dim)
        states = []
        for index, layer in enumerate(self.recurrent_layers):
            outputs = layer(x, mask=mask, training=training)
            y = outputs[0] + x if self.is_residual(index) else outputs[0]
            x = self._dropout(index + 1, y, training)  # (batch, time, output_size)
            states.extend(outputs[1:])
        return states

    def compute_mask(self, source_ids, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"bidirectional": self.bidirectional})
        return config


@keras.saving.register_keras_serializable(package="kerasrnn")
class Seq2SeqBridge(keras.layers.Layer):
    """A learned map from the encoder's final states to the decoder's initial states.

    `s_0 = tanh(W [s_1; ...; s_n] + b)`, one `Dense` over the concatenation
    of every encoder state, split into the decoder's states. So the two sides
    may differ in size, number of states or direction (a bidirectional
    encoder, as in Bahdanau et al.'s initial state `tanh(W h_1_backward)`).

    Args:
        state_sizes: the decoder's state sizes, a list of positive integers
            (`Seq2SeqDecoder.state_sizes`).
        **kwargs: base layer keyword arguments, such as `name`.

    Call arguments:
        states: the encoder's list of final states, each `(batch, size)`.

    Returns:
        A list of `(batch, size)` tensors, one per entry of `state_sizes`.

    Example:

    ```python
    bridge = Seq2SeqBridge([32, 32])
    [s.shape for s in bridge([np.zeros((2, 16))] * 4)]  # [(2, 32), (2, 32)]
    ```

    Reference:
        [Bahdanau et al., 2015](https://arxiv.org/abs/1409.0473), "Neural
        Machine Translation by Jointly Learning to Align and Translate",
        appendix A.2.2.
    """

    def __init__(self, state_sizes, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(state_sizes, (list, tuple)) or not state_sizes:
            raise ValueError(f"`state_sizes` must be a non-empty list of sizes, received: state_sizes={state_sizes!r}")
        self.state_sizes = [check_positive_int(size, "state_sizes") for size in state_sizes]
        self.dense = keras.layers.Dense(sum(self.state_sizes), activation="tanh", name="dense")

    def build(self, states_shape):
        self.dense.build((None, sum(int(shape[-1]) for shape in states_shape)))
        self.built = True

    def call(self, states):
        joined = self.dense(ops.concatenate(list(states), axis=-1))  # (batch, sum(state_sizes))
        bridged, start = [], 0
        for size in self.state_sizes:
            bridged.append(joined[:, start:start + size])
            start += size
        return bridged

    def get_config(self):
        config = super().get_config()
        config.update({"state_sizes": list(self.state_sizes)})
        return config


@keras.saving.register_keras_serializable(package="kerasrnn")
class Seq2SeqDecoder(_RecurrentStack):
    """Decoder of a sequence-to-sequence model: previous target ids + states -> next-token logits.

    Trained with teacher forcing: it reads `<s> y_1 ... y_n` starting from the
    encoder's final states and predicts `y_1 ... y_n </s>`. The same weights
    decode one token at a time with `kerasrnn.decoding.RecurrentStepper`,
    which runs the *cells* of the recurrent layers with the state carried
    along (dropout off) and the same `step_input` and `output_logits`.

    With `context_dim > 0` the decoder also takes the encoder's summary `c`
    (Cho et al., 2014): `h_t = RNN(h_{t-1}, [E y_{t-1}; c])` and the logits
    come from `[h_t; c; E y_{t-1}]` (a linear "deep output"), so the source
    reaches every step, not only the initial state. With
    `tie_embeddings=True` the output layer is `E^T` (the target embedding
    matrix, after a linear projection to `embedding_dim` when the features
    have another size) plus a bias.

    Args:
        vocabulary_size: number of target token ids (the softmax size).
        embedding_dim: size of the token embedding. Defaults to 256.
        hidden_units: size of each recurrent state; the encoder's unless a
            `Seq2SeqBridge` sits between them. Defaults to 256.
        num_layers: stacked recurrent layers. Defaults to 1.
        cell_type: recurrent layer kind. Defaults to `"lstm"`.
        dropout: dropout rate on the embedding, between layers and before the
            output projection. Defaults to 0.
        context_dim: size of the context vector `c` given at every step, 0
            for none. Defaults to 0.
        residual: residual connections from the second layer on (Wu et al.,
            2016). Defaults to False.
        tie_embeddings: share the target embedding matrix with the output
            layer. Defaults to False.
        cell: deprecated name of `cell_type` (a `DeprecationWarning`; removed
            in the next release).
        **kwargs: base layer keyword arguments, such as `name`.

    Call arguments:
        target_ids: int tensor `(batch, time)`, the decoder inputs
            (`<s> y_1 ... y_n`, padded with 0).
        initial_states: the list the encoder (or the bridge) returned.
        context: `(batch, context_dim)`, the encoder summary; required when
            `context_dim > 0`, else ignored. Defaults to None.
        training: bool, whether dropout is active.

    Returns:
        Logits `(batch, time, vocabulary_size)`.

    Example:

    ```python
    encoder = Seq2SeqEncoder(100, embedding_dim=8, hidden_units=16)
    decoder = Seq2SeqDecoder(120, embedding_dim=8, hidden_units=16, context_dim=16, tie_embeddings=True)
    states = encoder(np.array([[5, 6, 7, 0]]))
    context = encoder.summary_vector(states)  # (1, 16)
    decoder(np.array([[3, 40, 41]]), states, context).shape  # (1, 3, 120)
    logits, states = RecurrentStepper(decoder).step(np.array([3]), states + [context])  # (1, 120)
    ```

    Reference:
        [Sutskever et al., 2014](https://arxiv.org/abs/1409.3215),
        "Sequence to Sequence Learning with Neural Networks";
        [Cho et al., 2014](https://arxiv.org/abs/1406.1078), "Learning Phrase
        Representations using RNN Encoder-Decoder for Statistical Machine
        Translation";
        [Press & Wolf, 2017](https://arxiv.org/abs/1608.05859), "Using the
        Output Embedding to Improve Language Models".
    """

    def __init__(self, vocabulary_size, embedding_dim=256, hidden_units=256, num_layers=1, cell_type="lstm",
                 dropout=0.0, context_dim=0, residual=False, tie_embeddings=False, cell=None, **kwargs):
        cell_type = renamed_argument(cell_type, "cell_type", cell, "cell", default="lstm")
        super().__init__(vocabulary_size, embedding_dim, hidden_units, num_layers, cell_type, dropout, residual,
                         return_state=False, **kwargs)
        self.context_dim = check_non_negative_int(context_dim, "context_dim")
        self.tie_embeddings = check_bool(tie_embeddings, "tie_embeddings")
        features = self.output_features
        if tie_embeddings:
            self.output_projection = None
            self.tied_projection = (keras.layers.Dense(embedding_dim, use_bias=False, name="tied_projection")
                                    if features != embedding_dim else None)
        else:
            self.output_projection = keras.layers.Dense(vocabulary_size, name="logits")

    @property
    def output_features(self):
        """Size of the features the logits are computed from: `h_t`, or `[h_t; c; E y_{t-1}]` with a context."""
        return self.hidden_units + (self.context_dim + self.embedding_dim if self.context_dim else 0)

    def build(self, target_ids_shape, initial_states_shape=None, context_shape=None):
        target_ids_shape = tuple(target_ids_shape)
        self._build_stack(target_ids_shape, self.embedding_dim + self.context_dim)
        features_shape = (*target_ids_shape, self.output_features)
        if self.tie_embeddings:
            if self.tied_projection is not None:
                self.tied_projection.build(features_shape)
            self.output_bias = self.add_weight(shape=(self.vocabulary_size,), initializer="zeros", name="bias")
        else:
            self.output_projection.build(features_shape)
        self.built = True

    def step_input(self, embedded, context=None):
        """The first layer's input: `E y` and, with a context, `[E y; c]` (`c` repeated over time if needed)."""
        if not self.context_dim:
            return embedded
        if context is None:
            raise ValueError(f"{self.name} has context_dim={self.context_dim}: pass the encoder summary `context`")
        if len(embedded.shape) == 3:  # (batch, time, embedding_dim): c at every step
            context = ops.broadcast_to(ops.expand_dims(context, 1),
                                       (ops.shape(embedded)[0], ops.shape(embedded)[1], self.context_dim))
        return ops.concatenate([embedded, ops.cast(context, embedded.dtype)], axis=-1)

    def output_logits(self, outputs, embedded=None, context=None):
        """Logits from the top layer's outputs `(batch[, time], hidden_units)`; used by `call` and the stepper."""
        features = outputs
        if self.context_dim:
            features = ops.concatenate([outputs, self.step_input(embedded, context)], axis=-1)  # [h; E y; c]
        if not self.tie_embeddings:
            return self.output_projection(features)
        if self.tied_projection is not None:
            features = self.tied_projection(features)  # (..., embedding_dim)
        kernel = ops.transpose(ops.cast(self.embedding.embeddings, features.dtype))  # (embedding_dim, vocabulary)
        return ops.matmul(features, kernel) + ops.cast(self.output_bias, features.dtype)

    def call(self, target_ids, initial_states, context=None, training=False):
        embedded = self.embedding(target_ids)  # (batch, time, embedding_dim)
        x = self._dropout(0, self.step_input(embedded, context), training)
        for index, (layer, states) in enumerate(zip(self.recurrent_layers, self._split_states(initial_states))):
            y = layer(x, initial_state=states, training=training)  # (batch, time, hidden_units)
            x = self._dropout(index + 1, y + x if self.is_residual(index) else y, training)
        return self.output_logits(x, embedded, context)  # (batch, time, vocabulary_size)

    def get_config(self):
        config = super().get_config()
        config.update({"context_dim": self.context_dim, "tie_embeddings": self.tie_embeddings})
        return config

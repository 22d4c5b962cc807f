"""The encoder and decoder of an attention-free sequence-to-sequence model (Sutskever et al., 2014).

The encoder reads the source `x_1 ... x_T` with stacked recurrent layers and
keeps only their final states `s`; the decoder starts from `s` and models

`P(y_1 ... y_T' | x) = prod_t P(y_t | s, y_1 ... y_{t-1})`,

one softmax over the target vocabulary per step. Both sides embed their own
vocabulary, stack `num_layers` recurrent layers of the same kind and size
(any kind of `kerasrnn.layers.recurrent_factory.RECURRENT_KINDS`), and put
dropout between layers, never on the recurrent connections, so Keras' LSTM
and GRU keep their cuDNN path on GPU.

Id 0 is padding on both sides. The encoder masks it, so a padded source ends
in the same state as the unpadded one; the decoder does not need a mask
(its padding comes after the real tokens, and the loss weights drop it).
"""

import keras
from keras import ops

from kerasrnn.layers.recurrent_factory import RECURRENT_KINDS
from kerasrnn.layers.recurrent_factory import make_recurrent_layer
from kerasrnn.utils.validation import check_stack_arguments




def _state_count(layer):
    sizes = layer.cell.state_size
    return len(sizes) if isinstance(sizes, (list, tuple)) else 1


class _RecurrentStack(keras.layers.Layer):
    """What the encoder and decoder share: embedding, stacked recurrent layers, dropout."""

    def __init__(self, vocabulary_size, embedding_dim=256, hidden_units=256, num_layers=1, cell="lstm",
                 dropout=0.0, return_state=False, **kwargs):
        super().__init__(**kwargs)
        vocabulary_size, embedding_dim, hidden_units, num_layers = check_stack_arguments(
            cell, RECURRENT_KINDS, dropout, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim,
            hidden_units=hidden_units, num_layers=num_layers
        )
        self.vocabulary_size = vocabulary_size
        self.embedding_dim = embedding_dim
        self.hidden_units = hidden_units
        self.num_layers = num_layers
        self.cell = cell
        self.dropout = dropout
        self.embedding = keras.layers.Embedding(vocabulary_size, embedding_dim, name="embedding")
        self.recurrent_layers = [
            make_recurrent_layer(cell, hidden_units, return_sequences=True, return_state=return_state,
                                 name=f"{cell}_{index}")
            for index in range(num_layers)
        ]
        # One dropout after the embedding and after every recurrent layer (Zaremba et al., 2014).
        self.dropout_layers = [
            keras.layers.Dropout(dropout, name=f"dropout_{index}") for index in range(num_layers + 1)
        ] if dropout else []

    @property
    def state_sizes(self):
        """Sizes of the states, flattened over the layers (`[h, c] * num_layers` for an LSTM)."""
        return [self.hidden_units] * sum(_state_count(layer) for layer in self.recurrent_layers)

    def _build_stack(self, ids_shape):
        self.embedding.build(ids_shape)
        shape = (*ids_shape, self.embedding_dim)
        for layer in self.recurrent_layers:
            layer.build(shape)
            shape = (*ids_shape, self.hidden_units)
        return shape

    def _dropout(self, index, x, training):
        return self.dropout_layers[index](x, training=training) if self.dropout_layers else x

    def _split_states(self, states):
        """Flat list of states -> one list per recurrent layer."""
        states = list(states)
        if len(states) != len(self.state_sizes):
            raise ValueError(
                f"{self.name} takes {len(self.state_sizes)} states ({self.cell} x {self.num_layers} layers), "
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
            "cell": self.cell,
            "dropout": self.dropout,
        })
        return config


@keras.saving.register_keras_serializable(package="kerasrnn")
class Seq2SeqEncoder(_RecurrentStack):
    """Encoder of a sequence-to-sequence model: source ids -> final recurrent states.

    Embeds the source ids and runs `num_layers` stacked recurrent layers over
    them, returning the final states of every layer (for an LSTM `h` and `c`
    per layer, for a GRU or SimpleRNN `h`). Id 0 is padding: it is masked, so
    the states are those after the last real token whatever the padding.

    Args:
        vocabulary_size: number of source token ids (0 is padding).
        embedding_dim: size of the token embedding. Defaults to 256.
        hidden_units: size of each recurrent state. Defaults to 256.
        num_layers: stacked recurrent layers. Defaults to 1.
        cell: recurrent layer kind, one of
            `kerasrnn.layers.recurrent_factory.RECURRENT_KINDS`.
            Defaults to `"lstm"`.
        dropout: dropout rate on the embedding and between layers (not on
            the recurrent connections). Defaults to 0.
        **kwargs: base layer keyword arguments, such as `name`.

    Call arguments:
        source_ids: int tensor `(batch, time)`, padded with 0 at the end.
        training: bool, whether dropout is active.

    Returns:
        A list of `num_layers * states_per_layer` tensors `(batch, hidden_units)`,
        layer by layer (`[h_0, c_0, h_1, c_1]` for a 2-layer LSTM).

    Example:

    ```python
    encoder = Seq2SeqEncoder(100, embedding_dim=8, hidden_units=16, num_layers=2)
    states = encoder(np.array([[5, 6, 7, 0], [8, 9, 0, 0]]))
    [tuple(s.shape) for s in states]  # [(2, 16), (2, 16), (2, 16), (2, 16)]
    ```

    Reference:
        [Sutskever et al., 2014](https://arxiv.org/abs/1409.3215),
        "Sequence to Sequence Learning with Neural Networks".
    """

    def __init__(self, vocabulary_size, embedding_dim=256, hidden_units=256, num_layers=1, cell="lstm",
                 dropout=0.0, **kwargs):
        super().__init__(vocabulary_size, embedding_dim, hidden_units, num_layers, cell, dropout,
                         return_state=True, **kwargs)

    def build(self, source_ids_shape):
        self._build_stack(tuple(source_ids_shape))
        self.built = True

    def call(self, source_ids, training=False):
        mask = ops.not_equal(source_ids, 0)  # (batch, time)
        x = self._dropout(0, self.embedding(source_ids), training)  # (batch, time, embedding_dim)
        states = []
        for index, layer in enumerate(self.recurrent_layers):
            outputs = layer(x, mask=mask, training=training)
            x = self._dropout(index + 1, outputs[0], training)  # (batch, time, hidden_units)
            states.extend(outputs[1:])
        return states

    def compute_mask(self, source_ids, mask=None):
        return None


@keras.saving.register_keras_serializable(package="kerasrnn")
class Seq2SeqDecoder(_RecurrentStack):
    """Decoder of a sequence-to-sequence model: previous target ids + states -> next-token logits.

    Trained with teacher forcing: it reads `<s> y_1 ... y_n` starting from the
    encoder's final states and predicts `y_1 ... y_n </s>`. The same weights
    decode one token at a time with `kerasrnn.decoding.RecurrentStepper`,
    which runs the *cells* of the recurrent layers with the state carried
    along (dropout off).

    Args:
        vocabulary_size: number of target token ids (the softmax size).
        embedding_dim: size of the token embedding. Defaults to 256.
        hidden_units: size of each recurrent state; must equal the encoder's.
            Defaults to 256.
        num_layers: stacked recurrent layers; must equal the encoder's.
            Defaults to 1.
        cell: recurrent layer kind (the encoder's). Defaults to `"lstm"`.
        dropout: dropout rate on the embedding, between layers and before the
            output projection. Defaults to 0.
        **kwargs: base layer keyword arguments, such as `name`.

    Call arguments:
        target_ids: int tensor `(batch, time)`, the decoder inputs
            (`<s> y_1 ... y_n`, padded with 0).
        initial_states: the list the encoder returned.
        training: bool, whether dropout is active.

    Returns:
        Logits `(batch, time, vocabulary_size)`.

    Example:

    ```python
    encoder = Seq2SeqEncoder(100, embedding_dim=8, hidden_units=16)
    decoder = Seq2SeqDecoder(120, embedding_dim=8, hidden_units=16)
    states = encoder(np.array([[5, 6, 7, 0]]))
    decoder(np.array([[3, 40, 41]]), states).shape  # (1, 3, 120)
    logits, states = RecurrentStepper(decoder).step(np.array([3]), states)  # (1, 120)
    ```

    Reference:
        [Sutskever et al., 2014](https://arxiv.org/abs/1409.3215),
        "Sequence to Sequence Learning with Neural Networks".
    """

    def __init__(self, vocabulary_size, embedding_dim=256, hidden_units=256, num_layers=1, cell="lstm",
                 dropout=0.0, **kwargs):
        super().__init__(vocabulary_size, embedding_dim, hidden_units, num_layers, cell, dropout,
                         return_state=False, **kwargs)
        self.output_projection = keras.layers.Dense(vocabulary_size, name="logits")

    def build(self, target_ids_shape, initial_states_shape=None):
        shape = self._build_stack(tuple(target_ids_shape))
        self.output_projection.build(shape)
        self.built = True

    def call(self, target_ids, initial_states, training=False):
        x = self._dropout(0, self.embedding(target_ids), training)  # (batch, time, embedding_dim)
        for index, (layer, states) in enumerate(zip(self.recurrent_layers, self._split_states(initial_states))):
            x = layer(x, initial_state=states, training=training)  # (batch, time, hidden_units)
            x = self._dropout(index + 1, x, training)
        return self.output_projection(x)  # (batch, time, vocabulary_size)

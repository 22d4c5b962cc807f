"""Attention-free encoder-decoder (Sutskever et al., 2014; Cho et al., 2014) and its training loss."""

import keras
from keras import ops

from kerasrnn.layers.seq2seq import Seq2SeqBridge
from kerasrnn.layers.seq2seq import Seq2SeqDecoder
from kerasrnn.layers.seq2seq import Seq2SeqEncoder
from kerasrnn.layers.seq2seq import config_with_cell_type
from kerasrnn.utils.validation import check_bool
from kerasrnn.utils.validation import check_fraction
from kerasrnn.utils.validation import renamed_argument


@keras.saving.register_keras_serializable(package="kerasrnn")
class Seq2Seq(keras.Model):
    """A functional encoder-decoder: `(source_ids, target_in_ids) -> logits`.

    A `Seq2SeqEncoder` reads the source and its final states initialise a
    `Seq2SeqDecoder`, which predicts each target token from the previous ones
    (teacher forcing during training):

    `P(y | x) = prod_t softmax(W h_t + b)[y_t]`, `h_t = RNN(h_{t-1}, E y_{t-1})`,
    `h_0 = encoder(x)`.

    Options (each off by default, which is the model of Sutskever et al.):
    `bidirectional_encoder` (a bidirectional first encoder layer),
    `bridge` (`h_0 = tanh(W encoder(x) + b)`, a `Seq2SeqBridge`, needed when
    the encoder is bidirectional or `decoder_hidden_units` differs from
    `hidden_units`), `context_every_step` (the encoder summary `c`, the top
    layer's final output, joins the decoder input at every step and the
    output layer: `h_t = RNN(h_{t-1}, [E y_{t-1}; c])`,
    `logits = W [h_t; E y_{t-1}; c] + b`, Cho et al., 2014), `residual`
    (residual connections between stacked layers) and `tie_embeddings` (the
    output layer shares the target embedding matrix). The design stays
    attention-free: the source reaches the decoder only through fixed-size
    vectors.

    It is a functional model (the config holds the hyperparameters, Keras
    rebuilds the graph), so it saves to `.keras` and loads on every backend.
    Train it on `kerasrnn.data.make_translation_dataset` batches with
    `sequence_loss()` and `weighted_metrics=["accuracy"]`: the sample weights
    the pipeline gives keep padding out of the loss and the accuracy.
    `kerasrnn.decoding.Seq2SeqGenerator` decodes it (greedy,
    sampling, beam search) with the whole loop compiled.

    Args:
        source_vocabulary_size: number of source ids (0 is padding).
        target_vocabulary_size: number of target ids (the softmax size).
        embedding_dim: size of both embeddings. Defaults to 256.
        hidden_units: size of each recurrent state. Defaults to 256.
        num_layers: stacked recurrent layers in the encoder and the decoder.
            Defaults to 1.
        cell_type: recurrent layer kind, one of
            `kerasrnn.layers.recurrent_factory.RECURRENT_KINDS`.
            Defaults to `"lstm"`.
        dropout: dropout rate on embeddings and between layers (not recurrent
            dropout, which would disable cuDNN). Defaults to 0.
        reverse_source: whether the model was trained on reversed sources
            (the paper's trick). The data pipeline reverses them
            (`make_translation_dataset(reverse_source=...)`); the model only
            records it, so decoders reverse raw sources the same way.
            Defaults to False.
        decoder_hidden_units: size of the decoder's states; None for
            `hidden_units`. Another size needs `bridge=True`. Defaults to None.
        bidirectional_encoder: make the encoder's first layer bidirectional
            (needs `bridge=True`). Defaults to False.
        bridge: learn `Seq2SeqBridge` from the encoder's final states to the
            decoder's initial states. Defaults to False.
        context_every_step: feed the encoder summary to every decoder step
            and to the output layer. Defaults to False.
        residual: residual connections between stacked layers (both sides).
            Defaults to False.
        tie_embeddings: share the target embedding matrix with the output
            layer. Defaults to False.
        cell: deprecated name of `cell_type` (a `DeprecationWarning`; removed
            in the next release). A config saved with the old key `"cell"`
            loads without a warning.
        **kwargs: `keras.Model` keyword arguments, such as `name`.

    Example:

    ```python
    model = Seq2Seq(1000, 1200, embedding_dim=32, hidden_units=64)
    source = np.array([[5, 6, 7, 0]])            # (batch, source_time), 0 = padding
    target_in = np.array([[3, 40, 41]])          # <s> y_1 y_2
    model([source, target_in]).shape             # (1, 3, 1200)
    model = Seq2Seq(1000, 1200, 32, 64, bidirectional_encoder=True, bridge=True, context_every_step=True)
    ```

    Reference:
        [Sutskever et al., 2014](https://arxiv.org/abs/1409.3215),
        "Sequence to Sequence Learning with Neural Networks";
        [Cho et al., 2014](https://arxiv.org/abs/1406.1078), "Learning Phrase
        Representations using RNN Encoder-Decoder for Statistical Machine
        Translation".
    """

    def __init__(
        self,
        source_vocabulary_size,
        target_vocabulary_size,
        embedding_dim=256,
        hidden_units=256,
        num_layers=1,
        cell_type="lstm",
        dropout=0.0,
        reverse_source=False,
        decoder_hidden_units=None,
        bidirectional_encoder=False,
        bridge=False,
        context_every_step=False,
        residual=False,
        tie_embeddings=False,
        cell=None,
        **kwargs,
    ):
        cell_type = renamed_argument(cell_type, "cell_type", cell, "cell", default="lstm")
        for name, value in (("reverse_source", reverse_source), ("bidirectional_encoder", bidirectional_encoder),
                            ("bridge", bridge), ("context_every_step", context_every_step)):
            check_bool(value, name)
        decoder_units = hidden_units if decoder_hidden_units is None else decoder_hidden_units
        if not bridge and (bidirectional_encoder or decoder_units != hidden_units):
            raise ValueError(
                "the encoder's final states only initialise the decoder as they are when both are "
                f"unidirectional and of one size; with bidirectional_encoder={bidirectional_encoder!r} and "
                f"decoder_hidden_units={decoder_hidden_units!r} (hidden_units={hidden_units!r}) pass bridge=True"
            )
        encoder = Seq2SeqEncoder(source_vocabulary_size, embedding_dim, hidden_units, num_layers, cell_type, dropout,
                                 bidirectional=bidirectional_encoder, residual=residual, name="encoder")
        decoder = Seq2SeqDecoder(target_vocabulary_size, embedding_dim, decoder_units, num_layers, cell_type, dropout,
                                 context_dim=encoder.summary_size if context_every_step else 0, residual=residual,
                                 tie_embeddings=tie_embeddings, name="decoder")
        bridge_layer = Seq2SeqBridge(decoder.state_sizes, name="bridge") if bridge else None
        source_ids = keras.Input(shape=(None,), dtype="int32", name="source_ids")
        target_in_ids = keras.Input(shape=(None,), dtype="int32", name="target_in_ids")
        states, context = encode_source(encoder, bridge_layer, context_every_step, source_ids)
        logits = decoder(target_in_ids, states, context)  # (batch, target_time, target_vocabulary)
        kwargs.setdefault("name", f"{cell_type}_seq2seq")
        super().__init__(inputs=[source_ids, target_in_ids], outputs=logits, **kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.bridge_layer = bridge_layer
        self.source_vocabulary_size = source_vocabulary_size
        self.target_vocabulary_size = target_vocabulary_size
        self.embedding_dim = embedding_dim
        self.hidden_units = hidden_units
        self.num_layers = num_layers
        self.cell_type = cell_type
        self.dropout = dropout
        self.reverse_source = reverse_source
        self.decoder_hidden_units = decoder_hidden_units
        self.bidirectional_encoder = bidirectional_encoder
        self.bridge = bridge
        self.context_every_step = context_every_step
        self.residual = residual
        self.tie_embeddings = tie_embeddings

    def encode(self, source_ids, training=False):
        """The decoder's initial states for sources `(batch, time)` (in the order the encoder reads them).

        Returns `(states, context)`: the flat list of initial states and the
        encoder summary `(batch, summary_size)`, or None without
        `context_every_step`.
        """
        return encode_source(self.encoder, self.bridge_layer, self.context_every_step, source_ids, training)

    def get_config(self):
        config = super().get_config()
        config.update({
            "source_vocabulary_size": self.source_vocabulary_size,
            "target_vocabulary_size": self.target_vocabulary_size,
            "embedding_dim": self.embedding_dim,
            "hidden_units": self.hidden_units,
            "num_layers": self.num_layers,
            "cell_type": self.cell_type,
            "dropout": self.dropout,
            "reverse_source": self.reverse_source,
            "decoder_hidden_units": self.decoder_hidden_units,
            "bidirectional_encoder": self.bidirectional_encoder,
            "bridge": self.bridge,
            "context_every_step": self.context_every_step,
            "residual": self.residual,
            "tie_embeddings": self.tie_embeddings,
        })
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config_with_cell_type(config))  # files saved before the rename have "cell"


def encode_source(encoder, bridge, with_context, source_ids, training=False):
    """Run `encoder` (then `bridge`, when given) on source ids: `(decoder initial states, context or None)`.

    The one path from source to decoder, shared by `Seq2Seq`'s graph and its
    step-by-step decoding, so both see the same states and summary.
    """
    encoded = list(encoder(source_ids, training=training))
    context = encoder.summary_vector(encoded) if with_context else None  # (batch, summary_size)
    states = list(bridge(encoded)) if bridge is not None else encoded
    return states, context


@keras.saving.register_keras_serializable(package="kerasrnn")
class SparseLabelSmoothingCrossentropy(keras.losses.Loss):
    """Cross-entropy from logits against integer labels smoothed towards the uniform distribution.

    The target distribution is `(1 - label_smoothing) * onehot(y) + label_smoothing / V`
    over the `V` classes, so the loss is

    `-(1 - label_smoothing) * log p_y - (label_smoothing / V) * sum_v log p_v`,

    what `keras.losses.CategoricalCrossentropy(label_smoothing=...)` computes
    from one-hot labels, without building the one-hot tensor.

    Args:
        label_smoothing: float in [0, 1). Defaults to 0.1.
        **kwargs: `keras.losses.Loss` keyword arguments (`reduction`, `name`).

    Example:

    ```python
    loss = SparseLabelSmoothingCrossentropy(0.1)
    loss(np.array([[1, 2]]), np.zeros((1, 2, 5)))  # log(5) = 1.609
    ```

    Reference:
        [Szegedy et al., 2016](https://arxiv.org/abs/1512.00567),
        "Rethinking the Inception Architecture for Computer Vision", section 7.
    """

    def __init__(self, label_smoothing=0.1, name="label_smoothing_crossentropy", **kwargs):
        label_smoothing = check_fraction(label_smoothing, "label_smoothing", low_open=False, high_open=True)
        super().__init__(name=name, **kwargs)
        self.label_smoothing = label_smoothing

    def call(self, y_true, y_pred):
        log_probs = ops.log_softmax(ops.cast(y_pred, "float32"), axis=-1)  # (batch, time, classes)
        labels = ops.expand_dims(ops.cast(y_true, "int32"), -1)
        true_term = ops.squeeze(ops.take_along_axis(log_probs, labels, axis=-1), -1)  # (batch, time)
        uniform_term = ops.mean(log_probs, axis=-1)
        return -(1.0 - self.label_smoothing) * true_term - self.label_smoothing * uniform_term

    def get_config(self):
        config = super().get_config()
        config.update({"label_smoothing": self.label_smoothing})
        return config


def sequence_loss(label_smoothing=0.0):
    """The training loss of a `Seq2Seq` (or any next-token model) from logits.

    `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`, or
    `SparseLabelSmoothingCrossentropy` when `label_smoothing > 0`, both with
    `reduction="mean_with_sample_weight"`: the sum over tokens divided by the
    sum of the sample weights, so with the pipeline's weights (1 on real
    tokens, 0 on padding) it is the mean over real tokens, whatever the
    padding of a batch. (Keras' default divides by all positions, padding
    included, which shrinks the loss of heavily padded batches.)

    Args:
        label_smoothing: float in [0, 1). Defaults to 0.

    Returns:
        A `keras.losses.Loss`.

    Example:

    ```python
    model.compile(optimizer="adam", loss=sequence_loss(0.1), weighted_metrics=["accuracy"])
    ```
    """
    if label_smoothing:
        return SparseLabelSmoothingCrossentropy(label_smoothing, reduction="mean_with_sample_weight")
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="mean_with_sample_weight")

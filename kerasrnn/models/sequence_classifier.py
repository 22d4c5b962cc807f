"""Many-to-one sequence classifiers: embedding -> recurrent layers -> class logits, and a bag of n-grams."""

import keras

from kerasrnn.layers.char_ngram_bag import CharNgramBag
from kerasrnn.layers.char_ngrams import CharNgrams
from kerasrnn.layers.recurrent_factory import RECURRENT_KINDS
from kerasrnn.layers.recurrent_factory import make_recurrent_layer
from kerasrnn.models._recurrent_stack import stack_recurrent_layers
from kerasrnn.utils.validation import check_fraction
from kerasrnn.utils.validation import check_int_in_range
from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_stack_arguments
from kerasrnn.utils.validation import renamed_argument


def build_sequence_classifier(
    vocabulary_size,
    num_classes,
    cell_type="gru",
    embedding_dim=64,
    hidden_units=128,
    num_layers=1,
    bidirectional=True,
    dropout=0.0,
    ngram_filters=0,
    ngram_widths=(2, 3, 4),
    name=None,
    cell=None,
):
    """A functional many-to-one classifier: `Embedding -> RNN x num_layers -> Dense(num_classes)`.

    The model reads token ids `(batch, time)` padded with id 0 and returns one
    row of class logits per sequence, `(batch, num_classes)`: the recurrent
    state after the last real token (train it with sparse cross-entropy from
    logits, and take `softmax` for probabilities). The embedding uses
    `mask_zero=True`, so padding never changes the result: a sequence gives
    the same logits whatever the length of the batch it is padded to. With
    `bidirectional=True` each recurrent layer is a `keras.layers.Bidirectional`
    whose forward and backward states are concatenated; the backward pass
    starts at the last real token, not at the padding.

    Args:
        vocabulary_size: number of token ids, padding (0) included.
        num_classes: number of classes.
        cell_type: recurrent layer kind, one of
            `kerasrnn.layers.recurrent_factory.RECURRENT_KINDS` (`"lstm"`,
            `"gru"`, `"simple_rnn"`, `"layernorm_rnn"`, `"layernorm_lstm"`,
            `"layernorm_gru"`). Defaults to `"gru"`.
        embedding_dim: size of the token embedding. Defaults to 64.
        hidden_units: size of each recurrent state (per direction). Defaults to 128.
        num_layers: stacked recurrent layers; all but the last return their
            whole sequence. Defaults to 1.
        bidirectional: read each sequence in both directions. Defaults to True.
        dropout: dropout rate after each recurrent layer (not recurrent
            dropout, which would disable cuDNN). Defaults to 0.
        ngram_filters: with a positive number, a `kerasrnn.layers.CharNgrams`
            layer (that many max-pooled convolution filters per width) also
            reads the embeddings, and its features are concatenated to the
            recurrent state before the dense layer. Defaults to 0 (none).
        ngram_widths: the n-gram widths of `CharNgrams`. Defaults to `(2, 3, 4)`.
        name: model name. Defaults to `"bi{cell_type}_classifier"` or `"{cell_type}_classifier"`.
        cell: deprecated name of `cell_type` (a `DeprecationWarning`; removed
            in the next release).

    Returns:
        An uncompiled `keras.Model` with output logits `(batch, num_classes)`.

    Example:

    >>> model = build_sequence_classifier(30, num_classes=18, cell_type="lstm", hidden_units=32)
    >>> model(keras.ops.ones((4, 9), "int32")).shape   # (batch, classes)
    (4, 18)
    """
    cell_type = renamed_argument(cell_type, "cell_type", cell, "cell", default="gru")
    vocabulary_size, num_classes, embedding_dim, hidden_units, num_layers = check_stack_arguments(
        cell_type, RECURRENT_KINDS, dropout, vocabulary_size=vocabulary_size, num_classes=num_classes,
        embedding_dim=embedding_dim, hidden_units=hidden_units, num_layers=num_layers
    )
    if num_classes < 2:
        raise ValueError(f"`num_classes` must be at least 2, received: num_classes={num_classes}")
    prefix = f"bi{cell_type}" if bidirectional else cell_type
    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True, name="embedding")(inputs)

    def make_layer(index):
        last = index == num_layers - 1  # all but the last return their whole sequence
        return make_recurrent_layer(cell_type, hidden_units, return_sequences=not last, name=f"{cell_type}_{index}")

    embedded = x
    x = stack_recurrent_layers(x, make_layer, num_layers, bidirectional, dropout)  # (batch, directions * units)
    if ngram_filters != 0:
        check_positive_int(ngram_filters, "ngram_filters")
        ngrams = CharNgrams(ngram_filters, ngram_widths, name="char_ngrams")(embedded)  # (batch, widths * filters)
        if dropout:
            ngrams = keras.layers.Dropout(dropout, name="ngram_dropout")(ngrams)
        x = keras.layers.Concatenate(name="features")([x, ngrams])
    logits = keras.layers.Dense(num_classes, name="logits")(x)  # (batch, classes)
    return keras.Model(inputs, logits, name=name or f"{prefix}_classifier")


def build_ngram_bag_classifier(vocabulary_size, num_classes, embedding_dim=64, buckets=2**15, widths=(1, 2, 3, 4),
                               dropout=0.0, name="ngram_bag_classifier"):
    """A fastText classifier: `CharNgramBag -> Dropout -> Dense(num_classes)`, no recurrence.

    The model reads token ids `(batch, time)` padded with id 0 and returns
    class logits `(batch, num_classes)` from the mean embedding of each
    sequence's hashed n-grams (`kerasrnn.layers.CharNgramBag`): a linear
    model of which n-grams a name holds, trained in seconds, whose mistakes
    differ from a recurrent reader's (a member for an ensemble).

    Args:
        vocabulary_size: number of token ids, padding (0) included.
        num_classes: number of classes.
        embedding_dim: size of each n-gram vector. Defaults to 64.
        buckets: rows of the hashed n-gram table. Defaults to 2**15.
        widths: the n-gram lengths. Defaults to `(1, 2, 3, 4)`.
        dropout: dropout rate on the mean vector. Defaults to 0.
        name: model name. Defaults to `"ngram_bag_classifier"`.

    Returns:
        An uncompiled `keras.Model` with output logits `(batch, num_classes)`.

    Example:

    >>> model = build_ngram_bag_classifier(30, num_classes=18, buckets=1024)
    >>> model(keras.ops.ones((4, 9), "int32")).shape   # (batch, classes)
    (4, 18)
    """
    num_classes = check_int_in_range(num_classes, "num_classes", 2)
    dropout = check_fraction(dropout, "dropout", low_open=False, high_open=True)
    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = CharNgramBag(vocabulary_size, buckets, embedding_dim, widths, name="ngram_bag")(inputs)  # (batch, dim)
    if dropout:
        x = keras.layers.Dropout(dropout, name="bag_dropout")(x)
    logits = keras.layers.Dense(num_classes, name="logits")(x)  # (batch, classes)
    return keras.Model(inputs, logits, name=name)

"""A bag of hashed character n-grams: the mean embedding of every n-gram of a name (`CharNgramBag`)."""

import keras

from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_positive_int_tuple

INT32_LIMIT = 2**31


@keras.saving.register_keras_serializable(package="kerasrnn")
class CharNgramBag(keras.layers.Layer):
    """The mean embedding of a sequence's hashed character n-grams, edges marked (fastText's features).

    Each sequence of character ids is read with a begin mark before its
    first character and an end mark after its last, and every window of `n`
    consecutive ids, for each `n` in `widths`, is hashed into one of
    `buckets` rows of an embedding table: the hash of ids `c_1 .. c_n` is
    `h = n`, then `h = (h * base + c_k) mod buckets` for each `k`, with
    `base = vocabulary_size + 2` (the two marks are ids `vocabulary_size`
    and `vocabulary_size + 1`). The layer returns the mean of the embeddings
    of all the windows of the sequence, `(batch, embedding_dim)`: "Sch",
    "ov<end>" or "<begin>Mc" each add their own vector, wherever they sit.
    Id 0 is padding: a sequence gives the same result whatever the length of
    the batch it is padded to. A linear softmax over these features is the
    fastText classifier; beside a recurrent reader it adds a model whose
    errors differ.

    Args:
        vocabulary_size: number of character ids, padding (0) included.
        buckets: rows of the hashed n-gram table. `buckets * (vocabulary_size + 2)`
            must stay below 2**31 (the hash is computed in int32).
            Defaults to 2**15.
        embedding_dim: size of each n-gram vector. Defaults to 64.
        widths: the n-gram lengths, a tuple of positive ints. Defaults to `(1, 2, 3, 4)`.
        embeddings_initializer: initializer of the table. Defaults to `"uniform"`.

    Call arguments:
        inputs: int tensor `(batch, time)` of character ids, 0 after the
            end of each sequence.

    Returns:
        A float tensor `(batch, embedding_dim)`.

    Example:

    >>> layer = CharNgramBag(vocabulary_size=30, buckets=1024, embedding_dim=8)
    >>> layer(keras.ops.ones((4, 9), "int32")).shape   # (batch, embedding_dim)
    (4, 8)

    Reference:
        Joulin, Grave, Bojanowski and Mikolov, 2017, "Bag of Tricks for Efficient Text Classification";
        Bojanowski, Grave, Joulin and Mikolov, 2017, "Enriching Word Vectors with Subword Information".
    """

    def __init__(self, vocabulary_size, buckets=2**15, embedding_dim=64, widths=(1, 2, 3, 4),
                 embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size = check_positive_int(vocabulary_size, "vocabulary_size")
        self.buckets = check_positive_int(buckets, "buckets")
        self.embedding_dim = check_positive_int(embedding_dim, "embedding_dim")
        self.widths = check_positive_int_tuple(widths, "widths")
        if self.buckets * (self.vocabulary_size + 2) >= INT32_LIMIT:
            raise ValueError(
                f"`buckets * (vocabulary_size + 2)` must be below 2**31 for the int32 hash, received "
                f"buckets={self.buckets}, vocabulary_size={self.vocabulary_size}")
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight(name="embeddings", shape=(self.buckets, self.embedding_dim),
                                          initializer=self.embeddings_initializer)

    def ngram_ids(self, inputs):
        """The bucket of every window and whether it lies inside the marked sequence.

        Returns `(ngrams, valid)`, each `(batch, windows)`: the windows of
        every width, one after the other.
        """
        ids = keras.ops.cast(inputs, "int32")
        time = keras.ops.shape(ids)[1]
        lengths = keras.ops.sum(keras.ops.cast(ids != 0, "int32"), axis=1, keepdims=True)  # (batch, 1)
        column = keras.ops.zeros_like(ids[:, :1])  # (batch, 1)
        tail = keras.ops.tile(column, [1, max(self.widths)])  # windows may stick out past the end mark
        marked = keras.ops.concatenate([column + self.vocabulary_size, ids, column, tail], axis=1)
        positions = keras.ops.arange(keras.ops.shape(marked)[1], dtype="int32")[None, :]
        marked = keras.ops.where(positions == lengths + 1, self.vocabulary_size + 1, marked)  # the end mark
        base = self.vocabulary_size + 2
        starts = keras.ops.arange(time + 2, dtype="int32")[None, :]  # a window may start at 0 .. time + 1
        all_ids, all_valid = [], []
        for width in self.widths:
            h = keras.ops.zeros_like(marked[:, : time + 2]) + width
            for k in range(width):
                h = keras.ops.mod(h * base + marked[:, k: k + time + 2], self.buckets)
            all_ids.append(h)
            all_valid.append(starts + width - 1 <= lengths + 1)  # the window ends at or before the end mark
        return keras.ops.concatenate(all_ids, axis=1), keras.ops.concatenate(all_valid, axis=1)

    def call(self, inputs):
        ngrams, valid = self.ngram_ids(inputs)
        valid = keras.ops.cast(valid, self.compute_dtype)[:, :, None]  # (batch, windows, 1)
        vectors = keras.ops.take(self.embeddings, ngrams, axis=0)  # (batch, windows, embedding_dim)
        total = keras.ops.sum(vectors * valid, axis=1)
        return total / keras.ops.maximum(keras.ops.sum(valid, axis=1), 1.0)  # (batch, embedding_dim)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.embedding_dim)

    def get_config(self):
        config = super().get_config()
        config.update({
            "vocabulary_size": self.vocabulary_size,
            "buckets": self.buckets,
            "embedding_dim": self.embedding_dim,
            "widths": list(self.widths),
            "embeddings_initializer": keras.initializers.serialize(self.embeddings_initializer),
        })
        return config

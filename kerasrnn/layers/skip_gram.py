"""Skip-gram with negative sampling (SGNS): the scoring layer and its loss."""

import keras
from keras import ops

from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_seed


@keras.saving.register_keras_serializable(package="kerasrnn")
class SkipGramNegativeSampling(keras.layers.Layer):
    """Scores (target, context) word pairs with two embedding tables.

    Word2vec's skip-gram keeps two vectors per word: a *target* vector `u_w`
    used when the word is the centre of a window and a *context* vector `v_c`
    used when it is a neighbour. For a target `w` and the context candidates
    `c_0, c_1, ..., c_k` (the true neighbour `c_0` followed by `k` sampled
    negatives) the layer returns the logits

    `logits[:, j] = u_w . v_{c_j}`,

    one gather from each table and a batched dot product. Feed the logits to
    `SkipGramLoss`, which pushes `sigmoid(logits[:, 0])` towards 1 and the
    others towards 0. After training, the target table holds the word vectors.

    Following the reference implementation, target vectors start uniform in
    `[-0.5 / embedding_dim, 0.5 / embedding_dim]` and context vectors start at
    zero, so the first gradient step moves only the context vectors.

    `kerasrnn.training.SkipGramTrainer` trains the two tables
    without `model.fit`: word2vec's SGD, which updates only the rows a block
    of words touches.

    Args:
        vocabulary_size: int, number of words (ids run from 0 to
            `vocabulary_size - 1`).
        embedding_dim: int, size of each word vector.
        target_initializer: initializer of the target table. Defaults to
            `None`, the word2vec uniform range above, seeded with `seed`.
        context_initializer: initializer of the context table. Defaults to
            `"zeros"`.
        seed: int or None, seed of the default target initializer. Defaults
            to `None` (drawn from Keras' global seed).
        **kwargs: base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: a tuple `(targets, contexts)`: integer `targets` of shape
            `(batch,)` (or `(batch, 1)`) and integer `contexts` of shape
            `(batch, 1 + num_negatives)` whose first column is the true
            context word and the rest are negative samples.

    Returns:
        Float logits of shape `(batch, 1 + num_negatives)`.

    Example:

    ```python
    layer = SkipGramNegativeSampling(vocabulary_size=100, embedding_dim=8, seed=0)
    targets = np.array([3, 7])  # (batch,)
    contexts = np.array([[4, 50, 61], [8, 12, 99]])  # (batch, 1 + num_negatives)
    logits = layer((targets, contexts))  # (2, 3), zero until trained (contexts start at 0)
    ```

    Reference:
        [Mikolov et al., 2013](https://arxiv.org/abs/1310.4546), "Distributed
        Representations of Words and Phrases and their Compositionality".
    """

    def __init__(
        self,
        vocabulary_size,
        embedding_dim,
        target_initializer=None,
        context_initializer="zeros",
        seed=None,
        **kwargs,
    ):
        vocabulary_size = check_positive_int(vocabulary_size, "vocabulary_size")
        embedding_dim = check_positive_int(embedding_dim, "embedding_dim")
        seed = check_seed(seed)
        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.embedding_dim = embedding_dim
        self.seed = seed
        if target_initializer is None:
            limit = 0.5 / embedding_dim
            self.target_initializer = keras.initializers.RandomUniform(-limit, limit, seed=seed)
            self._default_target_initializer = True
        else:
            self.target_initializer = keras.initializers.get(target_initializer)
            self._default_target_initializer = False
        self.context_initializer = keras.initializers.get(context_initializer)

        self.target_embedding = keras.layers.Embedding(
            vocabulary_size,
            embedding_dim,
            embeddings_initializer=self.target_initializer,
            dtype=self.dtype_policy,
            name="target_embedding",
        )
        self.context_embedding = keras.layers.Embedding(
            vocabulary_size,
            embedding_dim,
            embeddings_initializer=self.context_initializer,
            dtype=self.dtype_policy,
            name="context_embedding",
        )

    def build(self, input_shape=None):
        self.target_embedding.build()
        self.context_embedding.build()
        self.built = True

    def call(self, inputs):
        targets, contexts = inputs
        if len(targets.shape) == 2:
            targets = ops.squeeze(targets, axis=-1)  # (batch,)
        target_vectors = self.target_embedding(targets)  # (batch, dim)
        context_vectors = self.context_embedding(contexts)  # (batch, 1 + negatives, dim)
        return ops.einsum("bd,bkd->bk", target_vectors, context_vectors)  # (batch, 1 + negatives)

    def compute_output_shape(self, input_shape):
        _, contexts_shape = input_shape
        return tuple(contexts_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "embedding_dim": self.embedding_dim,
                "target_initializer": (
                    None
                    if self._default_target_initializer
                    else keras.initializers.serialize(self.target_initializer)
                ),
                "context_initializer": keras.initializers.serialize(self.context_initializer),
                "seed": self.seed,
            }
        )
        return config


def skip_gram_loss(y_true, y_pred):
    """Per-example SGNS loss from labels and logits; see `SkipGramLoss`."""
    y_true = ops.cast(y_true, y_pred.dtype)
    # -y log s(z) - (1 - y) log s(-z) = softplus(z) - y z, stable for any z.
    return ops.sum(ops.softplus(y_pred) - y_true * y_pred, axis=-1)  # (batch,)


@keras.saving.register_keras_serializable(package="kerasrnn")
class SkipGramLoss(keras.losses.Loss):
    """The skip-gram negative-sampling loss on logits.

    With `z_0` the logit of the true context and `z_1, ..., z_k` the logits of
    the negatives (see `SkipGramNegativeSampling`), one example costs

    `-log sigmoid(z_0) - sum_j log sigmoid(-z_j)`,

    averaged over the batch. The loss takes labels like
    `keras.losses.BinaryCrossentropy(from_logits=True)`: `y_true` has the
    logits' shape, 1 for the true context and 0 for negatives (so usually
    `[1, 0, ..., 0]` on every row). Each example *sums* the binary
    cross-entropies of its columns instead of averaging them, which is the
    word2vec objective. It is computed as `softplus(z) - y * z`, which never
    overflows.

    Args:
        name: string, name of the loss. Defaults to `"skip_gram_loss"`.
        reduction: how per-example losses combine. Defaults to
            `"sum_over_batch_size"` (the batch mean).
        dtype: dtype of the loss computation. Defaults to `None`.

    Call arguments:
        y_true: labels of shape `(batch, 1 + num_negatives)`, 1 for the true
            context and 0 for the negatives.
        y_pred: logits of the same shape.
        sample_weight: optional per-example weights of shape `(batch,)`.

    Returns:
        The scalar loss (or per-example losses with `reduction=None`).

    Example:

    ```python
    logits = np.array([[2.0, -1.0, 0.5]])  # (batch, 1 + num_negatives)
    labels = np.array([[1.0, 0.0, 0.0]])  # true context first
    SkipGramLoss()(labels, logits)  # scalar, about 1.41
    ```

    Reference:
        [Mikolov et al., 2013](https://arxiv.org/abs/1310.4546), "Distributed
        Representations of Words and Phrases and their Compositionality".
    """

    def __init__(self, name="skip_gram_loss", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return skip_gram_loss(y_true, y_pred)

    def get_config(self):
        # Only the base `Loss` arguments: name, reduction and dtype.
        return super().get_config()

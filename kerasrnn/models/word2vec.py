"""Word2Vec: skip-gram negative-sampling word vectors with a vocabulary attached."""

import reprlib

import keras
import numpy as np

from kerasrnn.io_utils import atomic_write_text
from kerasrnn.layers.skip_gram import SkipGramNegativeSampling
from kerasrnn.text.vocabulary import UnknownWordError
from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import renamed_argument


def _check_vocabulary(vocabulary):
    if isinstance(vocabulary, (str, bytes)) or not hasattr(vocabulary, "__len__") or len(vocabulary) == 0:
        raise ValueError(
            "`vocabulary` must be a non-empty list of words in id order, "
            f"received: vocabulary={reprlib.repr(vocabulary)}"
        )
    vocabulary = list(vocabulary)
    first_id = {}
    for index, word in enumerate(vocabulary):
        if not isinstance(word, str):
            raise ValueError(f"`vocabulary` must hold strings, received: vocabulary[{index}]={word!r}")
        if word in first_id:
            raise ValueError(
                f"`vocabulary` must not repeat words, received: {word!r} at ids {first_id[word]} and {index}"
            )
        first_id[word] = index
    return vocabulary


@keras.saving.register_keras_serializable(package="kerasrnn")
class Word2Vec(keras.Model):
    """Word vectors trained with skip-gram and negative sampling.

    A functional model around `SkipGramNegativeSampling`: it maps
    `(targets, contexts)` word ids to the logits `u_w . v_c` and trains with
    `SkipGramLoss`. It also keeps the vocabulary (word `i` has id `i`), so it
    answers questions about words: cosine `similarity(a, b) = u_a . u_b /
    (|u_a| |u_b|)` and `most_similar(word)` over the target vectors, which are
    the word vectors word2vec reports. The vocabulary is part of the config,
    so a saved `.keras` file restores it with the weights.

    It trains with `model.fit` like any Keras model, or, on a stream of word
    ids, with `kerasrnn.training.SkipGramTrainer`: word2vec's
    own algorithm (sparse SGD on the rows in play, windows and negatives
    drawn every epoch), as fast as gensim's C loops on TensorFlow and JAX.

    Args:
        vocabulary: list of unique strings, the words in id order.
        embedding_dim: int, size of each word vector.
        target_initializer: initializer of the target vectors. Defaults to
            `None`, uniform in `[-0.5 / embedding_dim, 0.5 / embedding_dim]`.
        context_initializer: initializer of the context vectors. Defaults to
            `"zeros"`.
        seed: int or None, seed of the default target initializer. Defaults
            to `None`.
        **kwargs: base model keyword arguments, such as `name`.

    Call arguments:
        inputs: a list `[targets, contexts]`: integer ids of shape `(batch,)`
            and `(batch, 1 + num_negatives)`, the true context first.

    Returns:
        Logits of shape `(batch, 1 + num_negatives)`.

    Example:

    ```python
    vocabulary = ["cat", "dog", "sun", "moon"]
    model = Word2Vec(vocabulary, embedding_dim=8, seed=0)
    model.compile(optimizer="adam", loss=SkipGramLoss())
    targets = np.array([0, 1, 2, 3])  # (batch,)
    contexts = np.array([[1, 2], [0, 3], [3, 0], [2, 1]])  # (batch, 1 + 1 negative)
    labels = np.array([[1.0, 0.0]] * 4)  # the true context first
    model.fit([targets, contexts], labels, epochs=2, verbose=0)
    model.vectors.shape  # (4, 8)
    model.most_similar("cat", top_k=2)  # [(word, cosine), (word, cosine)]
    model.save_word2vec_format("vectors.txt")  # gensim-readable text
    ```

    Reference:
        [Mikolov et al., 2013](https://arxiv.org/abs/1310.4546), "Distributed
        Representations of Words and Phrases and their Compositionality".
    """

    def __init__(
        self,
        vocabulary,
        embedding_dim,
        target_initializer=None,
        context_initializer="zeros",
        seed=None,
        **kwargs,
    ):
        vocabulary = _check_vocabulary(vocabulary)
        skip_gram = SkipGramNegativeSampling(
            vocabulary_size=len(vocabulary),
            embedding_dim=embedding_dim,
            target_initializer=target_initializer,
            context_initializer=context_initializer,
            seed=seed,
            name="skip_gram",
        )
        targets = keras.Input(shape=(), dtype="int32", name="targets")
        contexts = keras.Input(shape=(None,), dtype="int32", name="contexts")
        logits = skip_gram((targets, contexts))  # (batch, 1 + num_negatives)
        super().__init__(inputs=[targets, contexts], outputs=logits, **kwargs)

        self.skip_gram = skip_gram
        self.embedding_dim = skip_gram.embedding_dim
        self.seed = seed
        self._vocabulary = tuple(vocabulary)
        self._word_ids = {word: index for index, word in enumerate(vocabulary)}

    @property
    def vocabulary(self):
        """The words in id order, as a list."""
        return list(self._vocabulary)

    @property
    def vectors(self):
        """The word (target) vectors as a NumPy array of shape `(vocabulary_size, embedding_dim)`."""
        return np.asarray(keras.ops.convert_to_numpy(self.skip_gram.target_embedding.embeddings))

    def word_id(self, word):
        """The id of `word`.

        Raises:
            UnknownWordError: `word` is not in the vocabulary (a `KeyError`
                and a `ValueError`, see `kerasrnn.text.UnknownWordError`).
        """
        try:
            return self._word_ids[word]
        except KeyError:
            message = f"word {word!r} is not in the vocabulary ({len(self._vocabulary)} words)"
            raise UnknownWordError(word, message) from None

    def similarity(self, word_a, word_b):
        """Cosine similarity of the vectors of `word_a` and `word_b`, as a float."""
        unit = _unit_rows(self.vectors[[self.word_id(word_a), self.word_id(word_b)]])
        return float(unit[0] @ unit[1])

    def most_similar(self, word, top_k=10, k=None):
        """The `top_k` words whose vectors are closest in cosine to `word`'s.

        Args:
            word: a word of the vocabulary.
            top_k: positive integer, how many words to return. Defaults to 10.
            k: deprecated name of `top_k` (a `DeprecationWarning`).

        Returns:
            A list of `(word, cosine)` pairs, most similar first, without
            `word` itself (fewer than `top_k` when the vocabulary is smaller).

        Raises:
            UnknownWordError: `word` is not in the vocabulary.
        """
        top_k = check_positive_int(renamed_argument(top_k, "top_k", k, "k", default=10), "top_k")
        index = self.word_id(word)
        unit = _unit_rows(self.vectors)
        cosines = unit @ unit[index]  # (vocabulary_size,)
        cosines[index] = -np.inf
        order = np.argsort(-cosines, kind="stable")[: min(top_k, len(self._vocabulary) - 1)]
        return [(self._vocabulary[i], float(cosines[i])) for i in order]

    def save_word2vec_format(self, path):
        """Write the word vectors to `path` in word2vec's text format.

        The first line is `"vocabulary_size embedding_dim"`, then one line per
        word: the word and its vector components separated by spaces. Gensim
        reads it with `KeyedVectors.load_word2vec_format(path)`. The file is
        written atomically.
        """
        for index, word in enumerate(self._vocabulary):
            if word == "" or any(char.isspace() for char in word):
                raise ValueError(
                    f"word {word!r} (id {index}) cannot be written in the word2vec text format: "
                    "it is empty or contains whitespace; rename it in the vocabulary first"
                )
        vectors = self.vectors
        lines = [f"{vectors.shape[0]} {vectors.shape[1]}"]
        for word, vector in zip(self._vocabulary, vectors):
            # %.9g round-trips every float32 exactly.
            lines.append(word + " " + " ".join(f"{value:.9g}" for value in vector.tolist()))
        atomic_write_text(path, "\n".join(lines) + "\n")

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary": list(self._vocabulary),
                "embedding_dim": self.embedding_dim,
                "target_initializer": self.skip_gram.get_config()["target_initializer"],
                "context_initializer": keras.initializers.serialize(self.skip_gram.context_initializer),
                "seed": self.seed,
            }
        )
        return config


def _unit_rows(matrix):
    """Rows of `matrix` scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, np.finfo(matrix.dtype).tiny)

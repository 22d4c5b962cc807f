"""Word vectors: how text becomes words for word2vec, and the saved task (`kerasrnn.load`).

How a text becomes the token stream the skip-gram model trains on:

* `word2vec_tokens` reads words the way every word-level kerasrnn task does
  (`kerasrnn.text.split_words`: lower case, punctuation split off,
  apostrophes and hyphens kept inside words, so `"o'er"` and `"'tis"` stay
  whole), then splits at runs of dashes (`"answer'd--"` is one word, not a
  new one) and drops tokens with no letter or digit: punctuation would only
  add a dozen very frequent non-words.
* `word_vocabulary` keeps the words seen at least `min_count` times, most
  frequent first, and `encode_words` turns the text into their ids, leaving
  out rarer words altogether (as word2vec and gensim do): they neither get a
  vector nor take a place in anybody's context window.

`WordVectors` is what `kerasrnn.load("saved_models/word2vec")` returns: the
trained `Word2Vec` model with `most_similar`, `similarity`, `vector` and an
export to the word2vec text format that gensim and most tools read.
"""

import collections
import gzip
import os
import re
import tempfile

import numpy as np

from kerasrnn.io_utils import atomic_write_bytes
from kerasrnn.tasks.saved_task import load_keras_model
from kerasrnn.tasks.saved_task import read_card
from kerasrnn.tasks.saved_task import read_manifest
from kerasrnn.tasks.saved_task import register_task
from kerasrnn.tasks.saved_task import write_task
from kerasrnn.text.normalization import split_words

_DASHES = re.compile(r"-{2,}")


def word2vec_tokens(text):
    """The words of `text`, in order, as the word2vec recipe reads them.

    Args:
        text: a string (the whole corpus; line breaks are spaces).

    Returns:
        A list of lower-case words without punctuation.

    Example:

    >>> word2vec_tokens("KING RICHARD III:\\nNow is the winter--of our discontent, 'tis")
    ['king', 'richard', 'iii', 'now', 'is', 'the', 'winter', 'of', 'our', 'discontent', "'tis"]
    """
    if not isinstance(text, str):
        raise ValueError(f"`text` must be a string, received: {type(text).__name__}")
    words = []
    for token in split_words(text):
        for piece in _DASHES.split(token):
            piece = piece.strip("-")
            if any(char.isalnum() for char in piece):
                words.append(piece)
    return words


def word_vocabulary(tokens, min_count=5, max_size=None):
    """The words seen at least `min_count` times, most frequent first, with their counts.

    Ties are broken alphabetically, so the order (and every word id) is the
    same on every run.

    Args:
        tokens: a list of words, e.g. from `word2vec_tokens`.
        min_count: drop words seen fewer times. Defaults to 5 (word2vec's default).
        max_size: keep at most this many words. Defaults to `None` (all).

    Returns:
        `(words, counts)`: a list of words (word `i` gets id `i`) and an int64
        array of their counts.

    Example:

    >>> word_vocabulary("a rose is a rose is a rose".split(), min_count=2)
    (['a', 'rose', 'is'], array([3, 3, 2]))
    """
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"`min_count` must be a positive integer, received: min_count={min_count!r}")
    if max_size is not None and (isinstance(max_size, bool) or not isinstance(max_size, (int, np.integer))
                                 or max_size < 1):
        raise ValueError(f"`max_size` must be a positive integer or None, received: max_size={max_size!r}")
    counts = collections.Counter(tokens)
    ranked = sorted(((word, n) for word, n in counts.items() if n >= min_count), key=lambda item: (-item[1], item[0]))
    ranked = ranked[:max_size]
    if not ranked:
        most = counts.most_common(1)
        seen = f"the most frequent word, {most[0][0]!r}, is seen {most[0][1]} times" if most else "the text is empty"
        raise ValueError(
            f"no word is seen at least min_count={min_count} times ({seen}): lower --min-count or use a longer text"
        )
    return [word for word, _ in ranked], np.array([n for _, n in ranked], dtype="int64")


def encode_words(tokens, words):
    """Ids of the tokens that are in `words` (word `i` has id `i`); the others are left out.

    Example:

    >>> encode_words(["a", "rose", "by", "any", "rose"], ["rose", "a"]).tolist()
    [1, 0, 0]
    """
    ids = {word: index for index, word in enumerate(words)}
    return np.array([ids[token] for token in tokens if token in ids], dtype="int32")


@register_task("word2vec")
class WordVectors:
    """Query trained word vectors: nearest neighbours, similarities, export.

    Wraps a trained `kerasrnn.models.Word2Vec` (its target vectors are the
    word vectors). Similarities are cosines, `u_a . u_b / (|u_a| |u_b|)`.
    Words are looked up as given, then lower-cased (the vocabulary of the
    recipe is lower case); a word outside the vocabulary raises a one-line
    `ValueError`.

    Args:
        model: a trained `kerasrnn.models.Word2Vec`.
        card: optional dict describing the training run (saved as card.json).
        min_count: the `min_count` the vocabulary was built with, used in
            error messages. Defaults to `None` (unknown).

    Example:

    >>> vectors = kerasrnn.load("saved_models/word2vec")
    >>> vectors.most_similar("king", topn=3)
    [('richard', 0.587...), ('3', 0.546...), ('protector', 0.528...)]
    >>> vectors.similarity("Romeo", "juliet")
    0.534...
    >>> vectors.save_word2vec_format("vectors.txt")  # gensim: KeyedVectors.load_word2vec_format
    """

    def __init__(self, model, card=None, min_count=None):
        from kerasrnn.models.word2vec import Word2Vec

        if not isinstance(model, Word2Vec):
            raise ValueError(f"`model` must be a kerasrnn.models.Word2Vec, received: {type(model).__name__}")
        self.model = model
        self.card = dict(card or {})
        self.min_count = min_count
        self._word_ids = {word: index for index, word in enumerate(model.vocabulary)}

    @property
    def vocabulary(self):
        """The words in id order (most frequent first when built by the recipe)."""
        return self.model.vocabulary

    @property
    def embedding_dim(self):
        return self.model.embedding_dim

    def __len__(self):
        return len(self.model.vocabulary)

    def __contains__(self, word):
        return isinstance(word, str) and self._key(word) is not None

    def __repr__(self):
        return f"<WordVectors: {len(self):,} words, {self.embedding_dim} dimensions>"

    def _key(self, word):
        if word in self._word_ids:
            return word
        if word.lower() in self._word_ids:
            return word.lower()
        return None

    def _lookup(self, word):
        if not isinstance(word, str):
            raise ValueError(f"a word must be a string, received: {word!r}")
        key = self._key(word)
        if key is None:
            trained = f"words seen at least {self.min_count} times" if self.min_count else "words"
            raise ValueError(
                f"word {word!r} is not in the vocabulary ({len(self):,} {trained} in training): check the spelling, "
                "choose another word, or retrain on a text that contains it (or with a lower --min-count)"
            )
        return key

    def vector(self, word):
        """The vector of `word`, a float32 array of shape `(embedding_dim,)`."""
        return self.model.vectors[self._word_ids[self._lookup(word)]].copy()

    def similarity(self, word_a, word_b):
        """Cosine similarity of two words' vectors, a float in [-1, 1]."""
        return self.model.similarity(self._lookup(word_a), self._lookup(word_b))

    def most_similar(self, word, topn=10):
        """The `topn` words closest to `word` in cosine, most similar first, without `word` itself.

        Returns:
            A list of `(word, cosine)` pairs (fewer than `topn` when the
            vocabulary is smaller).
        """
        if isinstance(topn, bool) or not isinstance(topn, (int, np.integer)) or topn <= 0:
            raise ValueError(f"`topn` must be a positive integer, received: topn={topn!r}")
        if len(self) < 2:
            return []
        return self.model.most_similar(self._lookup(word), k=int(topn))

    def save_word2vec_format(self, path):
        """Export the vectors in word2vec's text format (gzip-compressed when `path` ends in `.gz`).

        Gensim reads either with `KeyedVectors.load_word2vec_format(path)`.
        The file is written atomically. Returns `path`.
        """
        path = os.fspath(path)
        if not path.endswith(".gz"):
            self.model.save_word2vec_format(path)
            return path
        with tempfile.TemporaryDirectory() as scratch:
            plain = os.path.join(scratch, "vectors.txt")
            self.model.save_word2vec_format(plain)
            with open(plain, "rb") as f:
                atomic_write_bytes(path, gzip.compress(f.read(), mtime=0))
        return path

    def save(self, directory):
        """Write the model, card and settings to `directory` (atomically)."""
        extra = {"words": len(self), "embedding_dim": self.embedding_dim, "min_count": self.min_count}
        return write_task(directory, self.task_name, self.model, card=self.card, extra=extra)

    @classmethod
    def load(cls, directory):
        """Read a directory written by `save` (any backend may have written it)."""
        from kerasrnn.models.word2vec import Word2Vec

        manifest = read_manifest(directory)
        model = load_keras_model(os.path.join(directory, "model.keras"))
        if not isinstance(model, Word2Vec):
            raise ValueError(
                f"{directory}/model.keras holds a {type(model).__name__}, not a Word2Vec; re-run recipes/word2vec.py"
            )
        card = read_card(directory)
        return cls(model, card, manifest.get("min_count"))


def project_2d(vectors):
    """PCA with NumPy: the rows of `vectors` on their first two principal components.

    Rows are scaled to unit length first, so that the picture follows cosine
    similarity rather than vector length (frequent words have longer vectors).

    Args:
        vectors: an array `(n, dim)` with `n >= 2`.

    Returns:
        A float64 array `(n, 2)`.
    """
    vectors = np.asarray(vectors, dtype="float64")
    if vectors.ndim != 2 or len(vectors) < 2:
        raise ValueError(f"`vectors` must be an (n, dim) array with n >= 2, received shape {vectors.shape}")
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    centered = unit - unit.mean(axis=0)
    _, _, components = np.linalg.svd(centered, full_matrices=False)  # rows: principal directions
    return centered @ components[:2].T  # (n, 2)


def plot_word_map(word_vectors, words, path, title=None):
    """Plot `words` at their 2-D PCA coordinates (`project_2d`) to a PNG, atomically.

    Args:
        word_vectors: a `WordVectors`.
        words: the words to show (each must be in the vocabulary).
        path: the PNG file to write.
        title: optional figure title.

    Returns:
        `path`.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from kerasrnn.io_utils import save_figure

    words = list(words)
    points = project_2d(np.stack([word_vectors.vector(word) for word in words]))
    figure, axis = plt.subplots(figsize=(11, 9))
    axis.scatter(points[:, 0], points[:, 1], s=6, color="tab:blue", alpha=0.5)
    for word, (x, y) in zip(words, points):
        axis.annotate(word, (x, y), fontsize=8, xytext=(2, 2), textcoords="offset points")
    axis.set_xlabel("first principal component")
    axis.set_ylabel("second principal component")
    axis.grid(alpha=0.2)
    if title:
        axis.set_title(title)
    save_figure(figure, path, dpi=100)
    return path

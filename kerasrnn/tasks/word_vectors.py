"""Word vectors: the saved word2vec task (`kerasrnn.load("word2vec")`).

`WordVectors` is what `kerasrnn.load("saved_models/word2vec")` returns: the
trained `Word2Vec` model with `most_similar`, `similarity`, `vector` and an
export to the word2vec text format that gensim and most tools read. How the
recipe turns a text into words is `kerasrnn.text.word2vec`; the word map
picture is `kerasrnn.plots.plot_word_map`.
"""

import gzip
import os
import tempfile

from kerasrnn.io_utils import atomic_write_bytes
from kerasrnn.tasks.saved_task import register_task
from kerasrnn.tasks.task import Task
from kerasrnn.text.vocabulary import UnknownWordError
from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import renamed_argument


@register_task("word2vec")
class WordVectors(Task):
    """Query trained word vectors: nearest neighbours, similarities, export.

    Wraps a trained `kerasrnn.models.Word2Vec` (its target vectors are the
    word vectors). Similarities are cosines, `u_a . u_b / (|u_a| |u_b|)`.
    Words are looked up as given, then lower-cased (the vocabulary of the
    recipe is lower case); a word outside the vocabulary raises a one-line
    `kerasrnn.text.UnknownWordError` naming it (a `KeyError`, as from
    `Word2Vec`, and a `ValueError`).

    Args:
        model: a trained `kerasrnn.models.Word2Vec`.
        card: optional dict describing the training run (saved as card.json).
        min_count: the `min_count` the vocabulary was built with, used in
            error messages. Defaults to `None` (unknown).

    Example:

    >>> vectors = kerasrnn.load("saved_models/word2vec")
    >>> vectors.most_similar("king", top_k=3)
    [('richard', 0.587...), ('3', 0.546...), ('protector', 0.528...)]
    >>> vectors.similarity("Romeo", "juliet")
    0.534...
    >>> vectors.save_word2vec_format("vectors.txt")  # gensim: KeyedVectors.load_word2vec_format
    """

    def __init__(self, model, card=None, min_count=None):
        from kerasrnn.models.word2vec import Word2Vec

        if not isinstance(model, Word2Vec):
            raise ValueError(f"`model` must be a kerasrnn.models.Word2Vec, received: {type(model).__name__}")
        super().__init__(model, card=card)  # no vocabulary.json: the words are in the model's config
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
            raise UnknownWordError(
                word,
                f"word {word!r} is not in the vocabulary ({len(self):,} {trained} in training): check the spelling, "
                "choose another word, or retrain on a text that contains it (or with a lower --min-count)",
            )
        return key

    def vector(self, word):
        """The vector of `word`, a float32 array of shape `(embedding_dim,)`."""
        return self.model.vectors[self._word_ids[self._lookup(word)]].copy()

    def similarity(self, word_a, word_b):
        """Cosine similarity of two words' vectors, a float in [-1, 1]."""
        return self.model.similarity(self._lookup(word_a), self._lookup(word_b))

    def most_similar(self, word, top_k=10, topn=None):
        """The `top_k` words closest to `word` in cosine, most similar first, without `word` itself.

        Args:
            word: a word of the vocabulary (looked up as given, then lower-cased).
            top_k: positive integer, how many words to return. Defaults to 10.
            topn: deprecated name of `top_k` (a `DeprecationWarning`).

        Returns:
            A list of `(word, cosine)` pairs (fewer than `top_k` when the
            vocabulary is smaller).

        Raises:
            UnknownWordError: `word` is not in the vocabulary.
        """
        top_k = check_positive_int(renamed_argument(top_k, "top_k", topn, "topn", default=10), "top_k")
        if len(self) < 2:
            return []
        return self.model.most_similar(self._lookup(word), top_k=top_k)

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

    def get_config(self):
        # `words` and `embedding_dim` describe the model for a reader of task.json; the model holds them.
        return {"words": len(self), "embedding_dim": self.embedding_dim, "min_count": self.min_count}

    @classmethod
    def load_assets(cls, directory, config):
        from kerasrnn.models.word2vec import Word2Vec

        assets = super().load_assets(directory, config)
        if not isinstance(assets["model"], Word2Vec):
            raise ValueError(
                f"{os.path.join(directory, 'model.keras')} holds a {type(assets['model']).__name__}, not a Word2Vec; "
                "re-run recipes/word2vec.py"
            )
        return assets

    @classmethod
    def from_config(cls, config, **assets):
        return cls(**assets, min_count=config.get("min_count"))

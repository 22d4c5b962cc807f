"""Vocabularies for characters and words, with special tokens.

Why `keras.layers.StringLookup`: it is the one lookup that runs in all three
places a token passes through. It works inside `tf.data` pipelines whatever
the Keras backend, it is a TensorFlow op so it lives inside an exported
SavedModel's serving graph, and it serialises with the model. `Vocabulary`
keeps the token list in exactly the order `StringLookup` uses, so the ids are
the same whether text is encoded by the Python methods here (fast, for NumPy
data and interactive use) or by `lookup_layer()` (in graphs); a test checks it.

Id layout (fixed, so every saved model agrees):

    0: "<pad>"   padding, also the mask token for `Embedding(mask_zero=True)`
    1: "<unk>"   anything not in the vocabulary
    2..: special tokens given at construction (default `<mask>`, `<s>`, `</s>`)
    then: ordinary tokens, most frequent first (ties broken alphabetically).
"""

import collections
import json
import os

import numpy as np

from kerasrnn.io_utils import atomic_write_json

PAD = "<pad>"
UNK = "<unk>"
MASK = "<mask>"
START = "<s>"
END = "</s>"
DEFAULT_SPECIALS = (MASK, START, END)
_FORMAT_VERSION = 1


class UnknownWordError(KeyError, ValueError):
    """A word looked up in a vocabulary that does not hold it.

    Raised wherever a word must be known (word vectors: `Word2Vec.word_id`,
    `most_similar`, `similarity`; `WordVectors`), with a message that names
    the word. It is a `KeyError` (a failed lookup, as from a dict) and a
    `ValueError` (bad input), so `except KeyError` and `except ValueError`
    both catch it.

    Args:
        word: the word that was looked up.
        message: the error message. Defaults to
            `"word '<word>' is not in the vocabulary"`.

    Example:

    >>> try:
    ...     vectors.most_similar("zebra")
    ... except UnknownWordError as error:
    ...     error.word
    'zebra'
    """

    def __init__(self, word, message=None):
        super().__init__(message or f"word {word!r} is not in the vocabulary")
        self.word = word

    def __str__(self):  # the message itself, not KeyError's repr of it
        return str(self.args[0])


class Vocabulary:
    """A character- or word-level vocabulary with padding, unknown and special tokens.

    Args:
        tokens: the ordinary tokens, in id order (most frequent first when built
            with `Vocabulary.build`). Must not repeat or contain the special tokens.
        level: `"char"` (a text is a sequence of characters) or `"word"` (a
            text is split on spaces after `kerasrnn.text.normalize_sentence`).
            Defaults to `"char"`.
        specials: extra special tokens placed right after `<pad>` and `<unk>`.
            Defaults to `("<mask>", "<s>", "</s>")`.

    Example:

    >>> vocab = Vocabulary.build("hello world", level="char")
    >>> vocab.decode(vocab.encode("hold"))
    'hold'
    >>> vocab.encode("hé")[1] == vocab.unk_id   # unseen character
    True
    """

    def __init__(self, tokens, level="char", specials=DEFAULT_SPECIALS):
        if level not in ("char", "word"):
            raise ValueError(f"`level` must be 'char' or 'word', received: level={level!r}")
        tokens = list(tokens)
        specials = tuple(specials)
        reserved = {PAD, UNK, *specials}
        clashes = [t for t in tokens if t in reserved]
        if clashes:
            raise ValueError(f"`tokens` must not contain special tokens, received: {clashes[:5]}")
        if len(set(tokens)) != len(tokens):
            repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
            raise ValueError(f"`tokens` must be unique, received repeated tokens: {repeated[:5]}")
        if level == "char" and any(len(t) != 1 for t in tokens):
            bad = [t for t in tokens if len(t) != 1][:5]
            raise ValueError(f"character vocabularies hold single characters, received: {bad}")
        self.level = level
        self.specials = specials
        self.tokens = tokens
        self._itos = [PAD, UNK, *specials, *tokens]
        self._stoi = {token: index for index, token in enumerate(self._itos)}

    # ------------------------------------------------------------------ build
    @classmethod
    def build(cls, texts, level="char", max_size=None, min_count=1, specials=DEFAULT_SPECIALS):
        """Build a vocabulary from a text or an iterable of texts.

        Args:
            texts: a string or an iterable of strings (for `level="word"`,
                texts are normalised and split with `split_words`).
            level: `"char"` or `"word"`. Defaults to `"char"`.
            max_size: keep at most this many tokens in total, special tokens
                included. Defaults to `None` (keep all).
            min_count: drop tokens seen fewer times. Defaults to 1.
            specials: see the class docstring.

        Returns:
            A `Vocabulary`.
        """
        if max_size is not None and (int(max_size) != max_size or max_size < 3 + len(specials)):
            raise ValueError(
                f"`max_size` must be an integer of at least {3 + len(specials)} "
                f"(room for the special tokens), received: max_size={max_size}"
            )
        if int(min_count) != min_count or min_count < 1:
            raise ValueError(f"`min_count` must be a positive integer, received: min_count={min_count}")
        if isinstance(texts, str):
            texts = [texts]
        counts = collections.Counter()
        for text in texts:
            counts.update(cls._split(text, level))
        reserved = {PAD, UNK, *specials}
        ranked = sorted(
            ((t, n) for t, n in counts.items() if n >= min_count and t not in reserved),
            key=lambda item: (-item[1], item[0]),
        )
        if max_size is not None:
            ranked = ranked[: max_size - 2 - len(specials)]
        return cls([t for t, _ in ranked], level=level, specials=specials)

    @staticmethod
    def _split(text, level):
        if level == "char":
            return list(text)
        from kerasrnn.text.normalization import split_words

        return split_words(text)

    # ------------------------------------------------------------ properties
    def __len__(self):
        return len(self._itos)

    @property
    def size(self):
        """Number of ids, special tokens included (the `Embedding` input dim)."""
        return len(self._itos)

    @property
    def pad_id(self):
        return 0

    @property
    def unk_id(self):
        return 1

    def special_id(self, token):
        """The id of a special token such as `"<mask>"`."""
        if token not in self.specials:
            raise KeyError(f"{token!r} is not a special token of this vocabulary; it has {self.specials}")
        return self._stoi[token]

    @property
    def mask_id(self):
        return self.special_id(MASK)

    @property
    def start_id(self):
        return self.special_id(START)

    @property
    def end_id(self):
        return self.special_id(END)

    @property
    def id_to_token(self):
        """All tokens in id order, special tokens first."""
        return list(self._itos)

    def __contains__(self, token):
        return token in self._stoi

    def __repr__(self):
        return f"Vocabulary(level={self.level!r}, size={self.size})"

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and self.get_config() == other.get_config()

    # -------------------------------------------------------- encode / decode
    def split(self, text):
        """Split a text into tokens (characters, or normalised words)."""
        return self._split(text, self.level)

    def encode(self, text, add_start=False, add_end=False):
        """Encode a text (or a list of tokens) into an int32 NumPy array of ids.

        Unknown tokens map to `unk_id`; count them with `count_unknown`.
        """
        tokens = text if isinstance(text, (list, tuple)) else self.split(text)
        ids = [self._stoi.get(token, 1) for token in tokens]
        if add_start:
            ids.insert(0, self.start_id)
        if add_end:
            ids.append(self.end_id)
        return np.asarray(ids, dtype="int32")

    def count_unknown(self, text):
        """How many tokens of `text` are not in the vocabulary."""
        tokens = text if isinstance(text, (list, tuple)) else self.split(text)
        return sum(1 for token in tokens if token not in self._stoi)

    def decode(self, ids, skip_special=True, stop_at_end=True):
        """Turn ids back into text.

        Args:
            ids: a sequence of ints.
            skip_special: drop `<pad>`, `<s>`, `</s>`, `<mask>` (not `<unk>`).
            stop_at_end: stop at the first `</s>` if the vocabulary has one.
        """
        end = self._stoi.get(END)
        skipped = {0, *(self._stoi[s] for s in self.specials)} if skip_special else set()
        tokens = []
        for index in np.asarray(ids).reshape(-1).tolist():
            if stop_at_end and end is not None and index == end:
                break
            if index in skipped:
                continue
            tokens.append(self._itos[index] if 0 <= index < len(self._itos) else UNK)
        return "".join(tokens) if self.level == "char" else " ".join(tokens)

    # ------------------------------------------------------------- TF graphs
    def lookup_layer(self, invert=False):
        """A `keras.layers.StringLookup` with exactly this vocabulary's ids.

        With `invert=True` it maps ids back to token strings. Use it in
        `tf.data` pipelines and exported graphs.
        """
        import keras

        return keras.layers.StringLookup(
            vocabulary=[*self.specials, *self.tokens],
            mask_token=PAD,
            oov_token=UNK,
            num_oov_indices=1,
            invert=invert,
        )

    # -------------------------------------------------------- save / restore
    def get_config(self):
        return {
            "format_version": _FORMAT_VERSION,
            "level": self.level,
            "specials": list(self.specials),
            "tokens": list(self.tokens),
        }

    @classmethod
    def from_config(cls, config):
        version = config.get("format_version")
        if version != _FORMAT_VERSION:
            raise ValueError(
                f"unsupported vocabulary format_version={version!r} (this kerasrnn reads "
                f"{_FORMAT_VERSION}); re-create the vocabulary with this version of kerasrnn"
            )
        return cls(config["tokens"], level=config["level"], specials=config["specials"])

    def save(self, path):
        """Write the vocabulary as JSON (atomically)."""
        atomic_write_json(path, self.get_config())

    @classmethod
    def load(cls, path):
        """Read a vocabulary written by `save`, with a clear error if it is missing or damaged."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"vocabulary file not found: {path}")
        try:
            with open(path, encoding="utf-8") as f:
                config = json.load(f)
            return cls.from_config(config)
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as error:
            raise ValueError(
                f"vocabulary file {path} is corrupt or not a kerasrnn vocabulary "
                f"({type(error).__name__}: {error}); re-run the recipe that wrote it"
            ) from None

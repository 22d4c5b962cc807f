"""How a text becomes the word stream word2vec trains on (`word2vec_tokens`, `word_vocabulary`, `encode_words`).

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
"""

import collections
import re

import numpy as np

from kerasrnn.text.normalization import split_words
from kerasrnn.utils.validation import check_int_in_range
from kerasrnn.utils.validation import check_positive_int

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
    min_count = check_positive_int(min_count, "min_count")
    max_size = check_int_in_range(max_size, "max_size", 1, allow_none=True)
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

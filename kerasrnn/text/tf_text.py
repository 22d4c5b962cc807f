"""TensorFlow twins of the text normalisers, for graphs that take raw strings (SavedModel export).

`tf_normalize_sentence` applies the same steps as
`kerasrnn.text.normalization.normalize_sentence`, with the same regular
expressions, as `tf.strings` / `tensorflow_text` ops, so an exported model
tokenises a sentence exactly as the model saw it in training. The tests
compare the two on every sentence of a corpus and on every kind of space.

This module imports TensorFlow and tensorflow-text; nothing else in
`kerasrnn.text` does.
"""

import tensorflow as tf
import tensorflow_text as tf_text

from kerasrnn.text.normalization import _TRANSLATIONS
from kerasrnn.text.normalization import SEPARATE_PUNCTUATION

# Python's `\s` (str patterns) matches every character for which str.isspace() is true;
# RE2's `\s` only matches ASCII whitespace, so name the others.
_ANY_SPACE = r"[\s\x{0B}\x{1C}-\x{1F}\x{85}\p{Z}]+"


def _re2_literal(text):
    return "".join(f"\\x{{{ord(c):04X}}}" for c in text)


def tf_normalize_sentence(texts):
    """`normalize_sentence` as TensorFlow ops on a string tensor of any shape.

    Example:

    >>> tf_normalize_sentence(tf.constant(["Qu'est-ce que c'est\u202f?"])).numpy()[0].decode()
    "qu'est-ce que c'est ?"
    """
    texts = tf_text.normalize_utf8(tf.convert_to_tensor(texts, tf.string), "NFC")
    for source, target in _TRANSLATIONS.items():
        texts = tf.strings.regex_replace(texts, _re2_literal(source), target)
    texts = tf.strings.lower(texts, encoding="utf-8")
    texts = tf.strings.regex_replace(texts, SEPARATE_PUNCTUATION[0], SEPARATE_PUNCTUATION[1])
    texts = tf.strings.regex_replace(texts, _ANY_SPACE, " ")
    return tf.strings.strip(texts)


def tf_split_words(texts):
    """`split_words` for a 1-D string tensor: a `tf.RaggedTensor` of word tokens."""
    return tf.strings.split(tf_normalize_sentence(texts), sep=" ")

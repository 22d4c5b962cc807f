"""TensorFlow twins of the text normalisers, for graphs that take raw strings (SavedModel export).

`tf_normalize_sentence` applies the same steps as
`kerasrnn.text.normalization.normalize_sentence`, with the same regular
expressions, as `tf.strings` / `tensorflow_text` ops, so an exported model
tokenises a sentence exactly as the model saw it in training. The tests
compare the two on every sentence of a corpus and on every kind of space.

`tf_sentencepiece_tokenizer` is the twin of the subword vocabulary
(`kerasrnn.text.subword`): the same SentencePiece model in a TensorFlow op.

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


def tf_sentencepiece_tokenizer(vocabulary, name="subwords"):
    """`kerasrnn.text.subword.SubwordVocabulary`'s TensorFlow twin: a `tensorflow_text.SentencepieceTokenizer`.

    Built from the same serialized model (its normaliser included), so
    `tokenize(sentences)` gives the ids `vocabulary.encode` gives, as a
    `tf.RaggedTensor`, and `detokenize(ids)` the text `vocabulary.decode`
    gives once padding, `<s>` and `</s>` are dropped. The model bytes become a
    constant of the graph that uses it: a SavedModel carries the vocabulary.

    Give each tokenizer of one graph its own `name`: a restored SavedModel
    otherwise shares one SentencePiece model between tokenizers whose
    initialiser ops have the same name (the second would read the first's
    pieces).

    Example:

    >>> tokenizer = tf_sentencepiece_tokenizer(vocabulary)
    >>> tokenizer.detokenize(tokenizer.tokenize(tf.constant(["J'ai froid."]))).numpy()[0].decode()
    "J'ai froid."
    """
    return tf_text.SentencepieceTokenizer(model=vocabulary.model_proto, out_type=tf.int32, name=name)

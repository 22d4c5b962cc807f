"""Vocabularies, normalisation and tokenisation."""

from kerasrnn.text.normalization import join_words
from kerasrnn.text.normalization import normalize_name
from kerasrnn.text.normalization import normalize_sentence
from kerasrnn.text.normalization import split_words
from kerasrnn.text.normalization import strip_accents
from kerasrnn.text.normalization import unicode_to_ascii
from kerasrnn.text.vocabulary import END
from kerasrnn.text.vocabulary import MASK
from kerasrnn.text.vocabulary import PAD
from kerasrnn.text.vocabulary import START
from kerasrnn.text.vocabulary import UNK
from kerasrnn.text.vocabulary import UnknownWordError
from kerasrnn.text.vocabulary import Vocabulary
from kerasrnn.text.word2vec import encode_words
from kerasrnn.text.word2vec import word2vec_tokens
from kerasrnn.text.word2vec import word_vocabulary

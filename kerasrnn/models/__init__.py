"""Functional models assembled from kerasrnn layers, one file per task family."""

from kerasrnn.models.echo_state_network import EchoStateNetwork
from kerasrnn.models.language_model import build_language_model
from kerasrnn.models.seq2seq import Seq2Seq
from kerasrnn.models.seq2seq import SparseLabelSmoothingCrossentropy
from kerasrnn.models.seq2seq import sequence_loss
from kerasrnn.models.sequence_classifier import build_ngram_bag_classifier
from kerasrnn.models.sequence_classifier import build_sequence_classifier
from kerasrnn.models.word2vec import Word2Vec

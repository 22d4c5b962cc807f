"""Keras layers written with `keras.ops` only: they run on TensorFlow, JAX and PyTorch."""

from kerasrnn.layers.recurrent_factory import RECURRENT_KINDS
from kerasrnn.layers.recurrent_factory import make_recurrent_layer

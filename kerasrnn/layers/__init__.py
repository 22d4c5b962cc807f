"""Keras layers written with `keras.ops` only: they run on TensorFlow, JAX and PyTorch."""

from kerasrnn.layers.char_ngram_bag import CharNgramBag
from kerasrnn.layers.char_ngrams import CharNgrams
from kerasrnn.layers.echo_state import EchoState
from kerasrnn.layers.echo_state import EchoStateCell
from kerasrnn.layers.echo_state import make_reservoir
from kerasrnn.layers.echo_state import reservoir_states
from kerasrnn.layers.fused_rnn import GRU
from kerasrnn.layers.fused_rnn import LSTM
from kerasrnn.layers.fused_rnn import SimpleRNN
from kerasrnn.layers.layer_norm_gru import LayerNormGRU
from kerasrnn.layers.layer_norm_gru import LayerNormGRUCell
from kerasrnn.layers.layer_norm_lstm import LayerNormLSTM
from kerasrnn.layers.layer_norm_lstm import LayerNormLSTMCell
from kerasrnn.layers.layer_norm_simple_rnn import LayerNormSimpleRNN
from kerasrnn.layers.layer_norm_simple_rnn import LayerNormSimpleRNNCell
from kerasrnn.layers.recurrent_factory import RECURRENT_KINDS
from kerasrnn.layers.recurrent_factory import make_recurrent_layer
from kerasrnn.layers.seq2seq import Seq2SeqDecoder
from kerasrnn.layers.seq2seq import Seq2SeqEncoder
from kerasrnn.layers.skip_gram import SkipGramLoss
from kerasrnn.layers.skip_gram import SkipGramNegativeSampling
from kerasrnn.layers.skip_gram import skip_gram_loss
from kerasrnn.layers.teaching_cells import ElmanCell
from kerasrnn.layers.teaching_cells import JordanCell
from kerasrnn.layers.teaching_cells import OutputFeedbackCell
from kerasrnn.layers.teaching_cells import teacher_forcing_inputs

"""Cross-backend cases for the LayerNorm recurrent layers (batch 3, time 5, features 4, units 6).

Each `build_fn()` returns `(model, inputs)`: a small functional model with seeded
initializers (all gains and biases random, so every weight matters) and fixed inputs.
"""

import keras
import numpy as np

from kerasrnn.layers import LayerNormGRU
from kerasrnn.layers import LayerNormGRUCell
from kerasrnn.layers import LayerNormLSTM
from kerasrnn.layers import LayerNormSimpleRNN

BATCH, TIME, FEATURES, UNITS = 3, 5, 4, 6


def _inputs():
    return np.random.default_rng(0).normal(size=(BATCH, TIME, FEATURES)).astype("float32")


def _initializers(seed):
    return {
        "kernel_initializer": keras.initializers.GlorotUniform(seed=seed),
        "recurrent_initializer": keras.initializers.Orthogonal(seed=seed + 1),
        "bias_initializer": keras.initializers.RandomNormal(stddev=0.2, seed=seed + 2),
        "gamma_initializer": keras.initializers.RandomUniform(0.3, 0.8, seed=seed + 3),
    }


def _model(layer):
    inputs = keras.Input((TIME, FEATURES))
    return keras.Model(inputs, layer(inputs))


def layer_norm_simple_rnn():
    return _model(LayerNormSimpleRNN(UNITS, return_sequences=True, **_initializers(10))), _inputs()


def layer_norm_lstm():
    layer = LayerNormLSTM(
        UNITS, beta_initializer=keras.initializers.RandomNormal(stddev=0.3, seed=24), **_initializers(20)
    )
    return _model(layer), _inputs()


def layer_norm_gru_backwards():
    layer = LayerNormGRU(UNITS, return_sequences=True, go_backwards=True, **_initializers(30))
    return _model(layer), _inputs()


def bidirectional_layer_norm_simple_rnn():
    layer = keras.layers.Bidirectional(LayerNormSimpleRNN(UNITS, return_sequences=True, **_initializers(40)))
    return _model(layer), _inputs()


def masked_layer_norm_lstm():
    inputs = _inputs()
    inputs[0, 3:] = 0.0  # the first sequence is two steps shorter
    sequences = keras.Input((TIME, FEATURES))
    masked = keras.layers.Masking(mask_value=0.0)(sequences)
    layer = LayerNormLSTM(UNITS, return_sequences=True, **_initializers(50))
    return keras.Model(sequences, layer(masked)), inputs


def layer_norm_gru_cell_in_keras_rnn():
    return _model(keras.layers.RNN(LayerNormGRUCell(UNITS, **_initializers(60)))), _inputs()


CASES = {
    "layer_norm_simple_rnn": layer_norm_simple_rnn,
    "layer_norm_lstm": layer_norm_lstm,
    "layer_norm_gru_backwards": layer_norm_gru_backwards,
    "bidirectional_layer_norm_simple_rnn": bidirectional_layer_norm_simple_rnn,
    "masked_layer_norm_lstm": masked_layer_norm_lstm,
    "layer_norm_gru_cell_in_keras_rnn": layer_norm_gru_cell_in_keras_rnn,
}

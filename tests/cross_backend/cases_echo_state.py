"""Cross-backend cases for the echo-state reservoir and network.

Every `build_fn()` returns `(model, inputs)`. The reservoirs are drawn with
NumPy from their seeds and the other weights are set from NumPy, so each model
is the same on every backend before it is saved.
"""

import keras
import numpy as np

from kerasrnn.layers.echo_state import EchoState
from kerasrnn.models.echo_state_network import EchoStateNetwork


def _set_weights_from_numpy(layer, seed):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(scale=0.3, size=w.shape).astype("float32") for w in layer.get_weights()])


def echo_state_with_dense_readout():
    inputs = keras.Input((6, 3))
    states = EchoState(
        16, connectivity=0.3, spectral_radius=0.95, leak_rate=0.6, bias_scaling=0.2, seed=0,
        return_sequences=True,
    )(inputs)  # (batch, 6, 16)
    backwards = EchoState(8, connectivity=0.5, leak_rate=0.8, seed=1, go_backwards=True)
    last_state = backwards(inputs)  # (batch, 8)
    readout = keras.layers.Dense(2, name="readout")
    outputs = keras.layers.Concatenate()([readout(states)[:, -1], last_state])  # (batch, 10)
    model = keras.Model(inputs, outputs)
    _set_weights_from_numpy(readout, seed=2)
    data = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    return model, data


def echo_state_network_series():
    model = EchoStateNetwork(16, input_dim=2, leak_rate=0.5, bias_scaling=0.1, seed=3)
    _set_weights_from_numpy(model.readout, seed=4)
    data = np.random.default_rng(0).normal(size=(2, 7, 2)).astype("float32")
    return model, data


def echo_state_network_tokens():
    model = EchoStateNetwork(16, vocabulary_size=6, spectral_radius=0.8, seed=5)
    _set_weights_from_numpy(model.readout, seed=6)
    data = np.random.default_rng(0).integers(0, 6, size=(2, 5)).astype("int32")
    return model, data


def echo_state_network_token_embedding():
    model = EchoStateNetwork(16, vocabulary_size=6, embedding_dim=4, seed=7)
    _set_weights_from_numpy(model.get_layer("embedding"), seed=8)
    _set_weights_from_numpy(model.readout, seed=9)
    data = np.random.default_rng(0).integers(0, 6, size=(2, 5)).astype("int32")
    return model, data


CASES = {
    "echo_state_with_dense_readout": echo_state_with_dense_readout,
    "echo_state_network_series": echo_state_network_series,
    "echo_state_network_tokens": echo_state_network_tokens,
    "echo_state_network_token_embedding": echo_state_network_token_embedding,
}

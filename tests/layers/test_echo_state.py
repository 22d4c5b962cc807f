"""Tests for the echo-state reservoir cell and layer."""

import keras
import numpy as np
import pytest

from kerasrnn.utils import random_reservoir
from kerasrnn.layers.echo_state import EchoState, EchoStateCell, make_reservoir, reservoir_states
from tests.testing import assert_allclose, run_layer_test, to_numpy


def _inputs(batch=2, time=12, features=3, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, time, features)).astype("float32")


def _numpy_states(inputs, kernel, recurrent_kernel, bias, leak_rate, initial_state=None, mask=None):
    """Reference recurrence in float64: all states, shape (batch, time, units)."""
    batch, time, _ = inputs.shape
    state = np.zeros((batch, len(bias))) if initial_state is None else initial_state.astype(np.float64)
    states = []
    for t in range(time):
        activation = np.tanh(inputs[:, t] @ kernel + state @ recurrent_kernel + bias)
        new_state = (1 - leak_rate) * state + leak_rate * activation
        if mask is not None:
            new_state = np.where(mask[:, t, None], new_state, state)
        state = new_state
        states.append(state)
    return np.stack(states, axis=1)


def _built(layer, features=3):
    layer.build((None, None, features))
    return layer


def test_spectral_radius_of_recurrent_matrix():
    for spectral_radius in (0.5, 1.25):
        layer = _built(EchoState(100, connectivity=0.1, spectral_radius=spectral_radius, seed=0))
        _, recurrent_kernel, _ = layer.reservoir_weights()
        radius = np.max(np.abs(np.linalg.eigvals(recurrent_kernel.astype(np.float64))))
        assert abs(radius - spectral_radius) <= 0.01 * spectral_radius


@pytest.mark.parametrize(
    "units, connectivity, seeds",
    [(500, 0.1, range(12)), (300, 0.02, range(12)), (1000, 0.01, range(3)), (250, 0.5, range(3))],
)
def test_arnoldi_spectral_radius_equals_all_eigenvalues(units, connectivity, seeds):
    # From 200 units make_reservoir takes the radius from ARPACK on W^4; it is
    # the largest modulus of all of W's eigenvalues (np.linalg.eigvals).
    for seed in seeds:
        rng = np.random.default_rng(seed)
        matrix = rng.standard_normal((units, units)) * random_reservoir._sparse_mask(rng, (units, units), connectivity)
        assert random_reservoir._arnoldi_spectral_radius(matrix) is not None  # the ARPACK path ran
        exact = np.max(np.abs(np.linalg.eigvals(matrix)))
        assert_allclose(random_reservoir._spectral_radius(matrix), exact, rtol=1e-9)
    # The rescaled reservoir has the requested radius to float64 rounding.
    _, recurrent_kernel, _ = make_reservoir(1, units, connectivity=connectivity, spectral_radius=1.25, seed=7)
    assert_allclose(np.max(np.abs(np.linalg.eigvals(recurrent_kernel))), 1.25, rtol=1e-9)


def test_spectral_radius_falls_back_to_all_eigenvalues():
    units = 300
    # All eigenvalues on the unit circle: ARPACK cannot separate them and gives up.
    cycle = np.roll(np.eye(units), 1, axis=1)
    assert_allclose(random_reservoir._spectral_radius(cycle), 1.0, rtol=1e-12)
    # About one input per unit: mostly acyclic, nearly nilpotent wiring goes to np.linalg.eigvals.
    rng = np.random.default_rng(1)
    sparse = rng.standard_normal((units, units)) * random_reservoir._sparse_mask(rng, (units, units), 1.0 / units)
    assert random_reservoir._arnoldi_spectral_radius(sparse) is None
    assert random_reservoir._spectral_radius(sparse) == np.max(np.abs(np.linalg.eigvals(sparse)))
    # One off-diagonal weight: nilpotent, no non-zero eigenvalue to rescale.
    with pytest.raises(ValueError, match="no non-zero eigenvalue"):
        make_reservoir(1, units, connectivity=1e-6, seed=0)


@pytest.mark.parametrize("connectivity, input_connectivity", [(0.05, 0.3), (0.2, 1.0)])
def test_sparsity_matches_connectivity(connectivity, input_connectivity):
    layer = _built(
        EchoState(200, connectivity=connectivity, input_connectivity=input_connectivity, seed=1),
        features=10,
    )
    kernel, recurrent_kernel, bias = layer.reservoir_weights()
    assert kernel.shape == (10, 200) and recurrent_kernel.shape == (200, 200) and bias.shape == (200,)
    assert abs(np.mean(recurrent_kernel != 0) - connectivity) <= 0.02 * connectivity
    assert abs(np.mean(kernel != 0) - input_connectivity) <= 0.02 * input_connectivity


def test_input_and_bias_scaling_bound_the_weights():
    layer = _built(EchoState(50, input_scaling=0.3, bias_scaling=0.2, seed=2))
    kernel, _, bias = layer.reservoir_weights()
    assert np.abs(kernel).max() <= 0.3 and np.abs(kernel).max() > 0.25
    assert np.abs(bias).max() <= 0.2 and np.abs(bias).max() > 0.15
    no_bias = _built(EchoState(50, seed=2))
    assert not np.any(no_bias.reservoir_weights()[2])


def test_reservoir_weights_are_non_trainable():
    layer = _built(EchoState(20, seed=0))
    assert layer.trainable_weights == []
    assert sorted(w.name for w in layer.non_trainable_weights) == ["bias", "kernel", "recurrent_kernel"]


def test_recurrence_matches_numpy():
    inputs = _inputs()
    arguments = {"leak_rate": 0.3, "spectral_radius": 0.95, "bias_scaling": 0.5, "seed": 3}
    layer = EchoState(16, return_sequences=True, return_state=True, **arguments)
    states, last_state = layer(inputs)
    kernel, recurrent_kernel, bias = layer.reservoir_weights()
    expected = _numpy_states(inputs, kernel, recurrent_kernel, bias, leak_rate=0.3)
    assert states.shape == (2, 12, 16) and last_state.shape == (2, 16)
    assert_allclose(states, expected, atol=1e-5)
    assert_allclose(last_state, expected[:, -1], atol=1e-5)
    # The cell alone, in a plain keras.layers.RNN, computes the same step.
    rnn = keras.layers.RNN(EchoStateCell(16, **arguments), return_sequences=True)
    assert_allclose(rnn(inputs), expected, atol=1e-5)


@pytest.mark.parametrize("leak_rate", [1.0, 0.3])
def test_reservoir_states_matches_numpy(leak_rate):
    inputs = _inputs(batch=3, time=20)
    kernel, recurrent_kernel, bias = make_reservoir(3, 24, spectral_radius=1.1, bias_scaling=0.3, seed=5)
    initial_state = np.random.default_rng(2).uniform(-1, 1, (3, 24))
    drives = (inputs @ kernel + bias).astype("float32")  # (3, 20, 24)
    states = reservoir_states(
        drives, recurrent_kernel.astype("float32"), leak_rate, initial_state.astype("float32")
    )
    expected = _numpy_states(
        inputs, kernel, recurrent_kernel, bias, leak_rate=leak_rate, initial_state=initial_state
    )
    assert tuple(states.shape) == (3, 20, 24)
    assert_allclose(states, expected, atol=1e-5)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the in-place torch loop is PyTorch's")
def test_torch_layer_keeps_gradients_to_its_inputs():
    # With inputs that need a gradient, the layer runs Keras' loop (the torch
    # kernel loop keeps no graph): same states, and a gradient comes back.
    import torch

    inputs = _inputs()
    layer = EchoState(16, leak_rate=0.4, seed=3, return_sequences=True)
    without_gradient = to_numpy(layer(inputs))
    tracked = torch.tensor(inputs, requires_grad=True)
    states = layer(tracked)
    assert states.requires_grad
    states.sum().backward()
    expected = _numpy_states(inputs, *layer.reservoir_weights(), leak_rate=0.4)
    assert_allclose(without_gradient, expected, atol=1e-5)
    assert_allclose(states.detach().cpu().numpy(), expected, atol=1e-5)
    assert tracked.grad is not None and float(tracked.grad.abs().sum()) > 0


def test_initial_state_go_backwards_and_mask_match_numpy():
    inputs = _inputs()
    initial_state = np.random.default_rng(1).uniform(-1, 1, (2, 16)).astype("float32")
    mask = np.ones((2, 12), dtype=bool)
    mask[0, :3] = False  # the first sequence is left-padded
    mask[1, 5] = False
    layer = EchoState(16, leak_rate=0.5, bias_scaling=0.1, seed=4, return_sequences=True, go_backwards=True)
    states = layer(inputs, initial_state=initial_state, mask=mask)
    weights = layer.reservoir_weights()
    # Backwards, the mask is reversed with the inputs.
    expected = _numpy_states(
        inputs[:, ::-1], *weights, leak_rate=0.5, initial_state=initial_state, mask=mask[:, ::-1]
    )
    assert_allclose(states, expected, atol=1e-5)


def test_stateful_layer_carries_state_between_calls():
    inputs = _inputs()
    layer = EchoState(16, leak_rate=0.6, seed=6, stateful=True)
    layer(inputs[:, :6])
    last_state = layer(inputs[:, 6:])
    expected = _numpy_states(inputs, *layer.reservoir_weights(), leak_rate=0.6)
    assert_allclose(last_state, expected[:, -1], atol=1e-5)
    layer.reset_state()
    assert not np.any(to_numpy(layer.states[0]))


def test_leak_rate_and_spectral_radius_change_the_states():
    # tensorflow/addons#2811: there, neither argument changed what the layer computed.
    inputs = _inputs()

    def states(**kwargs):
        return to_numpy(EchoState(16, seed=7, return_sequences=True, **kwargs)(inputs))

    reference = states(leak_rate=1.0, spectral_radius=0.9)
    assert np.abs(states(leak_rate=0.2, spectral_radius=0.9) - reference).mean() > 0.05
    assert np.abs(states(leak_rate=1.0, spectral_radius=0.3) - reference).mean() > 0.05
    # The recurrent matrix is the same one, rescaled.
    low = _built(EchoState(16, seed=7, spectral_radius=0.3)).reservoir_weights()[1]
    high = _built(EchoState(16, seed=7, spectral_radius=0.9)).reservoir_weights()[1]
    assert_allclose(3 * low, high, atol=1e-6)


def test_same_seed_same_reservoir_different_seed_different():
    first = _built(EchoState(40, bias_scaling=0.5, seed=11)).reservoir_weights()
    second = _built(EchoState(40, bias_scaling=0.5, seed=11)).reservoir_weights()
    other = _built(EchoState(40, bias_scaling=0.5, seed=12)).reservoir_weights()
    for a, b, c in zip(first, second, other):
        np.testing.assert_array_equal(a, b)
        assert not np.allclose(a, c)
    # The reservoir is drawn with NumPy only: the same on every backend.
    kernel, recurrent_kernel, bias = make_reservoir(3, 40, bias_scaling=0.5, seed=11)
    assert_allclose(first[0], kernel, atol=1e-7)
    assert_allclose(first[1], recurrent_kernel, atol=1e-7)
    assert_allclose(first[2], bias, atol=1e-7)


def test_echo_state_property():
    rng = np.random.default_rng(8)
    initial_state = rng.uniform(-1, 1, (1, 16)).astype("float32")
    initial_states = np.concatenate([initial_state, -initial_state])  # (2, 16)
    # Without input (and bias), the state decays to zero.
    layer = EchoState(16, spectral_radius=0.8, seed=8)
    last_states = to_numpy(layer(np.zeros((2, 60, 3), "float32"), initial_state=initial_states))
    assert np.linalg.norm(last_states[0]) < 1e-3 * np.linalg.norm(initial_state)
    # Driven by the same input, two different initial states forget themselves.
    driven = EchoState(16, spectral_radius=0.8, bias_scaling=0.2, seed=8)
    inputs = np.repeat(rng.normal(size=(1, 60, 3)).astype("float32"), 2, axis=0)
    last_states = to_numpy(driven(inputs, initial_state=initial_states))
    assert np.abs(last_states[0] - last_states[1]).max() < 1e-3
    assert np.abs(last_states[0]).max() > 0.05  # but the input still drives the state


def test_reservoir_weights_before_build_raises():
    with pytest.raises(ValueError, match="built"):
        EchoState(10).reservoir_weights()


def test_config_round_trip_and_keras_file(tmp_path):
    # The reservoir is fixed (no trainable weights): no training step.
    arguments = {"units": 16, "connectivity": 0.2, "spectral_radius": 1.1, "leak_rate": 0.7, "bias_scaling": 0.1,
                 "seed": 9}
    data = _inputs()
    model = run_layer_test(EchoState, arguments, data, expected_output_shape=(2, 16), training=False)
    layer = model.layers[1]
    config = layer.get_config()
    assert config["spectral_radius"] == 1.1 and config["seed"] == 9 and "cell" not in config
    run_layer_test(EchoStateCell, {"units": 5, "leak_rate": 0.2, "seed": 1}, data,
                   wrap=keras.layers.RNN, expected_output_shape=(2, 5), training=False)

    # The .keras file holds the reservoir itself, bit for bit.
    path = tmp_path / "echo_state.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for a, b in zip(loaded.layers[1].reservoir_weights(), layer.reservoir_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"units": 0}, "`units` must be a positive integer, received: units=0"),
        ({"units": 2.5}, "units=2.5"),
        ({"connectivity": 0.0}, "`connectivity` must be in \\(0, 1\\], received: connectivity=0.0"),
        ({"connectivity": 1.5}, "connectivity=1.5"),
        ({"input_connectivity": 0}, "input_connectivity=0"),
        ({"input_connectivity": 2}, "input_connectivity=2"),
        ({"spectral_radius": 0}, "`spectral_radius` must be a positive number, received: spectral_radius=0"),
        ({"spectral_radius": -1.0}, "spectral_radius=-1.0"),
        ({"leak_rate": 0.0}, "`leak_rate` must be in \\(0, 1\\], received: leak_rate=0.0"),
        ({"leak_rate": 1.2}, "leak_rate=1.2"),
        ({"input_scaling": 0}, "input_scaling=0"),
        ({"bias_scaling": -0.1}, "bias_scaling=-0.1"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    arguments = {"units": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        EchoState(**arguments)
    with pytest.raises(ValueError, match=message):
        EchoStateCell(**arguments)

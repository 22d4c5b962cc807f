"""Tests for the echo-state network: closed-form readout, forecasting, tokens, saving."""

import threading
import warnings

import keras
import numpy as np
import pytest

from kerasrnn.models import echo_state_network
from kerasrnn.models.echo_state_network import EchoStateNetwork
from kerasrnn.training import ridge as ridge_module
from tests import testing
from tests.testing import assert_allclose


def mackey_glass(length, tau=17, dt=0.1, sample_every=10, discard=100):
    """A standardised Mackey-Glass series (Euler steps of `dt`), shape (length, 1)."""
    lag = int(round(tau / dt))
    total = (length + discard) * sample_every
    x = np.full(total + lag, 1.2)
    for i in range(lag, total + lag - 1):
        delayed = x[i - lag]
        x[i + 1] = x[i] + dt * (0.2 * delayed / (1.0 + delayed**10) - 0.1 * x[i])
    series = x[lag::sample_every][discard : discard + length]
    return ((series - series.mean()) / series.std()).astype("float32")[:, None]


TRAIN = 250  # steps of the series used to fit the readout
WARMUP_STEPS = 50


@pytest.fixture(scope="module")
def series():
    return mackey_glass(350)


def _time_series_esn(units=100, **kwargs):
    return EchoStateNetwork(units, input_dim=1, leak_rate=0.5, bias_scaling=0.1, seed=0, **kwargs)


@pytest.fixture(scope="module")
def fitted(series):
    """A reservoir of 100 units whose readout predicts the next value, and its training errors."""
    esn = _time_series_esn()
    errors = esn.fit_readout(series[None, : TRAIN - 1], series[None, 1:TRAIN], ridge=1e-6, warmup_steps=WARMUP_STEPS)
    return esn, errors


def _states_and_outputs(esn, inputs):
    """The reservoir states (float64) and the outputs of `esn` on `inputs`, from one compiled call."""
    probe = keras.Model(esn.input, [esn.reservoir.output, esn.output])
    states, outputs = probe.predict_on_batch(inputs)
    return np.asarray(states, np.float64), np.asarray(outputs)


def _numpy_ridge(states, targets, ridge):
    design = np.concatenate([states, np.ones((len(states), 1))], axis=1)
    penalty = np.diag(np.r_[np.full(states.shape[1], ridge), 0.0])
    return np.linalg.solve(design.T @ design + penalty, design.T @ targets)


def test_fit_readout_predicts_one_step_ahead_and_matches_numpy_ridge(series, fitted):
    esn, errors = fitted
    assert errors["nrmse"] < 0.01
    targets = series[WARMUP_STEPS + 1 : TRAIN].astype(np.float64)  # (TRAIN - 1 - WARMUP_STEPS, 1)

    # The readout is the NumPy ridge solution on the same states. The states and
    # outputs of the training steps do not depend on the later inputs.
    states, predictions = _states_and_outputs(esn, series[None, :-1])
    train_states, train_predictions = states[0, WARMUP_STEPS : TRAIN - 1], predictions[0, WARMUP_STEPS : TRAIN - 1]
    expected = _numpy_ridge(train_states, targets, ridge=1e-6)
    assert_allclose(train_predictions, train_states @ expected[:-1] + expected[-1], atol=1e-4)
    # The reported errors are those of the written readout.
    mse = np.mean((train_predictions - targets) ** 2)
    assert_allclose(errors["mse"], mse, rtol=1e-2, atol=1e-9)
    assert_allclose(errors["nrmse"], np.sqrt(mse) / targets.std(), rtol=1e-2)

    # Held-out one-step-ahead predictions.
    held_out = predictions[0, TRAIN:]
    nrmse = np.sqrt(np.mean((held_out - series[TRAIN + 1 :]) ** 2)) / series[TRAIN + 1 :].std()
    assert nrmse < 0.02


@pytest.mark.parametrize("chunk_steps", [1024, 7, 3])
def test_fit_readout_weights_equal_numpy_ridge_over_batches(chunk_steps, monkeypatch):
    # Several batches, warm-up steps, two inputs and three outputs: the readout is
    # the float64 ridge solution of the NumPy design matrix [states, 1]. With
    # short chunks the reservoir runs in pieces (chunks of 7 steps: the warm-up
    # inside the first; of 3: a whole chunk of warm-up), carrying its state.
    monkeypatch.setattr(ridge_module, "_CHUNK_STEPS", chunk_steps)
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(5, 30, 2)).astype("float32")
    targets = rng.normal(size=(5, 30, 3))
    esn = EchoStateNetwork(40, input_dim=2, output_dim=3, leak_rate=0.4, bias_scaling=0.2, seed=5)
    errors = esn.fit_readout(inputs, targets, ridge=1e-2, warmup_steps=4, batch_size=2)
    # The states by Keras' own RNN loop, which may round differently from the
    # compiled function fit_readout runs (XLA's tanh on TensorFlow): float32
    # tolerances on weights of size ~10.
    states, _ = _states_and_outputs(esn, inputs)  # (5, 30, 40)
    states = states[:, 4:].reshape(-1, 40)
    flat_targets = targets[:, 4:].reshape(-1, 3)
    expected = _numpy_ridge(states, flat_targets, ridge=1e-2)  # (41, 3)
    kernel, bias = esn.readout.get_weights()
    assert_allclose(kernel, expected[:-1], rtol=1e-3, atol=1e-4)
    assert_allclose(bias, expected[-1], rtol=1e-3, atol=1e-4)
    residual = flat_targets - (states @ expected[:-1] + expected[-1])
    assert_allclose(errors["mse"], np.mean(residual**2), rtol=1e-4)


def test_fit_readout_sums_states_with_one_blas_thread_then_restores(monkeypatch):
    # The worker adding states to X^T X runs BLAS on one thread (so it does
    # not compete with the reservoir for the cores); the limit is lifted after.
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        """{library path: threads} of the BLAS libraries loaded now (torch may load its own mid-test)."""
        return {pool["filepath"]: pool["num_threads"] for pool in threadpoolctl.threadpool_info()
                if pool["user_api"] == "blas"}

    before = blas_threads()
    if not before:
        pytest.skip("NumPy reports no BLAS thread pool")
    seen, threads = [], set()
    add = ridge_module._RidgeSums.add

    def recording_add(self, states, targets):
        seen.append(blas_threads())
        threads.add(threading.get_ident())
        return add(self, states, targets)

    monkeypatch.setattr(ridge_module._RidgeSums, "add", recording_add)
    monkeypatch.setattr(ridge_module, "_CHUNK_STEPS", 8)
    inputs = np.random.default_rng(0).normal(size=(1, 30, 1)).astype("float32")
    EchoStateNetwork(20, input_dim=1, seed=0).fit_readout(inputs, inputs, ridge=1e-3, warmup_steps=2)
    assert len(seen) == 4 and all(set(counts.values()) == {1} for counts in seen)
    after = blas_threads()
    assert {path: after[path] for path in before} == before
    # A worker thread beside the compiled reservoir; inline beside torch's Python loop, which holds the GIL.
    on_main_thread = threads == {threading.get_ident()}
    assert on_main_thread == (keras.backend.backend() == "torch")


def test_fit_readout_singular_system_without_ridge_raises():
    # Zero inputs and no bias: every state is zero, so X^T X is singular.
    esn = EchoStateNetwork(10, input_dim=1, seed=0)
    zeros = np.zeros((2, 8, 1), "float32")
    with pytest.raises(ValueError, match="singular.*ridge=0"):
        esn.fit_readout(zeros, zeros, ridge=0.0)
    esn.fit_readout(zeros, zeros, ridge=1e-6)  # a positive ridge makes it solvable


@pytest.mark.parametrize(
    "kwargs",
    [
        {"input_dim": 2, "output_dim": 3, "leak_rate": 0.3},
        {"vocabulary_size": 7},
        {"vocabulary_size": 7, "embedding_dim": 4, "leak_rate": 0.6},
    ],
)
def test_predict_equals_keras_model_predict(kwargs):
    esn = EchoStateNetwork(30, bias_scaling=0.1, seed=4, **kwargs)
    rng = np.random.default_rng(1)
    if "vocabulary_size" in kwargs:
        inputs = rng.integers(0, 7, size=(5, 9))
    else:
        inputs = rng.normal(size=(5, 9, 2)).astype("float32")
    esn.readout.set_weights([w + rng.normal(size=w.shape) for w in esn.readout.get_weights()])
    expected = keras.Model.predict(esn, inputs, verbose=0)  # Keras' traced model
    outputs = esn.predict(inputs, verbose=0)
    assert isinstance(outputs, np.ndarray) and outputs.shape == expected.shape
    assert_allclose(outputs, expected, atol=1e-5)
    # Batches are independent sequences: any batch size gives the same outputs.
    assert_allclose(esn.predict(inputs, batch_size=2), outputs, atol=1e-6)
    assert_allclose(esn.predict(keras.ops.convert_to_tensor(inputs)), outputs, atol=1e-6)


def test_predict_bad_inputs_raise():
    esn = EchoStateNetwork(10, input_dim=2, seed=0)
    with pytest.raises(ValueError, match=r"shape \(batch, timesteps, 2\), received: inputs.shape=\(3, 4, 1\)"):
        esn.predict(np.zeros((3, 4, 1), "float32"))
    with pytest.raises(ValueError, match="batch_size=0"):
        esn.predict(np.zeros((3, 4, 2), "float32"), batch_size=0)


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="PyTorch runs eagerly: nothing is traced")
def test_networks_of_one_shape_share_one_compiled_function(monkeypatch):
    # A new network (another seed, new weights) reuses the compiled reservoir
    # function: the weights are its arguments, not constants traced into it.
    traces = []
    reservoir_states = echo_state_network.reservoir_states

    def counting_reservoir_states(*args):
        traces.append(1)  # runs when the function is traced, not when it runs
        return reservoir_states(*args)

    monkeypatch.setattr(echo_state_network, "_COMPILED", {})
    monkeypatch.setattr(echo_state_network, "reservoir_states", counting_reservoir_states)
    rng = np.random.default_rng(2)
    inputs, targets = rng.normal(size=(2, 15, 1)).astype("float32"), rng.normal(size=(2, 15, 1))
    outputs = []
    for seed in (0, 1):
        esn = EchoStateNetwork(20, input_dim=1, leak_rate=0.5, seed=seed)
        esn.fit_readout(inputs, targets, ridge=1e-4)
        outputs.append(esn.predict(inputs))
        assert_allclose(outputs[-1], keras.Model.predict(esn, inputs, verbose=0), atol=1e-5)
        if seed == 0:
            first_traces = len(traces)
    assert first_traces >= 2  # "states" for fit_readout, "outputs" for predict
    assert len(traces) == first_traces
    assert np.abs(outputs[0] - outputs[1]).max() > 1e-3


def test_fit_readout_from_dataset_equals_arrays(series):
    tf = pytest.importorskip("tensorflow")
    windows = np.stack([series[i : i + 41] for i in range(0, 200, 50)])  # (4, 41, 1)
    inputs, targets = windows[:, :-1], windows[:, 1:]
    from_arrays = _time_series_esn(units=50)
    array_errors = from_arrays.fit_readout(inputs, targets, ridge=1e-5, warmup_steps=10, batch_size=2)
    from_dataset = _time_series_esn(units=50)
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(2)
    dataset_errors = from_dataset.fit_readout(dataset, ridge=1e-5, warmup_steps=10)
    for a, b in zip(from_arrays.readout.get_weights(), from_dataset.readout.get_weights()):
        assert_allclose(a, b, atol=1e-6)
    assert_allclose(array_errors["nrmse"], dataset_errors["nrmse"], rtol=1e-6)


def test_forecast_free_runs_close_to_truth(series, fitted):
    esn, _ = fitted
    warmups = np.stack([series[TRAIN - 100 : TRAIN], series[TRAIN - 50 : TRAIN + 50]])  # (2, 100, 1)
    forecasts = esn.forecast(warmups, steps=10)
    assert forecasts.shape == (2, 10, 1)
    assert np.abs(forecasts[0] - series[TRAIN : TRAIN + 10]).max() < 0.1
    assert np.abs(forecasts[1] - series[TRAIN + 50 : TRAIN + 60]).max() < 0.1

    # The same warm-up and free run, step by step in NumPy from the model's weights.
    kernel, recurrent_kernel, bias = esn.reservoir.reservoir_weights()
    readout_kernel, readout_bias = esn.readout.get_weights()
    state = np.zeros(100)
    for value in warmups[0]:
        state = 0.5 * state + 0.5 * np.tanh(value @ kernel + state @ recurrent_kernel + bias)
    expected = []
    for _ in range(10):
        prediction = state @ readout_kernel + readout_bias
        activation = np.tanh(prediction @ kernel + state @ recurrent_kernel + bias)
        state = 0.5 * state + 0.5 * activation
        expected.append(prediction)
    assert_allclose(forecasts[0], np.stack(expected), atol=1e-3)  # float32, fed back 10 times

    # One series in, one series out.
    single = esn.forecast(warmups[1, -60:], steps=3)
    assert single.shape == (3, 1)
    assert np.abs(single - series[TRAIN + 50 : TRAIN + 53]).max() < 0.1


@pytest.mark.parametrize("embedding_dim", [None, 8])
def test_token_model_learns_the_previous_token(embedding_dim):
    ids = np.random.default_rng(0).integers(0, 5, size=(16, 20))
    targets = np.concatenate([np.zeros((16, 1), ids.dtype), ids[:, :-1]], axis=1)  # the previous token
    esn = EchoStateNetwork(
        60, vocabulary_size=5, embedding_dim=embedding_dim, spectral_radius=0.5, bias_scaling=0.2, seed=1
    )
    errors = esn.fit_readout(ids, targets, ridge=1e-6, warmup_steps=1)
    probabilities = esn.predict(ids, verbose=0)
    assert probabilities.shape == (16, 20, 5)
    assert_allclose(probabilities.sum(-1), np.ones((16, 20)), atol=1e-5)
    assert np.mean(probabilities[:, 1:].argmax(-1) == targets[:, 1:]) > 0.95
    assert errors["nrmse"] < 0.5
    assert esn.trainable_weights == esn.readout.trainable_weights
    if embedding_dim is None:
        # Class ids and one-hot targets fit the same readout.
        kernel = esn.readout.get_weights()[0]
        esn.fit_readout(ids, np.eye(5)[targets], ridge=1e-6, warmup_steps=1)
        assert_allclose(esn.readout.get_weights()[0], kernel, atol=1e-6)


def test_gradient_training_of_the_readout_lowers_the_loss(series):
    windows = np.stack([series[i : i + 21] for i in range(0, 320, 40)])  # (8, 21, 1)
    esn = _time_series_esn(units=50)
    reservoir = esn.reservoir.reservoir_weights()
    esn.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    history = esn.fit(windows[:, :-1], windows[:, 1:], epochs=6, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    for before, after in zip(reservoir, esn.reservoir.reservoir_weights()):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"units": 40, "input_dim": 2, "output_dim": 3, "leak_rate": 0.4, "seed": 2},
        {"units": 40, "vocabulary_size": 9, "embedding_dim": 4, "seed": 3},
    ],
)
def test_keras_file_round_trip_restores_the_reservoir(kwargs, tmp_path):
    esn = EchoStateNetwork(**kwargs)
    rng = np.random.default_rng(0)
    if "vocabulary_size" in kwargs:
        inputs = rng.integers(0, 9, size=(3, 7))
    else:
        inputs = rng.normal(size=(3, 7, 2)).astype("float32")
    path = tmp_path / "esn.keras"
    esn.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, EchoStateNetwork)
    assert loaded.get_config() == esn.get_config()
    for a, b in zip(loaded.reservoir.reservoir_weights(), esn.reservoir.reservoir_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(loaded.get_weights(), esn.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert_allclose(loaded.predict(inputs, verbose=0), esn.predict(inputs, verbose=0), atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"units": 10}, "exactly one of `input_dim`"),
        ({"units": 10, "input_dim": 2, "vocabulary_size": 5}, "exactly one of `input_dim`"),
        ({"units": 10, "input_dim": 0}, "`input_dim` must be a positive integer, received: input_dim=0"),
        ({"units": 10, "input_dim": 2, "embedding_dim": 4}, "`embedding_dim` needs token inputs"),
        ({"units": 10, "vocabulary_size": 5, "output_dim": -1}, "output_dim=-1"),
        ({"units": 0, "input_dim": 1}, "units=0"),
        ({"units": 10, "input_dim": 1, "leak_rate": 0}, "leak_rate=0"),
    ],
)
def test_bad_model_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EchoStateNetwork(**kwargs)


def test_bad_fit_readout_and_forecast_arguments_raise():
    esn = EchoStateNetwork(10, input_dim=1, seed=0)
    inputs = np.zeros((2, 5, 1), "float32")
    with pytest.raises(ValueError, match="ridge=-1"):
        esn.fit_readout(inputs, inputs, ridge=-1)
    with pytest.raises(ValueError, match="warmup_steps=5 for sequences of 5 steps"):
        esn.fit_readout(inputs, inputs, warmup_steps=5)
    with pytest.raises(ValueError, match="targets.shape=\\(2, 5, 3\\)"):
        esn.fit_readout(inputs, np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="steps=0"):
        esn.forecast(inputs[0], steps=0)
    tokens = EchoStateNetwork(10, vocabulary_size=4, seed=0)
    with pytest.raises(ValueError, match="output_dim == input_dim"):
        tokens.forecast(np.zeros((5, 4)), steps=3)


def test_washout_is_a_deprecated_alias_of_warmup_steps(series):
    inputs, targets = series[None, : TRAIN - 1], series[None, 1:TRAIN]
    new, old = _time_series_esn(), _time_series_esn()
    new_errors = new.fit_readout(inputs, targets, ridge=1e-6, warmup_steps=WARMUP_STEPS)
    with pytest.warns(DeprecationWarning, match="`washout` is deprecated.*use `warmup_steps`"):
        old_errors = old.fit_readout(inputs, targets, ridge=1e-6, washout=WARMUP_STEPS)
    assert old_errors == new_errors
    for a, b in zip(old.get_weights(), new.get_weights()):
        np.testing.assert_array_equal(a, b)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _time_series_esn().fit_readout(inputs, targets, warmup_steps=WARMUP_STEPS)
    assert not [warning for warning in caught if "washout" in str(warning.message)]  # the new name is not deprecated
    with pytest.raises(ValueError, match="warmup_steps=3, washout=4"):
        old.fit_readout(inputs, targets, warmup_steps=3, washout=4)
    with pytest.raises(TypeError, match="washup"):
        old.fit_readout(inputs, targets, washup=4)


def test_the_shipped_echo_state_forecaster_loads_and_forecasts():
    path = testing.REPO_ROOT / "saved_models" / "echo_state_forecast" / "model.keras"
    if not path.exists():
        pytest.skip("no shipped echo-state model")
    esn = keras.saving.load_model(path)
    assert isinstance(esn, EchoStateNetwork) and esn.units == 500
    warmup = np.sin(0.1 * np.arange(200, dtype="float32"))[:, None]  # (200, 1)
    forecast = esn.forecast(warmup, steps=5)  # (5, 1)
    assert forecast.shape == (5, 1) and np.isfinite(forecast).all()
    # Refitting the readout with the new argument name works on the loaded model.
    errors = esn.fit_readout(warmup[None, :-1], warmup[None, 1:], ridge=1e-6, warmup_steps=100)
    assert np.isfinite(errors["nrmse"])
    import kerasrnn

    task = kerasrnn.load(str(path.parent))  # task.json names `warmup_steps`
    assert task.forecast(np.sin(np.arange(200) * 0.1), 5).shape == (5,)

"""Forecaster: fitting, one-step and free-running forecasts, saving, errors."""

import json
import os

import numpy as np
import pytest

import kerasrnn
import kerasrnn.tasks.forecaster  # noqa: F401  (registers the "forecaster" task)
from kerasrnn.datasets import mackey_glass
from kerasrnn.metrics.regression import nrmse
from kerasrnn.models.echo_state_network import EchoStateNetwork
from kerasrnn.tasks.forecaster import Forecaster
from tests import testing

TRAIN, TEST, WARMUP = 600, 200, 100


@pytest.fixture(scope="module")
def series():
    return mackey_glass(500 + TRAIN + TEST)[500:]  # on the attractor, values in about [0.4, 1.3]


def _forecaster(spectral_radius=1.25, leak_rate=0.3, units=100):
    model = EchoStateNetwork(units, input_dim=1, spectral_radius=spectral_radius, leak_rate=leak_rate,
                             input_scaling=0.5, bias_scaling=0.5, seed=0)
    return Forecaster(model, warmup_steps=WARMUP, card={"note": "test"})


@pytest.fixture(scope="module")
def fitted(series):
    forecaster = _forecaster()
    errors = forecaster.fit(series[:TRAIN], ridge=1e-6)
    return forecaster, errors


def _one_step_nrmse(forecaster, series):
    predictions = forecaster.predict_next(series[:-1])[TRAIN - 1 :]  # predictions of series[TRAIN:]
    return nrmse(series[TRAIN:], predictions)


def test_mackey_glass_one_step_and_free_running_errors_are_small(series, fitted):
    forecaster, errors = fitted
    assert errors["nrmse"] < 0.01
    np.testing.assert_allclose(forecaster.mean, [series[:TRAIN].mean()])
    np.testing.assert_allclose(forecaster.scale, [series[:TRAIN].std()])
    assert _one_step_nrmse(forecaster, series) < 0.01
    future = forecaster.forecast(series[:TRAIN], steps=50)
    assert future.shape == (50,) and future.dtype == np.float64
    assert nrmse(series[TRAIN : TRAIN + 50], future) < 0.05
    # A 2-D series gives a 2-D forecast; the numbers are the same.
    np.testing.assert_allclose(forecaster.forecast(series[:TRAIN, None], steps=50)[:, 0], future, atol=1e-6)


def test_sine_wave_in_its_own_units_is_forecast_closely():
    time = np.arange(700)
    sine = 3.0 + 2.0 * np.sin(0.2 * time)  # mean 3, amplitude 2: the scaling must be undone
    model = EchoStateNetwork(50, input_dim=1, spectral_radius=0.9, leak_rate=0.5, input_scaling=0.5,
                             bias_scaling=0.5, seed=0)
    forecaster = Forecaster(model, warmup_steps=50)
    forecaster.fit(sine[:500])
    future = forecaster.forecast(sine[:500], steps=200)
    assert np.abs(future - sine[500:]).max() < 0.01


def test_spectral_radius_and_leak_rate_change_the_reservoir_and_the_error(series, fitted):
    # The regression of tensorflow/addons#2811: there the spectral radius did not change the result.
    base, _ = fitted
    base_error = _one_step_nrmse(base, series)
    recurrent = base.model.reservoir.cell.reservoir_weights()[1]
    assert np.abs(np.linalg.eigvals(recurrent)).max() == pytest.approx(1.25, rel=1e-5)
    for kwargs in ({"spectral_radius": 0.1}, {"leak_rate": 0.05}):
        other = _forecaster(**kwargs)
        other.fit(series[:TRAIN], ridge=1e-6)
        if "spectral_radius" in kwargs:
            recurrent = other.model.reservoir.cell.reservoir_weights()[1]
            assert np.abs(np.linalg.eigvals(recurrent)).max() == pytest.approx(0.1, rel=1e-5)
        assert not np.allclose(other.model.readout.get_weights()[0], base.model.readout.get_weights()[0])
        assert _one_step_nrmse(other, series) > 5 * base_error, kwargs


def test_save_and_kerasrnn_load_give_identical_forecasts(series, fitted, tmp_path):
    forecaster, _ = fitted
    directory = tmp_path / "forecaster"
    forecaster.save(directory)
    assert sorted(os.listdir(directory)) == ["card.json", "model.keras", "task.json"]
    manifest = json.loads((directory / "task.json").read_text())
    assert manifest["task"] == "forecaster" and manifest["warmup_steps"] == WARMUP
    loaded = kerasrnn.load(directory)
    assert isinstance(loaded, Forecaster) and loaded.card == {"note": "test"}
    np.testing.assert_array_equal(loaded.mean, forecaster.mean)
    np.testing.assert_array_equal(loaded.scale, forecaster.scale)
    np.testing.assert_array_equal(loaded.forecast(series[:TRAIN], 30), forecaster.forecast(series[:TRAIN], 30))
    np.testing.assert_array_equal(loaded.predict_next(series[:TRAIN]), forecaster.predict_next(series[:TRAIN]))


def test_saved_here_loads_on_another_backend(series, fitted, tmp_path):
    forecaster, _ = fitted
    directory = tmp_path / "forecaster"
    forecaster.save(directory)
    expected = forecaster.forecast(series[:TRAIN], 20)
    np.save(tmp_path / "series.npy", series[:TRAIN])
    # One other backend per run (tensorflow -> jax -> torch -> tensorflow): three runs cover the cycle.
    other = testing.BACKENDS[(testing.BACKENDS.index(testing.backend()) + 1) % 3]
    result = testing.run_json(
        "import json, numpy as np, kerasrnn, kerasrnn.tasks.forecaster; "
        f"f = kerasrnn.load({str(directory)!r}); "
        f"print(json.dumps({{'type': type(f).__name__, "
        f"'forecast': f.forecast(np.load({str(tmp_path / 'series.npy')!r}), 20).tolist()}}))",
        other,
    )
    assert result["type"] == "Forecaster"
    np.testing.assert_allclose(result["forecast"], expected, atol=1e-4)


@pytest.mark.parametrize(
    "series_fn, steps, message",
    [
        (lambda s: s, 0, "`steps` must be a positive integer, received: steps=0"),
        (lambda s: s, -3, "steps=-3"),
        (lambda s: s, 2.5, "steps=2.5"),
        (lambda s: s[:50], 10, "`series` has 50 steps but at least 100 are needed"),
        (lambda s: np.where(np.arange(len(s)) == 7, np.nan, s), 10, "NaN or infinite values at 1 step.*index 7"),
        (lambda s: np.stack([s, s], axis=-1), 10, r"\(time,\) or \(time, 1\), received: series.shape=\(600, 2\)"),
        (lambda s: ["a"] * 200, 10, "`series` must be an array of numbers"),
    ],
)
def test_forecast_errors_are_one_line(series, fitted, series_fn, steps, message):
    forecaster, _ = fitted
    with pytest.raises(ValueError, match=message) as error:
        forecaster.forecast(series_fn(series[:TRAIN]), steps)
    assert "\n" not in str(error.value)


def test_unfitted_and_unsuitable_models_are_rejected(series):
    with pytest.raises(ValueError, match=r"call `fit\(series\)` first"):
        _forecaster(units=20).forecast(series[:TRAIN], 5)
    with pytest.raises(ValueError, match="output_dim == input_dim"):
        Forecaster(EchoStateNetwork(10, input_dim=1, output_dim=2, seed=0))
    with pytest.raises(ValueError, match="built with `input_dim`"):
        Forecaster(EchoStateNetwork(10, vocabulary_size=5, seed=0))
    with pytest.raises(ValueError, match="warmup_steps=0"):
        Forecaster(EchoStateNetwork(10, input_dim=1, seed=0), warmup_steps=0)
    with pytest.raises(ValueError, match="constant"):
        Forecaster(EchoStateNetwork(10, input_dim=1, seed=0), warmup_steps=5).fit(np.ones(50))

import json
import re

import numpy as np

import kerasrnn
import kerasrnn.tasks.forecaster  # noqa: F401  (registers the "forecaster" task)
from kerasrnn.datasets import mackey_glass
from kerasrnn.tasks.forecaster import Forecaster
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_with_sweep_forecasts_plots_and_saves(tmp_path):
    out = assert_ok(run_recipe("echo_state_forecast", "--quick", "--sweep", "--output-dir", tmp_path))
    one_step = float(re.search(r"one step ahead \(200 steps\): (\S+)", out).group(1))
    free_runs = [float(v) for v in re.findall(r"free-running, first\s+\d+ steps:\s+(\S+)", out)]
    assert 0 < one_step < 0.05 and len(free_runs) == 2 and free_runs[0] < 0.5  # horizons 100 and 200
    # The sweep: 2 spectral radii x 2 leak rates, and they change the error (tensorflow/addons#2811).
    rows = re.findall(r"^\s+(0\.5|1\.25)\s+(0\.3|1)\s+(\S+)\s+(\S+)\s+(\S+)$", out, re.M)
    assert len(rows) == 4
    one_step_errors = [float(row[3]) for row in rows]
    assert max(one_step_errors) > 1.5 * min(one_step_errors)
    for name in ("forecast.png", "sweep.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    card = json.loads((tmp_path / "card.json").read_text())
    assert "--quick" in card["command"] and "--sweep" in card["command"]
    assert abs(card["held_out_nrmse"]["one_step"] - one_step) <= 1e-3 * one_step  # printed with 4 digits
    assert set(card["held_out_nrmse"]) == {"one_step", "free_run_100", "free_run_200"}
    assert len(json.loads((tmp_path / "sweep.json").read_text())["rows"]) == 4
    forecaster = kerasrnn.load(tmp_path)
    assert isinstance(forecaster, Forecaster)
    series = mackey_glass(500 + 800)[500:]  # the recipe's data: 500 steps of transient dropped
    future = forecaster.forecast(series[:600], 20)
    assert future.shape == (20,) and np.abs(future - series[600:620]).max() < 0.05


def test_bad_flags_and_data_give_one_line_errors(tmp_path):
    result = run_recipe("echo_state_forecast", "--quick", "--leak-rate", "0", backend="jax")
    assert result.returncode == 2 and "leak rates must be in (0, 1]" in result.stderr
    assert "Traceback" not in result.stderr
    short = tmp_path / "short.txt"
    short.write_text("\n".join(str(v) for v in range(50)))
    result = run_recipe("echo_state_forecast", "--quick", "--data", short, backend="jax")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"error: {short} holds 50 values")

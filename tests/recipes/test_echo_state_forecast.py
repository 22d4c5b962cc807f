import json
import re

import numpy as np
import pytest

import kerasrnn
import kerasrnn.tasks.forecaster  # noqa: F401  (registers the "forecaster" task)
from kerasrnn.cards import validate_card
from kerasrnn.data.splits import fingerprint
from kerasrnn.datasets import mackey_glass
from kerasrnn.tasks.forecaster import Forecaster
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import load_recipe
from tests.recipes.recipe_runner import run_recipe


def test_quick_sweep_chooses_on_validation_tests_once_and_saves(tmp_path):
    out = assert_ok(run_recipe("echo_state_forecast", "--quick", "--sweep", "--output-dir", tmp_path))
    # The sweep: 2 spectral radii x 2 leak rates, and they change the error (tensorflow/addons#2811).
    rows = re.findall(r"^\s+(0\.5|1\.25)\s+(0\.3|1)\s+(\S+)\s+(\S+)\s+(\S+)$", out, re.M)
    assert len(rows) == 4
    one_step_errors = [float(row[3]) for row in rows]
    assert max(one_step_errors) > 1.5 * min(one_step_errors)
    one_step = [float(v) for v in re.search(r"^  one step ahead\s+(\S+)\s+(\S+)$", out, re.M).groups()]
    free_runs = re.findall(r"^  free-running, first\s+\d+ steps\s+(\S+)\s+(\S+)$", out, re.M)
    assert 0 < one_step[1] < 0.05 and len(free_runs) == 2 and float(free_runs[0][1]) < 0.5  # horizons 100, 200
    for name in ("forecast.png", "sweep.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"

    # The chosen setting is the best of the sweep on validation, and the saved model is that setting.
    sweep = json.loads((tmp_path / "sweep.json").read_text())
    assert len(sweep["rows"]) == 4 and sweep["ranked_by"] == "validation free_run_100"
    best = min(sweep["rows"], key=lambda row: row["validation"]["free_run_100"])
    assert sweep["chosen"] == {"spectral_radius": best["spectral_radius"], "leak_rate": best["leak_rate"]}
    assert all("test" not in row for row in sweep["rows"])  # the test steps are scored once, after the choice
    card = json.loads((tmp_path / "card.json").read_text())
    validate_card(card)
    assert (card["model"]["spectral_radius"], card["model"]["leak_rate"]) == (best["spectral_radius"],
                                                                              best["leak_rate"])
    assert card["metrics"]["validation"]["free_run_100"] == pytest.approx(best["validation"]["free_run_100"], rel=1e-6)
    assert set(card["metrics"]["test"]) == {"one_step", "free_run_100", "free_run_200"}
    assert card["headline"]["value"] == card["metrics"]["test"]["one_step"]
    assert abs(card["metrics"]["test"]["one_step"] - one_step[1]) <= 1e-3 * one_step[1]  # printed with 4 digits
    assert "--quick" in card["training"]["command"] and "--sweep" in card["training"]["command"]

    # Train, validation and test are consecutive windows of the series, as the card records them.
    series = mackey_glass(500 + 1000)[500:]  # the recipe's data: 500 steps of transient dropped
    splits = card["data"]["splits"]
    assert [splits[name]["size"] for name in ("train", "validation", "test")] == [600, 200, 200]
    for name, part in zip(("train", "validation", "test"), (series[:600], series[600:800], series[800:])):
        assert splits[name]["sha256"] == fingerprint(part)

    forecaster = kerasrnn.load(tmp_path)
    assert isinstance(forecaster, Forecaster)
    future = forecaster.forecast(series[:600], 20)
    assert future.shape == (20,) and np.abs(future - series[600:620]).max() < 0.05

    # The card's test slice is recomputed from the generator and the saved model alone.
    again = load_recipe("echo_state_forecast").score_test_slice(forecaster, card)
    assert again["size"] == card["test_slice"]["size"] == 200 and again["sha256"] == card["test_slice"]["sha256"]
    assert again["value"] == pytest.approx(card["test_slice"]["value"], rel=1e-9)


def test_bad_flags_and_data_give_one_line_errors(tmp_path):
    result = run_recipe("echo_state_forecast", "--quick", "--leak-rate", "0", backend="jax")
    assert result.returncode == 2 and "leak rates must be in (0, 1]" in result.stderr
    assert "Traceback" not in result.stderr
    short = tmp_path / "short.txt"
    short.write_text("\n".join(str(v) for v in range(50)))
    result = run_recipe("echo_state_forecast", "--quick", "--data", short, backend="jax")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"error: {short} holds 50 values")

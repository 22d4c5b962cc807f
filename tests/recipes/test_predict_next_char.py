import json
import re

import pytest

import kerasrnn
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_trains_compares_samples_and_saves(tmp_path):
    out = assert_ok(run_recipe("predict_next_char", "--quick", "--models", "lstm,rnn_layernorm",
                               "--output-dir", tmp_path))
    assert re.search(r"^lstm\s+[\d,]+\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\d+", out, re.M)
    assert re.search(r"^rnn_layernorm\s+[\d,]+", out, re.M)
    assert "-> [ROMEO:]" in out and "-> [random char]" in out
    card = json.loads((tmp_path / "lstm" / "card.json").read_text())
    assert card["held_out"]["nats_per_char"] > 0 and "--quick" in card["command"]
    assert (tmp_path / "lstm" / "training_curve.png").stat().st_size > 1000
    assert (tmp_path / "best" / "model.keras").exists()
    lm = kerasrnn.load(tmp_path / "lstm")
    assert len(lm.generate("ROMEO:", 20, seed=0)) == 20


@pytest.mark.parametrize(
    "args, message",
    [
        (["--epochs", "-1"], "--epochs: expected a positive integer"),
        (["--batch-size", "0"], "--batch-size: expected a positive integer"),
        (["--temperature", "0"], "--temperature: expected a positive number"),
        (["--models", "transformer"], "unknown model(s) ['transformer']"),
        (["--backend", "mxnet"], "--backend: invalid choice"),
    ],
)
def test_bad_flags_give_one_line_errors(args, message):
    result = run_recipe("predict_next_char", *args, "--quick", backend="jax" if "--backend" not in args else None)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"   \n\t \n", "whitespace"),
        (b"\xff\xfe\x00\x00binary\x00junk", "binary"),
        (b"caf\xe9 latin-1 text " * 50, "--encoding"),
    ],
)
def test_bad_data_files_give_one_line_errors(tmp_path, content, message):
    data = tmp_path / "input.txt"
    data.write_bytes(content)
    result = run_recipe("predict_next_char", "--quick", "--data", data, "--output-dir", tmp_path / "out")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_text_shorter_than_one_window(tmp_path):
    data = tmp_path / "short.txt"
    data.write_text("To be or not to be.")
    result = run_recipe("predict_next_char", "--quick", "--data", data, "--output-dir", tmp_path / "out")
    assert result.returncode == 2
    assert "too short" in result.stderr and "Traceback" not in result.stderr


def test_missing_data_file(tmp_path):
    result = run_recipe("predict_next_char", "--quick", "--data", tmp_path / "nope.txt")
    assert result.returncode == 2 and "nope.txt" in result.stderr and "Traceback" not in result.stderr

import json
import re

import pytest

import kerasrnn
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import load_recipe
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_trains_compares_samples_and_saves(tmp_path):
    out = assert_ok(run_recipe("predict_next_char", "--quick", "--models", "lstm,rnn_layernorm", "--random-offset",
                               "--output-dir", tmp_path))
    assert re.search(r"^lstm\s+[\d,]+\s+\d+\.\d+\s+\d+\.\d+", out, re.M)
    assert re.search(r"^rnn_layernorm\s+[\d,]+", out, re.M)
    assert "-> [ROMEO:]" in out and "-> [random char]" in out
    card = json.loads((tmp_path / "lstm" / "card.json").read_text())
    kerasrnn.cards.validate_card(card)
    assert "--quick" in card["training"]["command"] and " /" not in card["training"]["command"]
    assert card["training"]["random_offset"] is True
    assert 0 < card["training"]["training_s"] <= card["training"]["wall_time_s"]
    splits = card["data"]["splits"]
    assert [splits[part]["size"] for part in ("train", "validation", "test")] == [24_000, 3_000, 3_000]
    assert card["metrics"]["validation"]["nats_per_char"] > 0 and card["metrics"]["test"]["nats_per_char"] > 0
    assert (tmp_path / "lstm" / "training_curve.png").stat().st_size > 1000
    comparison = json.loads((tmp_path / "comparison.json").read_text())
    chosen = min(comparison["rows"], key=lambda row: row["validation"]["nats_per_char"])
    assert comparison["chosen_on_validation"] == chosen["model"]
    assert (tmp_path / "best" / "model.keras").exists()
    lm = kerasrnn.load(tmp_path / "lstm")
    assert len(lm.generate("ROMEO:", 20, seed=0)) == 20
    # The card's test slice is recomputed from the data and the saved model alone.
    recipe = load_recipe("predict_next_char")
    again = recipe.score_test_slice(lm, card)
    assert again["sha256"] == card["test_slice"]["sha256"]
    assert again["value"] == pytest.approx(card["test_slice"]["value"], rel=1e-4)
    assert card["test_slice"]["value"] == pytest.approx(card["metrics"]["test"]["nats_per_char"], rel=1e-4)


def test_scored_windows_match_a_direct_cross_entropy():
    import keras
    import numpy as np

    recipe = load_recipe("predict_next_char")
    vocabulary = kerasrnn.text.Vocabulary.build("abcdefgh", level="char")
    model = kerasrnn.models.build_language_model(vocabulary.size, cell_type="gru", embedding_dim=4, hidden_units=8)
    text = "abcdefghhgfedcba" * 20
    ids = np.asarray(vocabulary.encode(text), "int32")
    windows = ids[: (len(ids) // 11) * 11].reshape(-1, 11)
    logits = keras.ops.convert_to_numpy(model(windows[:, :-1]))
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -np.take_along_axis(log_probs, windows[:, 1:, None], axis=-1).mean()
    assert recipe.nats_per_char(model, vocabulary, text, window=10, batch_size=3) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--epochs", "-1"], "--epochs: expected a positive integer"),
        (["--batch-size", "0"], "--batch-size: expected a positive integer"),
        (["--temperature", "0"], "--temperature: expected a positive number"),
        (["--models", "transformer"], "unknown model(s) ['transformer']"),
        (["--weight-decay", "-0.1"], "--weight-decay must be in [0, 1), received -0.1"),
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

import json
import os
import re
import subprocess
import sys

import pytest

import kerasrnn
import kerasrnn.tasks.masked_word_model  # noqa: F401  (registers the task with kerasrnn.load)
from kerasrnn.cards import validate_card
from kerasrnn.data.splits import contiguous_split
from kerasrnn.data.splits import fingerprint
from kerasrnn.tasks.masked_word_model import MaskedWordModel
from tests import testing
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import load_recipe
from tests.recipes.recipe_runner import run_recipe

# The recipe, stopped by Ctrl-C once every model has finished and before the chosen one is tested and saved.
INTERRUPTED_RUN = """
import os, sys
sys.path.insert(0, os.path.join({root!r}, "recipes"))
import harness
import predict_masked_words as recipe

def interrupt(*args, **kwargs):
    raise KeyboardInterrupt

recipe.plot_validation_curves = interrupt
sys.argv = ["recipes/predict_masked_words.py"] + {args!r}
harness.run(recipe.main)
"""


def test_quick_run_chooses_on_validation_tests_once_and_resumes(tmp_path):
    args = ["--quick", "--output-dir", str(tmp_path), "--backend", testing.backend()]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(testing.REPO_ROOT))
    code = INTERRUPTED_RUN.format(root=str(testing.REPO_ROOT), args=args)
    interrupted = subprocess.run([sys.executable, "-c", code], cwd=testing.REPO_ROOT, env=env, capture_output=True,
                                 text=True, timeout=300)
    assert interrupted.returncode == 130, interrupted.stderr[-2000:]
    assert not (tmp_path / "best").exists()
    for name in ("gru_1l", "bigru_1l"):  # finished: the result and the best epoch are kept for the resume
        assert (tmp_path / name / "result.json").exists() and (tmp_path / name / "checkpoints" / "best.keras").exists()

    # The same command again (no --overwrite: nothing was saved yet) reuses both models and trains nothing.
    out = assert_ok(run_recipe("predict_masked_words", "--quick", "--output-dir", tmp_path))
    assert out.count("finished by an earlier run with these settings") == 2 and "params)" not in out
    # the table: baseline, then model, params, training accuracy, validation accuracy, perplexity
    assert re.search(r"^most frequent \(','\)\s+0\s+0\.\d{4}\s+[\d.]+$", out, re.M)
    for name in ("gru_1l", "bigru_1l"):
        assert re.search(rf"^{name}\s+[\d,]+\s+0\.\d{{4}}\s+0\.\d{{4}}\s+[\d.]+$", out, re.M), name
    assert re.search(r"^bigru_1l (beats|DOES NOT BEAT) gru_1l: validation accuracy 0\.\d{4} vs 0\.\d{4}$", out, re.M)
    assert len(re.findall(r"^Validation sentence: (PASS|FAIL) \| .*\[[^\]]+\].*$", out, re.M)) == 4  # 2 a model
    assert len(re.findall(r"^Test sentence: (PASS|FAIL) \| .*\[[^\]]+\].*$", out, re.M)) == 3  # the chosen model

    # The choice reads validation only; the test split is scored for the chosen model alone.
    comparison = json.loads((tmp_path / "comparison.json").read_text())
    chosen = max(comparison["rows"], key=lambda row: row["validation"]["accuracy"])
    assert comparison["chosen_on_validation"] == chosen["model"]
    assert [row["model"] for row in comparison["rows"] if "test" in row] == [chosen["model"]]
    best = tmp_path / "best"
    card = json.loads((best / "card.json").read_text())
    validate_card(card)
    assert card["model"]["name"] == chosen["model"] and card["training"]["chosen_on_validation"] == chosen["model"]
    assert card["metrics"]["test"]["accuracy"] == chosen["test"]["accuracy"] == card["headline"]["value"]
    assert card["metrics"]["validation"]["accuracy"] == chosen["validation"]["accuracy"]
    assert "--quick" in card["training"]["command"]

    # Three contiguous, disjoint parts of the first 12,000 words, as the card records them.
    words = kerasrnn.text.split_words(kerasrnn.datasets.load_embedded_shakespeare())[:12_000]
    parts = contiguous_split(words, card["training"]["fractions"])
    splits = card["data"]["splits"]
    assert [splits[name]["size"] for name in ("train", "validation", "test")] == [9_600, 1_200, 1_200]
    assert parts[0] + parts[1] + parts[2] == words
    for name, part in zip(("train", "validation", "test"), parts):
        assert splits[name]["sha256"] == fingerprint(part)

    for plot in (best / "training_curve.png", tmp_path / "validation_curves.png",
                 tmp_path / "gru_1l" / "training_curve.png"):
        assert plot.read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "gru_1l" / "checkpoints").exists()  # dropped once the chosen model is saved
    filler = kerasrnn.load(best)
    assert isinstance(filler, MaskedWordModel) and filler.sequence_length == 10
    assert len(filler.fill("to be or not <mask> be", top_k=3)[0]) == 3

    # The card's test slice is recomputed from the default data and the saved model alone.
    recipe = load_recipe("predict_masked_words")
    again = recipe.score_test_slice(filler, card)
    assert again["size"] == card["test_slice"]["size"] == 200 and again["sha256"] == card["test_slice"]["sha256"]
    assert again["value"] == pytest.approx(card["test_slice"]["value"], abs=1e-9)

    # A finished run is replaced only with --overwrite; with the same settings nothing is trained again.
    refused = run_recipe("predict_masked_words", "--quick", "--output-dir", tmp_path)
    assert refused.returncode == 2 and "--overwrite" in refused.stderr
    again = assert_ok(run_recipe("predict_masked_words", "--quick", "--overwrite", "--output-dir", tmp_path))
    assert "params)" not in again and "training it again" not in again
    assert out[out.index("\nmodel "):out.index("\nsaved ")] == again[again.index("\nmodel "):again.index("\nsaved ")]
    assert json.loads((best / "card.json").read_text())["metrics"] == card["metrics"]


def test_bad_models_give_a_one_line_error():
    result = run_recipe("predict_masked_words", "--quick", "--models", "gru_1l,transformer", backend="jax")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "python recipes/predict_masked_words.py: error: unknown model(s) ['transformer']; choose from "
        "rnn_1l, rnn_2l, birnn_1l, echo_state, lstm_1l, lstm_2l, bilstm_1l, gru_1l, gru_2l, bigru_1l, bigru_2l"
    )

import json
import re

import kerasrnn
import kerasrnn.tasks.masked_word_model  # noqa: F401  (registers the task with kerasrnn.load)
from kerasrnn.tasks.masked_word_model import MaskedWordModel
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_trains_evaluates_fills_and_saves_the_best(tmp_path):
    out = assert_ok(run_recipe("predict_masked_words", "--quick", "--output-dir", tmp_path))
    # the table: baseline, then model, params, training accuracy, held-out accuracy, perplexity
    assert re.search(r"^most frequent \(','\)\s+0\s+0\.\d{4}\s+[\d.]+$", out, re.M)
    for name in ("gru_1l", "bigru_1l"):
        assert re.search(rf"^{name}\s+[\d,]+\s+0\.\d{{4}}\s+0\.\d{{4}}\s+[\d.]+$", out, re.M), name
    assert re.search(r"^bigru_1l (beats|DOES NOT BEAT) gru_1l: held-out accuracy 0\.\d{4} vs 0\.\d{4}$", out, re.M)
    verdicts = re.findall(r"^Test sequence: (PASS|FAIL) \| .*\[[^\]]+\].*$", out, re.M)
    assert len(verdicts) == 4  # two sentences per model
    held_out = dict(re.findall(r"^(gru_1l|bigru_1l)\s+[\d,]+\s+0\.\d{4}\s+(0\.\d{4})", out, re.M))
    best_name, best_accuracy = re.search(r"^best: (\S+) \(held-out accuracy (0\.\d{4})\)", out, re.M).groups()
    assert best_accuracy == max(held_out.values()) and held_out[best_name] == best_accuracy
    best = tmp_path / "best"
    card = json.loads((best / "card.json").read_text())
    assert card["model"] == best_name and f"{card['held_out']['accuracy']:.4f}" == best_accuracy
    assert "--quick" in card["command"] and card["held_out"]["hidden_words"] > 100
    for plot in (best / "training_curve.png", tmp_path / "held_out_curves.png", tmp_path / "gru_1l" / "training_curve.png"):
        assert plot.read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "gru_1l" / "checkpoints").exists()  # only the best model is kept
    # the same command again reuses the finished models and prints the same table
    again = assert_ok(run_recipe("predict_masked_words", "--quick", "--output-dir", tmp_path))
    assert again.count("finished by an earlier run with these settings") == 2 and "Epoch 1/" not in again
    table = out[out.index("\nmodel "):out.index("\ndone in")]
    assert table in again
    filler = kerasrnn.load(best)
    assert isinstance(filler, MaskedWordModel) and filler.sequence_length == 10
    assert len(filler.fill("to be or not <mask> be", top_k=3)[0]) == 3


def test_bad_models_give_a_one_line_error():
    result = run_recipe("predict_masked_words", "--quick", "--models", "gru_1l,transformer", backend="jax")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "python recipes/predict_masked_words.py: error: unknown model(s) ['transformer']; choose from "
        "rnn_1l, rnn_2l, birnn_1l, echo_state, lstm_1l, lstm_2l, bilstm_1l, gru_1l, gru_2l, bigru_1l, bigru_2l"
    )

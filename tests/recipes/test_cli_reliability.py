"""Recipe command lines that go wrong: a diverging run, text in another encoding, an unknown encoding.

Each test runs a recipe as a user would (a subprocess on this pytest run's backend).
Bad data files and bad numeric flags: tests/recipes/test_predict_next_char.py.
"""

import json
import math
import re

from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe

ACCENTED = "éèàçùâêîôûëïüÉÀÇßñ"


def _error_lines(stderr):
    """The error lines of the recipe (`error: ...`) or of argparse (`python recipes/x.py: error: ...`).

    Other lines (TensorFlow's log, e.g. "failed call to cuInit: ... CUDA error: ...") do not count.
    """
    return [line for line in stderr.splitlines() if line.startswith(("error: ", "python recipes/"))]


def _diverging_run(tmp_path, recipe, *args):
    """Run a recipe that diverges; check it fails with one error line, saving nothing; return that line."""
    out = tmp_path / "out"
    result = run_recipe(recipe, "--quick", *args, "--output-dir", out)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    errors = _error_lines(result.stderr)
    assert len(errors) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "saved to" not in result.stdout
    # No model, card, checkpoint (not even of the diverged model), backup or temp file.
    assert not out.exists() or [p for p in out.rglob("*") if p.is_file()] == []
    return errors[0]


def test_nan_loss_exits_with_one_line_error_and_writes_no_model(tmp_path):
    # Adam moves each weight by about the learning rate: at 1e38 the weights overflow float32 within two
    # steps, however the gradients are clipped, and the loss becomes NaN.
    error = _diverging_run(tmp_path, "predict_next_char", "--models", "lstm", "--learning-rate", "1e38")
    assert error.startswith("error: the loss became NaN at epoch 1, batch ")
    assert "lower --learning-rate" in error


def test_finite_divergence_exits_with_one_line_error_and_writes_no_model(tmp_path):
    # At 1e30 the weights reach about 1e30 after one Adam step: the loss is about 1e31, huge but finite,
    # and over DIVERGENCE_FACTOR (1e6) times the first batch's (about ln 60 = 4.1).
    error = _diverging_run(tmp_path, "predict_next_char", "--models", "lstm", "--learning-rate", "1e30")
    found = re.match(r"error: the loss became (\S+) \(from (\S+) at the start\) at epoch 1, batch \d+: "
                     r"lower --learning-rate", error)
    assert found, error
    loss, start = map(float, found.groups())
    assert 3 < start < 5 and 1e6 * start < loss < math.inf


def test_word2vec_nan_loss_exits_with_one_line_error(tmp_path):
    # SkipGramTrainer does not use fit: the recipe checks each epoch's loss with kerasrnn.training.check_loss.
    error = _diverging_run(tmp_path, "word2vec", "--epochs", "1", "--learning-rate", "1e30")
    assert error == "error: the loss became NaN at epoch 1 (per epoch: [nan]): lower --learning-rate or --batch-size"


def test_latin1_data_with_encoding_keeps_the_accented_characters(tmp_path):
    line = f"Le garçon très âgé dîne près de l'église; où est Noël? À Zürich, {ACCENTED}.\n"
    data = tmp_path / "latin1.txt"
    data.write_bytes((line * 60).encode("latin-1"))  # 5,000 characters: enough windows for --quick
    out = tmp_path / "out"
    stdout = assert_ok(run_recipe("predict_next_char", "--quick", "--models", "lstm", "--data", data,
                                  "--encoding", "latin-1", "--output-dir", out))
    assert f"local file latin1.txt: {len(line) * 60:,} characters" in stdout
    tokens = json.loads((out / "lstm" / "vocabulary.json").read_text(encoding="utf-8"))["tokens"]
    assert set(ACCENTED) <= set(tokens)
    assert set(tokens) == set(line)  # decoded as latin-1: no mojibake ('Ã'), no replacement character
    card = json.loads((out / "lstm" / "card.json").read_text(encoding="utf-8"))
    assert card["data"]["source"] == "local file latin1.txt" and "--encoding latin-1" in card["training"]["command"]
    # Without --encoding the same file is rejected with one line that names the fix:
    # test_bad_data_files_give_one_line_errors in tests/recipes/test_predict_next_char.py.


def test_unknown_encoding_is_a_one_line_error_naming_it(tmp_path):
    data = tmp_path / "input.txt"
    data.write_text("To be or not to be.\n" * 100)
    result = run_recipe("predict_next_char", "--quick", "--data", data, "--encoding", "nonsense",
                        "--output-dir", tmp_path / "out")
    assert result.returncode == 2
    errors = _error_lines(result.stderr)
    assert len(errors) == 1 and "--encoding: unknown encoding 'nonsense'" in errors[0], result.stderr[-2000:]
    assert "'latin-1'" in errors[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # rejected while parsing the flags, before any work


def test_recipes_that_do_not_read_text_reject_encoding(tmp_path):
    # Their --data files are a zip or a table with a fixed encoding: --encoding would be silently ignored.
    result = run_recipe("classify_names", "--quick", "--encoding", "latin-1", "--output-dir", tmp_path / "out")
    assert result.returncode == 2
    errors = _error_lines(result.stderr)
    assert len(errors) == 1 and "unrecognized arguments: --encoding latin-1" in errors[0], result.stderr[-2000:]


def test_word2vec_rejects_the_model_fit_only_flags(tmp_path):
    result = run_recipe("word2vec", "--quick", "--tensorboard", "--output-dir", tmp_path / "out")
    assert result.returncode == 2
    errors = _error_lines(result.stderr)
    assert len(errors) == 1 and "--tensorboard and --data-parallel do not apply" in errors[0], result.stderr[-2000:]


def test_reuse_freed_memory_flag_applies_the_setting_before_keras_starts(monkeypatch):
    import os
    import sys

    from kerasrnn.utils import memory
    from tests import testing

    sys.path.insert(0, os.path.join(str(testing.REPO_ROOT), "recipes"))
    try:
        import harness
    finally:
        sys.path.pop(0)
    calls = []
    monkeypatch.setattr(memory, "reuse_freed_memory", lambda: calls.append("called") or True)
    parser = harness.make_parser("rnn_basics", "test", epochs=1, batch_size=8)
    args = harness.parse_args(parser, ["--backend", testing.backend(), "--reuse-freed-memory"])
    assert calls == ["called"] and args.reuse_freed_memory is True
    args = harness.parse_args(parser, ["--backend", testing.backend()])
    assert calls == ["called"] and args.reuse_freed_memory is False

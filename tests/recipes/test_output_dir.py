"""Recipes never write over a saved model: the --output-dir rules, checked before anything trains."""

import json
import os

import pytest

from tests import testing
from tests.recipes.recipe_runner import load_recipe
from tests.recipes.recipe_runner import run_recipe

RECIPES = ("predict_next_char", "generate_plant_names", "classify_names", "translate_en_fr",
           "predict_masked_words", "echo_state_forecast", "word2vec", "rnn_basics")


def _saved_model(directory):
    directory.mkdir(parents=True)
    (directory / "task.json").write_text(json.dumps({"task": "language_model", "format_version": 1}))
    (directory / "model.keras").write_bytes(b"the user's model")


@pytest.mark.parametrize("recipe", RECIPES)
def test_a_directory_holding_a_saved_model_is_refused_before_training(tmp_path, recipe):
    _saved_model(tmp_path / "lstm")
    result = run_recipe(recipe, "--quick", "--output-dir", tmp_path, backend="jax")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and str(tmp_path) in errors[0] and "--overwrite" in errors[0], result.stderr
    assert "Traceback" not in result.stderr and "Epoch" not in result.stdout
    assert (tmp_path / "lstm" / "model.keras").read_bytes() == b"the user's model"


def test_output_dir_that_is_a_file_or_unwritable_fails_in_one_line(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = run_recipe("predict_next_char", "--quick", "--output-dir", a_file, backend="jax")
    assert result.returncode == 2 and "is a file" in result.stderr and "Traceback" not in result.stderr
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = run_recipe("predict_next_char", "--quick", "--output-dir", locked / "run", backend="jax")
        assert result.returncode == 2 and "cannot be written" in result.stderr


def test_prepare_output_dir_rules(tmp_path, monkeypatch):
    harness = load_recipe("harness")
    parser = harness.make_parser("demo_recipe", "a recipe", epochs=1, batch_size=1)
    monkeypatch.chdir(tmp_path)
    # No --output-dir: a new, dated directory under runs/.
    args = parser.parse_args([])
    default = harness.prepare_output_dir(parser, args)
    assert default.startswith(os.path.join("runs", "demo_recipe", "")) and os.path.isdir(default)
    # An unfinished run (a backup, no task.json) is resumed, not refused.
    (tmp_path / "unfinished" / "lstm" / "backup").mkdir(parents=True)
    args = parser.parse_args(["--output-dir", "unfinished"])
    assert harness.prepare_output_dir(parser, args) == "unfinished"
    # A finished one needs --overwrite.
    _saved_model(tmp_path / "finished" / "best")
    with pytest.raises(SystemExit) as stop:
        harness.prepare_output_dir(parser, parser.parse_args(["--output-dir", "finished"]))
    assert stop.value.code == 2
    args = parser.parse_args(["--output-dir", "finished", "--overwrite"])
    assert harness.prepare_output_dir(parser, args) == "finished"
    assert harness.saved_models_in(tmp_path / "finished") == [os.path.join("best", "task.json")]


def test_commands_in_cards_use_paths_relative_to_the_repository():
    harness = load_recipe("harness")
    inside = str(testing.REPO_ROOT / "data" / "x.txt")
    assert harness.relative_to_repository(inside) == os.path.join("data", "x.txt")
    assert harness.relative_to_repository(f"--data={inside}") == "--data=" + os.path.join("data", "x.txt")
    assert harness.relative_to_repository("--epochs") == "--epochs"
    assert not os.path.isabs(harness.relative_to_repository("/elsewhere/out"))


def test_default_backend_follows_keras(tmp_path, monkeypatch):
    harness = load_recipe("harness")
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert harness.default_backend() == "tensorflow"  # Keras' own default
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "torch"}))
    assert harness.default_backend() == "torch"
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert harness.default_backend() == "jax"


def test_validation_and_test_fractions_must_leave_training_data():
    result = run_recipe("predict_next_char", "--quick", "--validation-fraction", "0.6", "--test-fraction", "0.5",
                        backend="jax")
    assert result.returncode == 2 and "leave nothing to train on" in result.stderr

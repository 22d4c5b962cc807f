"""kerasrnn.presets.installed_models and `python -m kerasrnn`."""

import json
import os
import subprocess
import sys

from kerasrnn.presets import installed_models
from tests import testing


def _task(directory, card=None):
    directory.mkdir(parents=True)
    (directory / "task.json").write_text(json.dumps({"task": "language_model", "format_version": 1}))
    if card is not None:
        (directory / "card.json").write_text(json.dumps(card))


def test_installed_models_lists_every_task_directory_by_name(tmp_path):
    _task(tmp_path / "predict_next_char" / "lstm", {"task": "next-character language model"})
    _task(tmp_path / "predict_next_char" / "gru", {"task": "next-character language model"})
    _task(tmp_path / "word2vec")  # no card
    _task(tmp_path / "word2vec" / ".staging")  # a temporary copy
    (tmp_path / "notes").mkdir()  # no task.json
    models = installed_models(tmp_path)
    assert [name for name, _, _ in models] == ["predict_next_char/gru", "predict_next_char/lstm", "word2vec"]
    assert models[1][1] == tmp_path / "predict_next_char" / "lstm"
    assert models[1][2] == {"task": "next-character language model"}
    assert models[2][2] == {}
    assert installed_models(tmp_path / "missing") == []


def test_the_repository_models_are_installed():
    names = [name for name, _, _ in installed_models()]
    if not names:  # a checkout without the shipped models
        return
    assert "predict_next_char/lstm" in names
    assert all((testing.REPO_ROOT / "saved_models" / name / "task.json").exists() for name in names)


def test_python_m_kerasrnn_prints_version_backend_devices_and_models():
    env = dict(os.environ, KERAS_BACKEND=testing.backend())
    env["PYTHONPATH"] = os.pathsep.join([str(testing.REPO_ROOT), env.get("PYTHONPATH", "")])
    result = subprocess.run([sys.executable, "-m", "kerasrnn"], cwd=testing.REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    from kerasrnn import __version__

    assert lines[0].startswith(f"kerasrnn {__version__} (Keras ")
    assert lines[1].startswith(f"backend: {testing.backend()} ")
    assert lines[2].startswith("devices: ") and "cpu:0" in lines[2]
    for name, _, card in installed_models():
        assert any(line.split()[:1] == [name] and card.get("task", "(no card)") in line for line in lines), name


def test_the_report_shows_each_card_task_and_headline(tmp_path, monkeypatch):
    from kerasrnn import __main__ as command
    from kerasrnn import presets

    _task(tmp_path / "predict_next_char" / "lstm", {
        "task": "next-character language model",
        "headline": {"metric": "bits_per_char", "split": "test", "value": 1.8234567, "better": "lower"}})
    _task(tmp_path / "word2vec")
    monkeypatch.setattr(presets, "MODELS_DIR", tmp_path)
    lines = command.describe()
    assert lines[-2] == "  predict_next_char/lstm  next-character language model [test bits_per_char 1.823]"
    assert lines[-1] == "  word2vec                (no card)"
    monkeypatch.setattr(presets, "MODELS_DIR", tmp_path / "missing")
    assert command.describe()[-1].startswith("installed models: none (no task directory under ")

"""kerasrnn.presets: installed models, names resolved through the search path, downloads; `python -m kerasrnn`."""

import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile

import pytest

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


# ------------------------------------------------------------ names: resolve, list_models, download
@pytest.fixture
def search_path(tmp_path, monkeypatch):
    """An empty `KERASRNN_MODELS`, clone `saved_models/` and Keras cache, each under `tmp_path`."""
    from kerasrnn import presets

    roots = {"env": tmp_path / "env", "clone": tmp_path / "clone" / "saved_models", "home": tmp_path / "keras_home"}
    for root in roots.values():
        root.mkdir(parents=True)
    monkeypatch.setattr(presets, "MODELS_DIR", roots["clone"])
    monkeypatch.setenv("KERASRNN_MODELS", str(roots["env"]))
    monkeypatch.setenv("KERAS_HOME", str(roots["home"]))
    roots["cache"] = roots["home"] / "kerasrnn" / "models"
    monkeypatch.chdir(tmp_path)
    return roots


def test_a_name_resolves_in_kerasrnn_models_then_the_clone_then_the_cache(search_path, monkeypatch):
    from kerasrnn.presets import resolve

    env, clone, cache = search_path["env"], search_path["clone"], search_path["cache"]
    _task(env / "predict_next_char" / "lstm")
    _task(clone / "predict_next_char" / "lstm")
    _task(clone / "translate_en_fr")
    _task(clone / "predict_next_char" / "gru")  # not a preset: reachable by its full name
    _task(cache / "word2vec")
    _task(cache / "translate_en_fr")
    assert resolve("predict_next_char") == env / "predict_next_char" / "lstm"
    assert resolve("predict_next_char/lstm") == env / "predict_next_char" / "lstm"
    assert resolve("translate_en_fr") == clone / "translate_en_fr"
    assert resolve("saved_models/predict_next_char/gru/") == clone / "predict_next_char" / "gru"
    assert resolve("word2vec") == cache / "word2vec"
    _task(env / "word2vec")  # a preset under its short name in KERASRNN_MODELS
    assert resolve("word2vec") == env / "word2vec"
    monkeypatch.delenv("KERASRNN_MODELS")
    assert resolve("predict_next_char") == clone / "predict_next_char" / "lstm"
    _task(search_path["env"].parent / "predict_next_char")  # a path that exists (relative to the cwd) wins
    assert resolve("predict_next_char") == "predict_next_char"
    assert resolve(pathlib.Path("nowhere")) == pathlib.Path("nowhere")  # paths: the loader says what is wrong


def test_unknown_names_fail_in_one_line_listing_the_known_names(search_path, monkeypatch):
    import kerasrnn
    from kerasrnn.presets import known_names
    from kerasrnn.presets import resolve

    _task(search_path["clone"] / "predict_next_char" / "gru")
    with pytest.raises(ValueError, match=r"'transl' is neither an existing path nor a known model name; "
                                         r"known names: classify_names, .*predict_next_char/gru.*word2vec$"):
        resolve("transl")
    assert "\n" not in str(pytest.raises(ValueError, resolve, "transl").value)
    assert known_names() == sorted([*kerasrnn.presets.PRESETS, "predict_next_char/gru"])
    with pytest.raises(ValueError, match="known names"):
        kerasrnn.load("no_such_model")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        kerasrnn.load(search_path["env"] / "missing")
    # A preset found nowhere: its archive's sha256 is still a placeholder, so nothing is downloaded.
    with pytest.raises(ValueError, match="'word2vec' is not installed and has no published archive yet"):
        resolve("word2vec")
    monkeypatch.setenv("KERASRNN_MODELS", str(search_path["env"] / "missing"))
    with pytest.raises(ValueError, match="KERASRNN_MODELS=.* is not a directory"):
        resolve("word2vec")


def test_list_models_shows_each_model_task_headline_and_where(search_path):
    import kerasrnn

    card = {"task": "next-character language model",
            "headline": {"metric": "bits_per_char", "split": "test", "value": 1.8234567, "better": "lower"}}
    _task(search_path["env"] / "predict_next_char" / "lstm", card)
    _task(search_path["clone"] / "word2vec", {"task": "word vectors"})  # an old card: no headline
    lines = kerasrnn.list_models()
    assert len(lines) == len(kerasrnn.presets.PRESETS)
    rows = {line.split()[0]: line for line in lines}
    assert re.split(r"\s{2,}", rows["predict_next_char"])[1:3] == ["next-character language model",
                                                                   "test bits_per_char 1.823 (lower is better)"]
    assert rows["predict_next_char"].endswith(str(search_path["env"] / "predict_next_char" / "lstm"))
    assert rows["word2vec"].split()[1:] == ["word", "vectors", "-", "saved_models/word2vec"]
    assert rows["translate_en_fr"].split()[1:] == ["-", "-", "not", "downloaded"]


def _archive(source, path):
    """A .tar.gz of the task directory `source` (its files inside one folder), and its sha256."""
    with tarfile.open(path, "w:gz") as archive:
        archive.add(source, arcname="model")
    return path.as_uri(), hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_preset_is_downloaded_checked_and_unpacked_into_the_cache(search_path, tmp_path, monkeypatch):
    import kerasrnn
    from kerasrnn import presets

    shipped = testing.REPO_ROOT / "saved_models" / "classify_names" / "best"
    if not (shipped / "task.json").exists():
        pytest.skip("a checkout without the shipped models")
    source = tmp_path / "source"
    shutil.copytree(shipped, source)
    url, sha256 = _archive(source, tmp_path / "classify_names.tar.gz")

    monkeypatch.setitem(presets.PRESETS, "classify_names", dict(presets.PRESETS["classify_names"], url=url,
                                                                sha256="0" * 64))
    with pytest.raises(ValueError, match="does not have the sha256 recorded for 'classify_names'"):
        kerasrnn.load("classify_names")
    assert not (search_path["cache"] / "classify_names").exists()
    assert not any((search_path["cache"] / ".downloads").iterdir())  # the bad archive was deleted

    monkeypatch.setitem(presets.PRESETS, "classify_names", dict(presets.PRESETS["classify_names"], url=url,
                                                                sha256=sha256))
    classifier = kerasrnn.load("classify_names")
    assert (search_path["cache"] / "classify_names" / "task.json").is_file()
    assert classifier.predict(["Nakamura"], top_k=2)[0][0][0] in classifier.languages
    (tmp_path / "classify_names.tar.gz").unlink()  # from now on the cache answers, with no download
    assert presets.resolve("classify_names/best") == search_path["cache"] / "classify_names"
    assert kerasrnn.list_models()[0].endswith(str(search_path["cache"] / "classify_names"))

    monkeypatch.setitem(presets.PRESETS, "word2vec", dict(presets.PRESETS["word2vec"],
                                                          url=(tmp_path / "missing.tar.gz").as_uri(), sha256=sha256))
    with pytest.raises(OSError, match="could not download 'word2vec' from file://"):
        presets.resolve("word2vec")

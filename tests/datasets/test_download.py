"""The download path: file:// origins into an empty KERAS_HOME, hashes, offline, read-only cache."""

import hashlib
import re

import keras  # noqa: F401  (imported before KERAS_HOME is redirected, so keras keeps its own home)
import pytest

from kerasrnn import datasets
from kerasrnn.datasets import DataFileError, DownloadError
from kerasrnn.datasets import names as names_module
from kerasrnn.datasets import plants as plants_module
from kerasrnn.datasets import shakespeare as shakespeare_module
from kerasrnn.datasets.download import cache_path, fetch_data_file


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cached_files(keras_home):
    return sorted(path.name for path in (keras_home / "datasets").rglob("*") if path.is_file())


def test_error_types():
    assert issubclass(DataFileError, ValueError)
    assert issubclass(DownloadError, OSError)


def test_download_with_the_right_hash(shared_data, keras_home, monkeypatch):
    source = shared_data / "shakespeare.txt"
    monkeypatch.setattr(shakespeare_module, "SHAKESPEARE_URL", source.as_uri())
    monkeypatch.setattr(shakespeare_module, "SHAKESPEARE_SHA256", _sha256(source))
    text = datasets.load_shakespeare()
    assert text == source.read_text(encoding="utf-8")
    target = keras_home / "datasets" / "kerasrnn" / "shakespeare.txt"
    assert cache_path("shakespeare.txt") == str(target)
    assert _cached_files(keras_home) == ["shakespeare.txt"]
    assert target.read_bytes() == source.read_bytes()
    # Cached now: the origin is not asked again.
    monkeypatch.setattr(shakespeare_module, "SHAKESPEARE_URL", (keras_home / "gone.txt").as_uri())
    assert datasets.load_shakespeare() == text


def test_download_with_a_wrong_hash_leaves_no_file(shared_data, keras_home):
    source = shared_data / "plants.data"
    wrong = "0" * 64
    with pytest.raises(DownloadError) as info:
        fetch_data_file("plants.data", source.as_uri(), file_hash=wrong)
    message = str(info.value)
    assert "\n" not in message
    assert f"has sha256 {_sha256(source)}, expected {wrong}" in message
    assert "bad file was removed" in message
    assert _cached_files(keras_home) == []


def test_a_cached_file_with_a_wrong_hash_is_downloaded_again(shared_data, keras_home):
    source = shared_data / "shakespeare.txt"
    target = keras_home / "datasets" / "kerasrnn" / "shakespeare.txt"
    target.parent.mkdir(parents=True)
    target.write_text("a truncated download")
    with pytest.warns(UserWarning, match="does not match its sha256"):
        path = fetch_data_file("shakespeare.txt", source.as_uri(), file_hash=_sha256(source))
    assert path == str(target) and target.read_bytes() == source.read_bytes()
    assert _cached_files(keras_home) == ["shakespeare.txt"]


def test_offline_says_where_to_put_the_file(keras_home, monkeypatch):
    monkeypatch.setattr(plants_module, "PLANTS_URL", (keras_home / "unreachable" / "plants.data").as_uri())
    with pytest.raises(DownloadError) as info:
        datasets.load_plants()
    message = str(info.value)
    assert "\n" not in message
    assert "could not download plants.data" in message
    assert f"save it as {cache_path('plants.data')}" in message
    assert "path=" in message and "KERASRNN_DATA_DIR" in message
    assert _cached_files(keras_home) == []
    # A data dir without the file falls through to the cache, and is named.
    monkeypatch.setenv("KERASRNN_DATA_DIR", str(keras_home / "empty"))
    with pytest.raises(DownloadError, match=re.escape(f"put plants.data in KERASRNN_DATA_DIR={keras_home / 'empty'}")):
        datasets.load_plants()


def test_unwritable_cache(shared_data, tmp_path, monkeypatch):
    # We run as root, where chmod does not stop writes: put the cache under a regular file.
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("")
    monkeypatch.setenv("KERAS_HOME", str(blocker / "keras"))
    monkeypatch.delenv("KERASRNN_DATA_DIR", raising=False)
    with pytest.raises(DownloadError) as info:
        fetch_data_file("plants.data", (shared_data / "plants.data").as_uri())
    message = str(info.value)
    assert "\n" not in message
    assert f"cannot write to the Keras cache directory {blocker / 'keras'}" in message
    assert "KERAS_HOME" in message


def test_keras_home_is_read_when_called(tmp_path, monkeypatch):
    # keras reads KERAS_HOME once, at import; the loaders follow later changes.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "elsewhere"))
    assert cache_path("names.zip") == str(tmp_path / "elsewhere" / "datasets" / "kerasrnn" / "names.zip")


def test_downloaded_names_zip_is_read(shared_data, keras_home, monkeypatch):
    monkeypatch.setattr(names_module, "NAMES_URL", (shared_data / "names.zip").as_uri())
    names = datasets.load_names()
    assert len(names) == 18
    assert _cached_files(keras_home) == ["names.zip"]

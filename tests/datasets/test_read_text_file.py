"""read_text_file: the text, and a one-line DataFileError for each usual mistake."""

import pytest

from kerasrnn.datasets import DataFileError, read_text_file


def _error(path, **kwargs):
    with pytest.raises(DataFileError) as info:
        read_text_file(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_reads_utf8_text_and_normalises_line_ends(tmp_path):
    path = tmp_path / "poem.txt"
    path.write_bytes("\ufeffShall I compare thee\r\nto a summer’s day?\r\n".encode("utf-8"))
    assert read_text_file(path) == "Shall I compare thee\nto a summer’s day?\n"
    assert read_text_file(str(path)) == "Shall I compare thee\nto a summer’s day?\n"


def test_missing_file(tmp_path):
    assert "not found" in _error(tmp_path / "missing.txt")


def test_directory(tmp_path):
    assert "is a directory" in _error(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "is empty" in _error(path)


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\t\r\n  \n")
    assert "only whitespace" in _error(path)


def test_wrong_encoding_suggests_one(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9 cr\xe8me\n".encode("latin-1"))
    message = _error(path)
    assert "utf-8" in message and "0xe9 at offset 3" in message and "--encoding latin-1" in message
    assert read_text_file(path, encoding="latin-1") == "Café crème\n"


def test_binary_file(tmp_path, shared_data):
    path = tmp_path / "weights.bin"
    path.write_bytes(bytes(range(0, 128)) * 4)  # valid UTF-8, but NUL bytes
    assert "binary" in _error(path)
    assert "binary" in _error(shared_data / "names.zip")
    assert "binary" in _error(shared_data / "names.zip", encoding="latin-1")


def test_unknown_encoding_is_rejected(tmp_path):
    path = tmp_path / "poem.txt"
    path.write_text("hello\n")
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        read_text_file(path, encoding="klingon")

"""The loaders on the shared copies of the real data sets (no network)."""

import shutil
import zipfile

import numpy as np
import pytest

from kerasrnn import datasets
from kerasrnn.datasets import DataFileError
from kerasrnn.datasets.download import cache_path, fetch_data_file
from tests import testing


# Counts measured on the shared copies (about 90% of each public original).
SHAKESPEARE_CHARS = 1_003_788
FRA_ENG_PAIRS = 162_165
NAMES_PER_LANGUAGE = {
    "Arabic": 1826, "Chinese": 245, "Czech": 465, "Dutch": 261, "English": 3298, "French": 247,
    "German": 665, "Greek": 176, "Irish": 204, "Italian": 624, "Japanese": 901, "Korean": 84,
    "Polish": 125, "Portuguese": 67, "Russian": 8432, "Scottish": 88, "Spanish": 269, "Vietnamese": 68,
}  # fmt: skip
PLANTS = 33_014


@pytest.fixture(scope="module")
def fra_eng_pairs():
    # Parsed once: the shared fra.txt is 11 MB.
    if testing.SHARED_DATA is None:
        pytest.skip("the shared data directory was not found; set KERASRNN_SHARED_DATA")
    return datasets.load_fra_eng(testing.SHARED_DATA / "fra-eng.zip")


def _cached_files(keras_home):
    return sorted(path.name for path in (keras_home / "datasets").rglob("*") if path.is_file())


# tiny-shakespeare


def test_shakespeare_from_path(shared_data, keras_home):
    text = datasets.load_shakespeare(path=shared_data / "shakespeare.txt")
    assert isinstance(text, str) and len(text) == SHAKESPEARE_CHARS
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert len(set(text)) == 65
    assert _cached_files(keras_home) == []  # a local path never touches the cache


def test_embedded_shakespeare_equals_the_shared_copy(shared_data):
    text = datasets.load_embedded_shakespeare()
    assert text == (shared_data / "shakespeare.txt").read_text(encoding="utf-8")


def test_data_dir_env_is_used_before_the_cache(shared_data, keras_home, monkeypatch):
    monkeypatch.setenv("KERASRNN_DATA_DIR", str(shared_data))
    assert len(datasets.load_shakespeare()) == SHAKESPEARE_CHARS
    assert len(datasets.load_names()) == 18
    assert datasets.load_plants()[0] == "abelia"
    found = fetch_data_file("fra-eng.zip", origin="https://unused.invalid/fra-eng.zip")
    assert found == str(shared_data / "fra-eng.zip")
    assert _cached_files(keras_home) == []


def test_a_file_placed_in_the_cache_is_used(shared_data, keras_home, monkeypatch):
    # plants.data has no hash, so any copy in the cache is taken as it is;
    # a data dir without the file falls through to the cache.
    monkeypatch.setenv("KERASRNN_DATA_DIR", str(keras_home))
    target = cache_path("plants.data")
    assert target == str(keras_home / "datasets" / "kerasrnn" / "plants.data")
    (keras_home / "datasets" / "kerasrnn").mkdir(parents=True)
    shutil.copyfile(shared_data / "plants.data", target)
    assert len(datasets.load_plants()) == PLANTS


def test_missing_path_is_a_one_line_error(tmp_path):
    missing = tmp_path / "nowhere" / "input.txt"
    with pytest.raises(DataFileError, match="data file not found") as info:
        datasets.load_shakespeare(path=missing)
    assert str(missing) in str(info.value) and "\n" not in str(info.value)


# English-French pairs


def test_fra_eng_from_the_zip(fra_eng_pairs):
    assert len(fra_eng_pairs) == FRA_ENG_PAIRS
    assert fra_eng_pairs[:2] == [("Go.", "Va !"), ("Hi.", "Salut !")]
    assert all(type(pair) is tuple and len(pair) == 2 and pair[0] and pair[1] for pair in fra_eng_pairs)
    english, french = fra_eng_pairs[-1]
    assert english.startswith("It may be impossible") and french.startswith("Il est peut-être impossible")


def test_fra_eng_from_text_with_three_columns_and_bad_lines(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text(
        "Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #1158250 (Wittydev)\n"
        "no tab on this line\n"
        "\n"
        "Hello!\t\tCC-BY 2.0\n"
        " Thanks. \t Merci. \r\n",
        encoding="utf-8",
    )
    with pytest.warns(UserWarning, match="skipped 2 of 4 lines"):
        pairs = datasets.load_fra_eng(path)
    assert pairs == [("Go.", "Va !"), ("Thanks.", "Merci.")]


def test_fra_eng_finds_fra_txt_anywhere_in_the_zip(tmp_path):
    path = tmp_path / "fra-eng.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_about.txt", "About this file")
        archive.writestr("fra.txt", "Run!\tCours !\tCC-BY 2.0\n")
    assert datasets.load_fra_eng(path) == [("Run!", "Cours !")]


def test_zip_without_the_member(tmp_path):
    path = tmp_path / "fra-eng.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("fra-eng/deu.txt", "Go.\tGeh.\n")
    with pytest.raises(DataFileError, match="has no fra.txt") as info:
        datasets.load_fra_eng(path)
    assert str(path) in str(info.value)
    with pytest.raises(DataFileError, match=r"has no names/<Language>.txt"):
        datasets.load_names(path)


def test_truncated_zip(shared_data, tmp_path):
    path = tmp_path / "names.zip"
    path.write_bytes((shared_data / "names.zip").read_bytes()[:30_000])
    with pytest.raises(DataFileError, match="not a readable zip file") as info:
        datasets.load_names(path)
    message = str(info.value)
    assert str(path) in message and "names/<Language>.txt" in message and "\n" not in message


# Surnames


def test_names_from_the_zip(shared_data):
    names = datasets.load_names(shared_data / "names.zip")
    assert list(names) == sorted(NAMES_PER_LANGUAGE)
    assert {language: len(names[language]) for language in names} == NAMES_PER_LANGUAGE
    assert names["Irish"][:2] == ["Adam", "Ahearn"]
    assert "Kamiński" in names["Polish"] and "Araújo" in names["Portuguese"]  # raw unicode
    assert all(name and name == name.strip() for group in names.values() for name in group)


def test_names_from_an_extracted_directory(shared_data, tmp_path):
    with zipfile.ZipFile(shared_data / "names.zip") as archive:
        archive.extractall(tmp_path)
    (tmp_path / "data" / "eng-fra.txt").write_text("Go.\tVa !\n")  # as in the public data.zip
    expected = datasets.load_names(shared_data / "names.zip")
    assert datasets.load_names(tmp_path / "data" / "names") == expected
    assert datasets.load_names(tmp_path) == expected
    assert datasets.load_names(tmp_path / "data") == expected
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataFileError, match="has no <Language>.txt files"):
        datasets.load_names(empty)


# Plants


def test_plants(shared_data):
    plants = datasets.load_plants(shared_data / "plants.data")
    assert len(plants) == PLANTS
    assert plants[:3] == ["abelia", "abelia x grandiflora", "abelmoschus"]
    assert plants[-1] == "zygophyllum fabago"
    assert "acer ×freemanii" in plants  # latin-1 decoded
    assert all(name and "," not in name and name == name.strip() for name in plants)


def test_loaders_return_plain_python(shared_data):
    names = datasets.load_names(shared_data / "names.zip")
    assert all(type(name) is str for group in names.values() for name in group)
    assert all(type(name) is str for name in datasets.load_plants(shared_data / "plants.data"))
    series = datasets.mackey_glass(10)
    assert type(series) is np.ndarray

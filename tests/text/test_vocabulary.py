import json

import numpy as np
import pytest

from kerasrnn.text import Vocabulary
from kerasrnn.text import normalize_sentence
from kerasrnn.text import split_words
from kerasrnn.text import strip_accents
from kerasrnn.text import unicode_to_ascii


def test_char_round_trip_and_layout():
    vocab = Vocabulary.build("abracadabra", level="char")
    # Special tokens first, then by frequency: a(5) b(2) r(2) c(1) d(1).
    assert vocab.id_to_token[:5] == ["<pad>", "<unk>", "<mask>", "<s>", "</s>"]
    assert vocab.tokens == ["a", "b", "r", "c", "d"]
    ids = vocab.encode("abracadabra")
    assert ids.dtype == np.int32
    assert vocab.decode(ids) == "abracadabra"


def test_unknown_characters_map_to_unk_and_are_counted():
    vocab = Vocabulary.build("hello", level="char")
    ids = vocab.encode("hélo!")
    assert ids.tolist().count(vocab.unk_id) == 2
    assert vocab.count_unknown("hélo!") == 2
    assert vocab.decode(ids) == "h<unk>lo<unk>"


def test_word_vocabulary_max_size_and_min_count():
    texts = ["the cat sat", "the dog sat", "the end"]
    vocab = Vocabulary.build(texts, level="word", max_size=7)
    assert vocab.size == 7
    assert vocab.tokens == ["the", "sat"]
    vocab = Vocabulary.build(texts, level="word", min_count=2)
    assert vocab.tokens == ["the", "sat"]
    assert vocab.decode(vocab.encode("the cat", add_start=True, add_end=True)) == "the <unk>"


def test_decode_stops_at_end_token():
    vocab = Vocabulary.build("ab", level="char")
    ids = [vocab.start_id, *vocab.encode("ab"), vocab.end_id, *vocab.encode("ba")]
    assert vocab.decode(ids) == "ab"
    assert vocab.decode(ids, stop_at_end=False) == "abba"


def test_matches_string_lookup_in_tf_data():
    import tensorflow as tf

    vocab = Vocabulary.build(["le chat", "le chien ."], level="word")
    words = ["le", "chat", "inconnu", ".", "<mask>", "<pad>"]
    forward, inverse = vocab.lookup_layer(), vocab.lookup_layer(invert=True)
    ids = next(iter(tf.data.Dataset.from_tensors(tf.constant(words)).map(forward).as_numpy_iterator()))
    np.testing.assert_array_equal(ids, vocab.encode(words))
    back = next(iter(tf.data.Dataset.from_tensors(tf.constant(ids)).map(inverse).as_numpy_iterator()))
    assert [t.decode() for t in back[:3]] == ["le", "chat", "<unk>"]


def test_save_and_load(tmp_path):
    vocab = Vocabulary.build("some text here", level="char")
    path = tmp_path / "vocab.json"
    vocab.save(path)
    assert Vocabulary.load(path) == vocab
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="vocabulary file not found"):
        Vocabulary.load(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"level": "char", "tok')
    with pytest.raises(ValueError, match="corrupt"):
        Vocabulary.load(broken)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format_version": 99, "level": "char", "specials": [], "tokens": []}))
    with pytest.raises(ValueError, match="format_version=99"):
        Vocabulary.load(other)


def test_bad_arguments():
    with pytest.raises(ValueError, match="level="):
        Vocabulary(["a"], level="byte")
    with pytest.raises(ValueError, match="unique"):
        Vocabulary(["a", "a"])
    with pytest.raises(ValueError, match="special"):
        Vocabulary(["<pad>"])
    with pytest.raises(ValueError, match="max_size=2"):
        Vocabulary.build("abc", max_size=2)


def test_name_normalisation_as_the_seeds_do_it():
    assert strip_accents("Ślusàrski") == "Slusarski"
    assert unicode_to_ascii("Ślusàrski 42") == "Slusarski "
    assert unicode_to_ascii("Nguyễn") == "Nguyen"


def test_sentence_normalisation_keeps_apostrophes_and_hyphens():
    assert normalize_sentence("Qu'est-ce que c'est\u202f?") == "qu'est-ce que c'est ?"
    assert normalize_sentence("L\u2019eau, «\u00a0froide\u00a0»!") == "l'eau , « froide » !"
    assert split_words("  Hello   World.  ") == ["hello", "world", "."]
    assert split_words("") == []

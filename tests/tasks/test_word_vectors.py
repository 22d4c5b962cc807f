import gzip
import json

import numpy as np
import pytest

import kerasrnn
from kerasrnn.models.word2vec import Word2Vec
from kerasrnn.tasks.word_vectors import WordVectors
from kerasrnn.text import UnknownWordError
from tests import testing

WORDS = ["king", "queen", "duke", "love", "hate", "sword", "night", "day", "gold", "o'er"]


def _word_vectors(seed=0, dim=6):
    model = Word2Vec(WORDS, embedding_dim=dim)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return WordVectors(model, card={"command": "python recipes/word2vec.py --quick"}, min_count=5)


def _unit(vectors):
    vectors = np.asarray(vectors, "float64")
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def test_most_similar_is_sorted_excludes_the_word_and_matches_numpy():
    vectors = _word_vectors()
    unit = _unit(vectors.model.vectors)
    cosines = unit @ unit[0]  # everything against "king"
    result = vectors.most_similar("king", top_k=4)
    assert len(result) == 4 and "king" not in [word for word, _ in result]
    values = [cosine for _, cosine in result]
    assert values == sorted(values, reverse=True)
    expected = np.argsort(-np.where(np.arange(len(WORDS)) == 0, -np.inf, cosines))[:4]
    assert [word for word, _ in result] == [WORDS[i] for i in expected]
    np.testing.assert_allclose(values, cosines[expected], atol=1e-6)
    everything = vectors.most_similar("king", top_k=100)
    assert len(everything) == len(WORDS) - 1 and {w for w, _ in everything} == set(WORDS) - {"king"}


def test_similarity_is_symmetric_and_the_cosine():
    vectors = _word_vectors()
    raw = vectors.model.vectors
    by_hand = float(raw[1] @ raw[5] / (np.linalg.norm(raw[1]) * np.linalg.norm(raw[5])))
    assert vectors.similarity("queen", "sword") == pytest.approx(by_hand, abs=1e-6)
    assert vectors.similarity("sword", "queen") == pytest.approx(vectors.similarity("queen", "sword"), abs=1e-7)
    assert vectors.similarity("love", "love") == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_array_equal(vectors.vector("night"), raw[6])
    assert vectors.vector("night").shape == (6,) and vectors.vector("night").dtype == np.float32
    # Look-ups fall back to lower case: the recipe's vocabulary is lower case.
    assert vectors.similarity("KING", "Queen") == vectors.similarity("king", "queen")
    assert "Gold" in vectors and "zebra" not in vectors and len(vectors) == len(WORDS)


def test_unknown_words_and_bad_arguments_raise_one_line_errors():
    vectors = _word_vectors()
    for call in (lambda: vectors.most_similar("zebra"), lambda: vectors.similarity("king", "zebra"),
                 lambda: vectors.vector("zebra")):
        with pytest.raises(ValueError, match=r"word 'zebra' is not in the vocabulary \(10 words seen at least 5 "
                                             r"times in training\): check the spelling") as error:
            call()
        assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match="top_k=0"):
        vectors.most_similar("king", top_k=0)
    with pytest.raises(ValueError, match="must be a kerasrnn.models.Word2Vec"):
        WordVectors(object())


def test_unknown_word_is_the_same_error_as_from_the_model():
    vectors = _word_vectors()
    for call in (lambda: vectors.most_similar("zebra"), lambda: vectors.model.most_similar("zebra")):
        with pytest.raises(UnknownWordError, match="word 'zebra' is not in the vocabulary") as error:
            call()
        assert isinstance(error.value, KeyError) and isinstance(error.value, ValueError)
        assert error.value.word == "zebra" and str(error.value).startswith("word 'zebra'")


def test_topn_is_a_deprecated_alias_of_top_k():
    vectors = _word_vectors()
    with pytest.warns(DeprecationWarning, match="`topn` is deprecated.*use `top_k`"):
        assert vectors.most_similar("king", topn=3) == vectors.most_similar("king", top_k=3)
    with pytest.raises(ValueError, match="pass only `top_k`"):
        vectors.most_similar("king", top_k=2, topn=3)


def test_save_and_kerasrnn_load_round_trip(tmp_path):
    vectors = _word_vectors()
    vectors.save(tmp_path / "w2v")
    manifest = json.loads((tmp_path / "w2v" / "task.json").read_text())
    assert manifest["task"] == "word2vec" and manifest["words"] == len(WORDS)
    loaded = kerasrnn.load(tmp_path / "w2v")
    assert isinstance(loaded, WordVectors)
    assert loaded.vocabulary == WORDS and loaded.min_count == 5 and loaded.card == vectors.card
    np.testing.assert_array_equal(loaded.model.vectors, vectors.model.vectors)
    for word in WORDS:
        assert loaded.most_similar(word, top_k=5) == vectors.most_similar(word, top_k=5)
    assert loaded.similarity("day", "night") == vectors.similarity("day", "night")


def test_saved_vectors_load_on_another_backend(tmp_path):
    vectors = _word_vectors()
    vectors.save(tmp_path / "w2v")
    other = testing.other_backends()[0]
    code = (
        "import json, kerasrnn, kerasrnn.tasks.word_vectors\n"
        f"v = kerasrnn.load({str(tmp_path / 'w2v')!r})\n"
        "print(json.dumps(v.most_similar('love', top_k=3)))\n"
    )
    result = testing.run_json(code, other)
    expected = vectors.most_similar("love", top_k=3)
    assert [word for word, _ in result] == [word for word, _ in expected]
    np.testing.assert_allclose([c for _, c in result], [c for _, c in expected], atol=1e-6)


@pytest.mark.parametrize("file_name", ["vectors.txt", "vectors.txt.gz"])
def test_word2vec_format_export_is_read_by_gensim(tmp_path, file_name):
    from gensim.models import KeyedVectors

    vectors = _word_vectors()
    path = vectors.save_word2vec_format(tmp_path / file_name)
    if file_name.endswith(".gz"):
        assert gzip.decompress((tmp_path / file_name).read_bytes()).splitlines()[0] == b"10 6"
    keyed = KeyedVectors.load_word2vec_format(path)
    assert keyed.index_to_key == WORDS
    np.testing.assert_array_equal(keyed.vectors, vectors.model.vectors)
    assert keyed.most_similar("king", topn=3)[0][0] == vectors.most_similar("king", top_k=3)[0][0]

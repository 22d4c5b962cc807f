import importlib.util
import json
import re

import numpy as np
import pytest

import kerasrnn
from kerasrnn.cards import validate_card
from kerasrnn.tasks.word_vectors import WordVectors
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import load_recipe
from tests.recipes.recipe_runner import run_recipe

HAS_GENSIM = importlib.util.find_spec("gensim") is not None


def test_quick_run_trains_prints_neighbours_compares_and_saves(tmp_path):
    out = assert_ok(run_recipe("word2vec", "--quick", "--words", "love,death,zebra", "--output-dir", tmp_path))
    assert re.search(r"^\s+love: (\S+ -?[01]\.\d\d, ){7}\S+ -?[01]\.\d\d$", out, re.M)  # 8 neighbours
    assert re.search(r"^\s+zebra: not in the vocabulary$", out, re.M)
    assert re.search(r"in [\d.]+ s: [\d,]+ words/s", out)
    if HAS_GENSIM:
        assert re.search(r"^WordSim353\s+353\s+\d+\s+-?\d\.\d{3}\s+-?\d\.\d{3}$", out, re.M)
        assert re.search(r"^SimLex-999\s+999\s+\d+\s+-?\d\.\d{3}\s+-?\d\.\d{3}$", out, re.M)
        assert re.search(r"^gensim: Spearman WordSim353 -?\d\.\d{3}, SimLex-999 -?\d\.\d{3}; training speed: "
                         r"kerasrnn [\d,]+ words/s .* gensim [\d,]+ words/s", out, re.M)
        # No split: the card's metrics are the word-similarity benchmarks of gensim's test data.
        card = json.loads((tmp_path / "card.json").read_text())
        validate_card(card)
        assert card["data"]["splits"] is None and "validation" not in card["metrics"]
        assert "--quick" in card["training"]["command"] and card["model"]["embedding_dim"] == 32
        assert card["training"]["words_per_second"] > 0
        assert [sample["word"] for sample in card["samples"]] == ["love", "death"]
        test = card["metrics"]["test"]
        assert test["SimLex-999"]["pairs"] == 999 and card["metrics"]["gensim_same_settings"]["words_per_second"] > 0
        assert card["headline"] == {"metric": "WordSim353 Spearman", "split": "test",
                                    "value": test["WordSim353"]["spearman"], "better": "higher"}
        assert card["test_slice"]["size"] == test["WordSim353"]["covered"]
    else:
        assert not (tmp_path / "card.json").exists() and "no card" in out
    for plot in ("word_map.png", "training_curve.png"):
        assert (tmp_path / plot).read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "backup").exists()  # removed once training completed

    vectors = kerasrnn.load(tmp_path)
    assert isinstance(vectors, WordVectors) and len(vectors) == len(vectors.vocabulary)
    if HAS_GENSIM:
        assert len(vectors) == card["model"]["vocabulary_size"]
        neighbours = vectors.most_similar("love", topn=8)
        assert [word for word, _ in neighbours] == [word for word, _ in card["samples"][0]["nearest"]]
        # The card's test slice is recomputed from the saved vectors (and the benchmark file) alone.
        again = load_recipe("word2vec").score_test_slice(vectors, card)
        assert again["sha256"] == card["test_slice"]["sha256"] and again["size"] == card["test_slice"]["size"]
        assert again["value"] == pytest.approx(card["test_slice"]["value"], abs=1e-9)
        assert again["value"] == pytest.approx(card["headline"]["value"], abs=1e-9)

        from gensim.models import KeyedVectors

        keyed = KeyedVectors.load_word2vec_format(str(tmp_path / "vectors.txt.gz"))
        assert keyed.index_to_key == vectors.vocabulary
        np.testing.assert_array_equal(keyed.vectors, vectors.model.vectors)


def test_bad_flags_give_one_line_errors():
    result = run_recipe("word2vec", "--subsample", "-1", backend="jax")
    assert result.returncode == 2 and "--subsample: expected a number >= 0, received '-1'" in result.stderr
    result = run_recipe("word2vec", "--window", "0", backend="jax")
    assert result.returncode == 2 and "--window: expected a positive integer, received '0'" in result.stderr

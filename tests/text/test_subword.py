"""SubwordVocabulary: SentencePiece on cased raw text, ids shared with the model, no TensorFlow."""

import numpy as np
import pytest

from kerasrnn.text.subword import END_ID
from kerasrnn.text.subword import START_ID
from kerasrnn.text.subword import UNK_ID
from kerasrnn.text.subword import SubwordVocabulary
from tests import testing

FRENCH = ["J'ai froid.", "Où est la gare\u202f?", "Il lit un livre.", "Tom court.", "Qu'est-ce que c'est\u00a0?",
          "Nous avons froid.", "Elle lit.", "Où est Tom ?", "Je cours vite !", "C'est un livre."] * 20


@pytest.fixture(scope="module")
def vocabulary():
    return SubwordVocabulary.train(FRENCH, vocabulary_size=60)


def test_round_trip_is_cased_and_keeps_french_spacing(vocabulary):
    assert vocabulary.decode(vocabulary.encode("J'ai froid.")) == "J'ai froid."
    # Narrow and non-breaking spaces before ? become the plain space the model writes.
    assert vocabulary.decode(vocabulary.encode("Où est la gare\u202f?")) == "Où est la gare ?"
    ids = vocabulary.encode("Tom court.")
    assert ids.dtype == np.int32 and START_ID not in ids and END_ID not in ids
    assert vocabulary.decode([START_ID, *ids, END_ID, 7, 0]) == "Tom court."  # stops at </s>
    assert UNK_ID in vocabulary.encode("Zèbre 名") and vocabulary.count_unknown("名") >= 1


def test_training_is_deterministic_and_saves(vocabulary, tmp_path):
    assert SubwordVocabulary.train(FRENCH, vocabulary_size=60) == vocabulary
    vocabulary.save(tmp_path / "target_subwords.model")
    assert SubwordVocabulary.load(tmp_path / "target_subwords.model") == vocabulary
    assert vocabulary.size <= 60 and vocabulary.pieces("Tom court.")[0].startswith("\u2581")


def test_bad_arguments(vocabulary):
    with pytest.raises(ValueError, match="model_type='word'"):
        SubwordVocabulary.train(FRENCH, 60, model_type="word")
    with pytest.raises(ValueError, match="no text"):
        SubwordVocabulary.train(["", " "], 60)
    with pytest.raises(ValueError, match="model_proto"):
        SubwordVocabulary("not bytes")
    with pytest.raises(FileNotFoundError, match="missing.model"):
        SubwordVocabulary.load("missing.model")


def test_tensorflow_twin_tokenises_and_detokenises_the_same(vocabulary):
    tf = pytest.importorskip("tensorflow")
    from kerasrnn.text.tf_text import tf_sentencepiece_tokenizer

    queries = sorted(set(FRENCH)) + ["", "  J'ai   FROID\u00a0! ", "Zèbre 名 ?"]
    tokenizer = tf_sentencepiece_tokenizer(vocabulary)
    ids = tokenizer.tokenize(tf.constant(queries))
    assert [row.tolist() for row in ids.numpy()] == [vocabulary.encode(q).tolist() for q in queries]
    assert [t.decode() for t in tokenizer.detokenize(ids).numpy()] == [
        vocabulary.decode(vocabulary.encode(q)) for q in queries]


def test_the_module_does_not_import_tensorflow():
    code = ("import json, sys; from kerasrnn.text.subword import SubwordVocabulary; "
            "v = SubwordVocabulary.train(['a b c', 'b c d'] * 5, 12); "
            "print(json.dumps('tensorflow' in sys.modules))")
    assert testing.run_json(code, "jax") is False


def test_train_and_load_where_deprecation_warnings_are_errors(tmp_path):
    # sentencepiece's SWIG wrapper warns from C on first use; as an error there, it crashed the interpreter.
    code = ("import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            "from kerasrnn.text.subword import SubwordVocabulary\n"
            f"vocabulary = SubwordVocabulary.train({FRENCH[:10]!r} * 20, vocabulary_size=60)\n"
            f"vocabulary.save({str(tmp_path / 'fr.model')!r})\n"
            f"print(SubwordVocabulary.load({str(tmp_path / 'fr.model')!r}).decode(vocabulary.encode('Tom court.')))")
    assert testing.run_python(code, testing.backend()).stdout.strip() == "Tom court."

import os

import numpy as np
import pytest

import keras

import kerasrnn
from kerasrnn.models import build_language_model
from kerasrnn.tasks import LanguageModel
from kerasrnn.tasks import round_weights
from kerasrnn.text import Vocabulary

TEXT = "to be or not to be, that is the question. " * 5


def make_task():
    keras.utils.set_random_seed(0)
    vocabulary = Vocabulary.build(TEXT, level="char")
    model = build_language_model(vocabulary.size, embedding_dim=16, hidden_units=128)  # an LSTM
    return LanguageModel(model, vocabulary)


def test_float16_weights_halve_the_file_and_load_as_the_rounded_float32_weights(tmp_path):
    task = make_task()
    original = [np.array(w) for w in task.model.get_weights()]
    task.save(tmp_path / "full")
    task.save(tmp_path / "half", weights_dtype="float16")
    full, half = (os.path.getsize(tmp_path / name / "model.keras") for name in ("full", "half"))
    assert half < 0.6 * full

    loaded = kerasrnn.load(tmp_path / "half")
    assert [w.dtype for w in loaded.model.get_weights()] == [w.dtype for w in original]  # still float32
    for stored, weight in zip(loaded.model.get_weights(), original):
        np.testing.assert_array_equal(stored, weight.astype("float16").astype("float32"))
    assert any(not np.array_equal(stored, weight) for stored, weight in zip(loaded.model.get_weights(), original))
    # The model in memory was not changed by saving.
    for weight, before in zip(task.model.get_weights(), original):
        np.testing.assert_array_equal(weight, before)


def test_round_weights_makes_the_model_in_memory_compute_what_is_stored(tmp_path):
    task = make_task()
    round_weights(task.model)
    task.save(tmp_path / "half", weights_dtype="float16")
    loaded = kerasrnn.load(tmp_path / "half")
    ids = task.vocabulary.encode("to be or")[None, :]
    np.testing.assert_array_equal(loaded.model.predict(ids, verbose=0), task.model.predict(ids, verbose=0))
    assert loaded.generate("to ", num_chars=20, greedy=True) == task.generate("to ", num_chars=20, greedy=True)
    # Rounding twice changes nothing.
    before = [np.array(w) for w in task.model.get_weights()]
    round_weights(task.model)
    for weight, previous in zip(task.model.get_weights(), before):
        np.testing.assert_array_equal(weight, previous)


def test_bad_weights_dtype_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="weights_dtype.*bfloat16"):
        make_task().save(tmp_path / "x", weights_dtype="bfloat16")
    assert not (tmp_path / "x").exists()  # checked before any file is written


def test_every_member_of_an_ensemble_is_stored_as_float16(tmp_path):
    from kerasrnn.models import build_sequence_classifier
    from kerasrnn.tasks import NameClassifier

    vocabulary = Vocabulary.build("abcdefghij", level="char")
    keras.utils.set_random_seed(0)
    members = [build_sequence_classifier(vocabulary.size, 3, embedding_dim=8, hidden_units=32) for _ in range(2)]
    classifier = NameClassifier(members, vocabulary, ["a", "b", "c"])
    classifier.save(tmp_path / "half", weights_dtype="float16")
    loaded = kerasrnn.load(tmp_path / "half")
    assert len(loaded.members) == 2
    for stored, member in zip(loaded.members, members):
        for a, b in zip(stored.get_weights(), member.get_weights()):
            np.testing.assert_array_equal(a, np.asarray(b).astype("float16").astype("float32"))

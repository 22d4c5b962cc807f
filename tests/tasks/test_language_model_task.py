import math
import os

import numpy as np
import pytest

import keras

import kerasrnn
from kerasrnn.models import build_language_model
from kerasrnn.tasks import LanguageModel
from kerasrnn.text import Vocabulary

TEXT = "to be or not to be, that is the question. " * 20


@pytest.fixture
def task():
    keras.utils.set_random_seed(0)
    vocabulary = Vocabulary.build(TEXT, level="char")
    model = build_language_model(vocabulary.size, cell_type="gru", embedding_dim=8, hidden_units=16)
    return LanguageModel(model, vocabulary, card={"note": "test"})


def test_score_matches_the_full_model(task):
    text = "to be or not"
    ids = task.vocabulary.encode(text)
    logits = np.asarray(task.model.predict(ids[None, :-1], verbose=0))[0]
    log_probs = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) - logits.max(-1, keepdims=True)
    nats = -np.mean(log_probs[np.arange(len(ids) - 1), ids[1:]])
    score = task.score(text)
    assert score["nats_per_char"] == pytest.approx(nats, rel=1e-4)
    assert score["bits_per_char"] == pytest.approx(nats / math.log(2), rel=1e-4)
    assert score["perplexity"] == pytest.approx(math.exp(nats), rel=1e-4)
    assert score["unknown_chars"] == 0


def test_unknown_characters_are_counted_not_fatal(task):
    assert task.score("to bé or nöt")["unknown_chars"] == 2
    with pytest.warns(UserWarning, match="2 prompt token"):
        text = task.generate("tö bé", num_chars=5, seed=0)
    assert len(text) == 5


def test_generate_prompt_longer_than_training_window_and_empty_prompt(task):
    assert len(task.generate(TEXT[:300], num_chars=10, seed=1)) == 10
    assert task.generate("", num_chars=10, seed=1) == task.generate(None, num_chars=10, seed=1)


def test_save_and_load_round_trip(task, tmp_path):
    directory = tmp_path / "lm"
    task.save(directory)
    assert sorted(os.listdir(directory)) == ["card.json", "model.keras", "task.json", "vocabulary.json"]
    loaded = kerasrnn.load(directory)
    assert isinstance(loaded, LanguageModel)
    assert loaded.vocabulary == task.vocabulary and loaded.card == {"note": "test"}
    assert loaded.generate("to be", 30, seed=4) == task.generate("to be", 30, seed=4)
    assert loaded.score("to be or not")["nats_per_char"] == pytest.approx(task.score("to be or not")["nats_per_char"])


def test_load_errors(task, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        kerasrnn.load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no task.json"):
        kerasrnn.load(tmp_path / "empty")
    directory = tmp_path / "lm"
    task.save(directory)
    model_file = directory / "model.keras"
    model_file.write_bytes(model_file.read_bytes()[:1000])  # truncated
    with pytest.raises(ValueError, match="truncated or corrupt"):
        kerasrnn.load(directory)
    (directory / "task.json").write_text('{"task": "language_model", "format_version": 0, "kerasrnn_version": "0.0.1"}')
    with pytest.raises(ValueError, match="format_version=0"):
        kerasrnn.load(directory)


def test_generate_takes_a_sampler_by_name_or_instance(task):
    from kerasrnn.decoding import BeamSampler
    from kerasrnn.decoding import RandomSampler

    greedy = task.generate("to be", 12, greedy=True)
    assert task.generate("to be", 12, sampler="greedy") == greedy
    assert task.generate("to be", 12, sampler="beam", beam_width=1) == greedy
    assert len(task.generate("to be", 12, sampler=BeamSampler(beam_width=3))) == 12
    assert task.generate("to be", 12, sampler=RandomSampler(0.7, top_k=3, seed=2)) == task.generate(
        "to be", 12, temperature=0.7, top_k=3, seed=2)
    with pytest.raises(ValueError, match="sampler='best'"):
        task.generate("to be", 12, sampler="best")

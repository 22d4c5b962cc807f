import numpy as np
import pytest

import keras

from kerasrnn.decoding import RecurrentStepper
from kerasrnn.decoding import TokenSampler
from kerasrnn.decoding import filter_logits
from kerasrnn.models import build_language_model


@pytest.fixture
def model():
    keras.utils.set_random_seed(0)
    return build_language_model(13, cell="lstm", embedding_dim=5, hidden_units=8, num_layers=2)


def test_stepper_matches_the_full_model(model):
    ids = np.random.default_rng(0).integers(0, 13, size=(3, 7)).astype("int32")
    expected = np.asarray(model.predict(ids, verbose=0))  # (3, 7, 13)
    stepper = RecurrentStepper(model)
    states = stepper.initial_states(3)
    for t in range(7):
        logits, states = stepper.step(keras.ops.convert_to_tensor(ids[:, t]), states)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(logits), expected[:, t], atol=1e-5)


@pytest.mark.parametrize("cell", ["gru", "simple_rnn", "layernorm_rnn"])
def test_greedy_equals_argmax_of_the_full_model(cell):
    keras.utils.set_random_seed(1)
    model = build_language_model(9, cell=cell, embedding_dim=4, hidden_units=6)
    prompt = np.array([1, 4, 2], "int32")
    generated = TokenSampler(RecurrentStepper(model)).generate(prompt, 6, greedy=True)
    sequence = list(prompt)
    for _ in range(6):
        logits = np.asarray(model.predict(np.array([sequence], "int32"), verbose=0))[0, -1]
        sequence.append(int(np.argmax(logits)))
    assert generated.tolist() == sequence[3:]


def test_sampling_is_repeatable_and_follows_the_distribution(model):
    sampler = TokenSampler(RecurrentStepper(model))
    prompt = np.array([[3], [3]], "int32")
    a = sampler.generate(prompt, 20, temperature=1.0, seed=7)
    b = sampler.generate(prompt, 20, temperature=1.0, seed=7)
    np.testing.assert_array_equal(a, b)
    c = sampler.generate(prompt, 20, temperature=1.0, seed=8)
    assert not np.array_equal(a, c)
    # First sampled token vs the model's softmax over many draws.
    draws = sampler.generate(np.full((2000, 1), 3, "int32"), 1, temperature=1.0, seed=0)[:, 0]
    logits = np.asarray(model.predict(np.array([[3]], "int32"), verbose=0))[0, -1]
    probabilities = np.exp(logits - logits.max())
    probabilities /= probabilities.sum()
    observed = np.bincount(draws, minlength=13) / len(draws)
    np.testing.assert_allclose(observed, probabilities, atol=0.04)


def test_top_k_one_is_greedy(model):
    sampler = TokenSampler(RecurrentStepper(model))
    prompt = np.array([2, 5], "int32")
    np.testing.assert_array_equal(
        sampler.generate(prompt, 8, top_k=1, seed=3), sampler.generate(prompt, 8, greedy=True)
    )


def test_filter_logits_top_k_and_top_p():
    logits = keras.ops.convert_to_tensor(np.log(np.array([[0.5, 0.3, 0.15, 0.05]], "float32")))
    kept = keras.ops.convert_to_numpy(filter_logits(logits, top_k=2)) > -1e8
    assert kept.tolist() == [[True, True, False, False]]
    kept = keras.ops.convert_to_numpy(filter_logits(logits, top_p=0.7)) > -1e8
    assert kept.tolist() == [[True, True, False, False]]  # 0.5 < 0.7, 0.5 + 0.3 >= 0.7
    kept = keras.ops.convert_to_numpy(filter_logits(logits, top_p=0.5)) > -1e8
    assert kept.tolist() == [[True, False, False, False]]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"temperature": 0.0}, "temperature=0.0"),
        ({"temperature": -1.0}, "temperature=-1.0"),
        ({"top_k": 99}, "top_k=99"),
        ({"top_k": 0}, "top_k=0"),
        ({"top_p": 0.0}, "top_p=0.0"),
        ({"top_p": 1.5}, "top_p=1.5"),
    ],
)
def test_bad_sampling_arguments(model, kwargs, message):
    with pytest.raises(ValueError, match=message):
        TokenSampler(RecurrentStepper(model)).generate(np.array([1], "int32"), 3, **kwargs)


def test_bad_prompt_and_steps(model):
    sampler = TokenSampler(RecurrentStepper(model))
    with pytest.raises(ValueError, match="at least one token"):
        sampler.generate(np.zeros((1, 0), "int32"), 3)
    with pytest.raises(ValueError, match="num_steps=0"):
        sampler.generate(np.array([1], "int32"), 0)

"""Greedy and random sampling of language models through the one decoding loop; the recurrent stepper."""

import numpy as np
import pytest

import keras

from kerasrnn.decoding import BeamSampler
from kerasrnn.decoding import GreedySampler
from kerasrnn.decoding import RandomSampler
from kerasrnn.decoding import RecurrentStepper
from kerasrnn.decoding import TokenGenerator
from kerasrnn.decoding import filter_logits
from kerasrnn.decoding import get_sampler
from kerasrnn.models import build_language_model
from tests import testing


class TokenSampler:
    """`TokenGenerator` with the sampler's settings as keyword arguments."""

    def __init__(self, stepper):
        self.generator = TokenGenerator(stepper)

    def generate(self, prompt_ids, num_steps, greedy=False, **settings):
        sampler = GreedySampler() if greedy else RandomSampler(**settings)
        return self.generator.generate(prompt_ids, num_steps, sampler)


@pytest.fixture
def model():
    keras.utils.set_random_seed(0)
    return build_language_model(13, cell_type="lstm", embedding_dim=5, hidden_units=8, num_layers=2)


def test_stepper_matches_the_full_model(model):
    ids = np.random.default_rng(0).integers(0, 13, size=(3, 7)).astype("int32")
    expected = np.asarray(model.predict(ids, verbose=0))  # (3, 7, 13)
    stepper = RecurrentStepper(model)
    states = stepper.initial_states(3)
    next_fn = stepper.next_fn()  # the fused kernels where the backend has them (torch), else the same as step
    fast_states = states
    for t in range(7):
        tokens = keras.ops.convert_to_tensor(ids[:, t])
        logits, states = stepper.step(tokens, states)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(logits), expected[:, t], atol=1e-5)
        fast_logits, fast_states = next_fn(tokens, fast_states, t)
        np.testing.assert_allclose(testing.to_numpy(fast_logits), expected[:, t], atol=1e-5)


@pytest.mark.parametrize("cell_type", ["lstm", "gru"])
def test_fused_steps_generate_the_tokens_of_the_generic_path(cell_type):
    keras.utils.set_random_seed(3)
    model = build_language_model(17, cell_type=cell_type, embedding_dim=6, hidden_units=12, num_layers=2)
    stepper = RecurrentStepper(model)
    fused = stepper._fused_next_fn()
    assert (fused is not None) == (keras.backend.backend() == "torch")  # torch._VF.lstm_cell / gru_cell
    prompts = np.random.default_rng(1).integers(1, 17, size=(3, 4)).astype("int32")
    fast = TokenGenerator(stepper).generate(prompts, 40, GreedySampler())
    sampled = TokenGenerator(stepper).generate(prompts, 40, RandomSampler(temperature=1.2, seed=5))
    stepper.next_fn = lambda: lambda tokens, states, index: stepper.step(tokens, states)  # cells, layer by layer
    np.testing.assert_array_equal(TokenGenerator(stepper).generate(prompts, 40, GreedySampler()), fast)
    np.testing.assert_array_equal(TokenGenerator(stepper).generate(prompts, 40, RandomSampler(1.2, seed=5)), sampled)


def test_beam_width_one_is_greedy_and_wider_beams_are_more_likely(model):
    generator = TokenGenerator(RecurrentStepper(model), suppress_ids=(0,))  # beams never generate padding
    prompt = np.array([[2, 5], [7, 1]], "int32")
    greedy = generator.generate(prompt, 6, GreedySampler())
    np.testing.assert_array_equal(generator.generate(prompt, 6, BeamSampler(beam_width=1)), greedy)

    def log_prob(row, continuation):
        ids = np.concatenate([row, continuation])[None, :]
        logits = np.asarray(model.predict(ids[:, :-1], verbose=0))[0].astype("float64")
        log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        return sum(log_probs[t, ids[0, t + 1]] for t in range(len(row) - 1, ids.shape[1] - 1))

    wide = generator.generate(prompt, 6, BeamSampler(beam_width=4, length_penalty=0.0))
    for row, greedy_row, wide_row in zip(prompt, greedy, wide):
        assert log_prob(row, wide_row) >= log_prob(row, greedy_row) - 1e-5


def test_get_sampler_names_and_errors():
    assert isinstance(get_sampler("greedy"), GreedySampler)
    sampler = get_sampler("random", temperature=0.5, top_k=3, seed=1, beam_width=4)
    assert (sampler.temperature, sampler.top_k, sampler.seed) == (0.5, 3, 1)
    beam = get_sampler("beam", beam_width=3, length_penalty=1.0, temperature=2.0)
    assert (beam.beam_width, beam.length_penalty) == (3, 1.0)
    assert get_sampler(beam) is beam
    with pytest.raises(ValueError, match="sampler='nucleus'"):
        get_sampler("nucleus")


@pytest.mark.parametrize("cell_type", ["gru", "simple_rnn", "layernorm_rnn"])
def test_greedy_equals_argmax_of_the_full_model(cell_type):
    keras.utils.set_random_seed(1)
    model = build_language_model(9, cell_type=cell_type, embedding_dim=4, hidden_units=6)
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

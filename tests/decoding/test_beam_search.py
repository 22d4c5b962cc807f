"""Beam search and greedy search: hand-made cases where the answer is known, and a real Seq2Seq.

Every case runs the one decoding loop of `kerasrnn.decoding` (`GreedySampler`, `BeamSampler`, `RandomSampler`).
"""

import math

import numpy as np
import pytest
from keras import ops

from kerasrnn.backend import compile_inference
from kerasrnn.decoding import BeamSampler
from kerasrnn.decoding import GreedySampler
from kerasrnn.decoding import RandomSampler
from kerasrnn.decoding import Seq2SeqGenerator
from kerasrnn.decoding import length_normalizer
from kerasrnn.decoding import length_penalty
from kerasrnn.decoding import normalized_scores
from kerasrnn.decoding.seq2seq_generator import pad_sources
from kerasrnn.decoding.seq2seq_generator import reverse_padded
from kerasrnn.models.seq2seq import Seq2Seq
from tests import testing

PAD, UNK, START, END, A, B = range(6)


def markov_table(transitions, size=6):
    """Logits `(size, size)`: row = previous token, `log P(next | previous)`; unlisted tokens get 1e-6."""
    table = np.full((size, size), 1e-6)
    for previous, row in transitions.items():
        for token, probability in row.items():
            table[previous, token] = probability
    return np.log(table).astype("float32")


def stub_step(table):
    """A 'decoder' whose next-token distribution depends only on the previous token."""
    table = ops.convert_to_tensor(table)

    def step(tokens, states, index):
        return ops.take(table, tokens, axis=0), states

    return step


def start_prompt(batch, max_length):
    prompt = np.zeros((batch, 1 + max_length), "int32")
    prompt[:, 0] = START
    return prompt


def run_beam(table, beam_width, alpha, max_length=5, batch=1):
    """`(tokens (batch, beam, max_length), scores, log_probs)` of every beam, best first."""
    sampler = BeamSampler(beam_width, alpha, return_all_beams=True)

    def run():
        return sampler(stub_step(table), start_prompt(batch, max_length), [ops.zeros((batch, 1))],
                       end_token_id=END)

    tokens, log_probs = compile_inference(run, [])()
    tokens = np.asarray(ops.convert_to_numpy(tokens))[..., 1:]
    log_probs = np.asarray(ops.convert_to_numpy(log_probs))
    return tokens, np.asarray(ops.convert_to_numpy(normalized_scores(tokens, log_probs, alpha))), log_probs


def run_greedy(table, max_length=5):
    def run():
        return GreedySampler()(stub_step(table), start_prompt(1, max_length), [ops.zeros((1, 1))], end_token_id=END)

    tokens, log_probs = compile_inference(run, [])()
    return np.asarray(ops.convert_to_numpy(tokens))[:, 1:], np.asarray(ops.convert_to_numpy(log_probs))


# Greedy takes A (0.6) but A ends with probability 0.4 at best: P(A </s>) = 0.24 < P(B </s>) = 0.36.
TRAP = markov_table({START: {A: 0.6, B: 0.4}, A: {END: 0.4, A: 0.3, B: 0.3}, B: {END: 0.9, A: 0.1}})
# A short and a long hypothesis: P(</s>) = 0.505 against P(A B </s>) = 0.495.
SHORT_OR_LONG = markov_table({START: {END: 0.505, A: 0.495}, A: {B: 1.0}, B: {END: 1.0}})


def test_beam_search_finds_the_sequence_greedy_search_misses():
    greedy, greedy_log_prob = run_greedy(TRAP)
    assert greedy[0, :3].tolist() == [A, END, 0]
    assert greedy_log_prob[0] == pytest.approx(math.log(0.24), abs=1e-4)
    tokens, scores, log_probs = run_beam(TRAP, beam_width=2, alpha=0.0)
    assert tokens[0, 0, :3].tolist() == [B, END, 0]  # best beam first
    assert tokens[0, 1, :3].tolist() == [A, END, 0]
    assert log_probs[0].tolist() == pytest.approx([math.log(0.36), math.log(0.24)], abs=1e-4)
    assert scores[0].tolist() == pytest.approx(log_probs[0].tolist())  # alpha = 0: no normalisation


def test_greedy_equals_beam_width_one():
    greedy, greedy_log_prob = run_greedy(TRAP)
    tokens, scores, log_probs = run_beam(TRAP, beam_width=1, alpha=0.6)
    np.testing.assert_array_equal(tokens[:, 0], greedy)
    assert log_probs[0, 0] == pytest.approx(greedy_log_prob[0], abs=1e-5)
    assert testing.to_numpy(normalized_scores(greedy, greedy_log_prob, alpha=0.6))[0] == pytest.approx(
        scores[0, 0], abs=1e-5)


def test_length_penalty_function_is_a_deprecated_alias_of_length_normalizer():
    with pytest.warns(DeprecationWarning, match="length_normalizer"):
        value = length_penalty(7, 1.0)
    assert float(ops.convert_to_numpy(value)) == pytest.approx(2.0)


def test_length_penalty_decides_between_short_and_long_hypotheses():
    assert float(ops.convert_to_numpy(length_normalizer(1, 0.6))) == pytest.approx(1.0)
    assert float(ops.convert_to_numpy(length_normalizer(7, 1.0))) == pytest.approx(2.0)
    plain, _, _ = run_beam(SHORT_OR_LONG, beam_width=2, alpha=0.0)
    assert plain[0, 0, :2].tolist() == [END, 0]  # log P favours the short one
    normalised, scores, log_probs = run_beam(SHORT_OR_LONG, beam_width=2, alpha=1.0)
    assert normalised[0, 0, :4].tolist() == [A, B, END, 0]  # divided by (5 + 3) / 6, the long one wins
    assert scores[0, 0] == pytest.approx(math.log(0.495) / (8 / 6), abs=1e-4)
    assert scores[0, 1] == pytest.approx(math.log(0.505), abs=1e-4)


def test_finished_beams_are_frozen_and_padded():
    tokens, scores, log_probs = run_beam(SHORT_OR_LONG, beam_width=2, alpha=0.0, max_length=6)
    # `</s>` finished at step 1 and was carried over for the following steps unchanged.
    assert tokens[0, 0].tolist() == [END, 0, 0, 0, 0, 0]
    assert log_probs[0, 0] == pytest.approx(math.log(0.505), abs=1e-4)
    assert tokens[0, 1].tolist() == [A, B, END, 0, 0, 0]


def test_unfinished_hypotheses_stop_at_max_length():
    tokens, _, log_probs = run_beam(SHORT_OR_LONG, beam_width=2, alpha=0.0, max_length=2)
    assert tokens.shape == (1, 2, 2)
    assert sorted(map(tuple, tokens[0].tolist())) == [(END, 0), (A, B)]


# A = </s> at once, the best finished hypothesis; B opens a path that splits at C into two equally likely live
# beams, whose normalised scores beat A's for a step (alpha = 1 rewards length), then fall far below it.
C, D, E = 6, 7, 8
ENDS_EARLY = markov_table({START: {A: 0.3, B: 0.7}, A: {END: 1.0}, B: {C: 1.0}, C: {D: 0.5, E: 0.5}}, size=9)


def test_a_finished_best_survives_live_beams_that_outscore_it_for_a_while():
    live_score = math.log(0.35) / (8 / 6)  # B C D after three tokens: above A's score below
    finished_score = math.log(0.3) / (7 / 6)
    assert live_score > finished_score
    tokens, scores, log_probs = run_beam(ENDS_EARLY, beam_width=2, alpha=1.0, max_length=6)
    assert tokens[0, 0, :3].tolist() == [A, END, 0]
    assert scores[0, 0] == pytest.approx(finished_score, abs=1e-4)
    assert log_probs[0, 0] == pytest.approx(math.log(0.3), abs=1e-4)
    assert scores[0, 1] < scores[0, 0]


def test_batched_beam_search_decodes_each_row_independently():
    tokens, _, _ = run_beam(TRAP, beam_width=2, alpha=0.0, batch=3)
    for row in tokens:
        assert row[0, :2].tolist() == [B, END]


# --------------------------------------------------------- a real Seq2Seq model
@pytest.fixture(scope="module")
def generator():
    import keras

    keras.utils.set_random_seed(2)
    model = Seq2Seq(20, 12, embedding_dim=8, hidden_units=12, num_layers=2, reverse_source=True)
    return Seq2SeqGenerator(model, start_id=3, end_id=4, suppress_ids=(2, 3))


SOURCES = [np.array([5, 6, 7]), np.array([8, 9]), np.array([10, 11, 12, 13, 14, 15, 16, 17, 18])]


def test_pad_and_reverse_sources():
    padded = pad_sources(SOURCES)
    assert padded.shape == (3, 16) and padded[1, :3].tolist() == [8, 9, 0]
    reversed_ids = testing.to_numpy(reverse_padded(padded))
    assert reversed_ids[0, :4].tolist() == [7, 6, 5, 0] and reversed_ids[2, :9].tolist() == list(range(18, 9, -1))
    with pytest.raises(ValueError, match="must not contain 0"):
        pad_sources([np.array([5, 0, 6])])


def test_real_model_greedy_equals_beam_one_and_batch_equals_one_by_one(generator):
    greedy, greedy_log_probs = generator.generate(SOURCES, GreedySampler(), max_length=8)
    beam, log_probs = generator.generate(SOURCES, BeamSampler(beam_width=1, length_penalty=0.0), max_length=8)
    np.testing.assert_array_equal(greedy, beam)
    np.testing.assert_allclose(greedy_log_probs, log_probs, atol=1e-4)
    all_beams = BeamSampler(beam_width=3, return_all_beams=True)
    wide, wide_log_probs = generator.generate(SOURCES, all_beams, max_length=8)
    wide_scores = testing.to_numpy(normalized_scores(wide, wide_log_probs, 0.6))
    assert wide.shape == (3, 3, 8) and np.all(np.diff(wide_scores, axis=1) <= 1e-6)  # best first
    for index, source in enumerate(SOURCES):  # one by one: no padding, a batch of one
        alone, alone_log_probs = generator.generate([source], all_beams, max_length=8)
        np.testing.assert_array_equal(alone[0], wide[index])
        np.testing.assert_allclose(alone_log_probs[0], wide_log_probs[index], atol=1e-4)
    for index, source in enumerate(SOURCES):  # greedy too
        alone, alone_log_probs = generator.generate([source], GreedySampler(), max_length=8)
        np.testing.assert_array_equal(alone[0], greedy[index])


def test_sampling_repeats_with_a_seed_and_top_k_one_is_greedy(generator):
    first, _ = generator.generate(SOURCES, RandomSampler(temperature=1.5, seed=7), max_length=8)
    again, _ = generator.generate(SOURCES, RandomSampler(temperature=1.5, seed=7), max_length=8)
    np.testing.assert_array_equal(first, again)
    top_one, _ = generator.generate(SOURCES, RandomSampler(top_k=1, seed=3), max_length=8)
    np.testing.assert_array_equal(top_one, generator.generate(SOURCES, GreedySampler(), max_length=8)[0])


def test_decoding_argument_errors(generator):
    with pytest.raises(ValueError, match="beam_width"):
        BeamSampler(beam_width=0)
    with pytest.raises(ValueError, match="beam_width=12"):
        generator.generate(SOURCES, BeamSampler(beam_width=12))
    with pytest.raises(ValueError, match="max_length"):
        generator.generate(SOURCES, GreedySampler(), max_length=0)
    with pytest.raises(ValueError, match="temperature"):
        RandomSampler(temperature=0)
    with pytest.raises(ValueError, match="end_id"):
        Seq2SeqGenerator(generator.stepper, start_id=3, end_id=99)
    with pytest.raises(ValueError, match="mask"):
        BeamSampler()(None, np.zeros((1, 3), "int32"), [], mask=np.ones((1, 3), bool))

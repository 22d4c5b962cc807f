import numpy as np
import pytest

from kerasrnn.data.skip_gram import negative_sampling_table
from kerasrnn.data.skip_gram import skip_gram_blocks
from kerasrnn.data.skip_gram import subsample_keep_probability
from kerasrnn.data.skip_gram import unigram_table

WINDOW, NEGATIVES, BLOCK = 3, 4, 8
OFFSETS = [o for o in range(-WINDOW, WINDOW + 1) if o]


def _blocks(ids, seed=0, keep=None, num_positions=None, counts=None):
    counts = np.bincount(ids, minlength=int(ids.max()) + 1) if counts is None else counts
    table = negative_sampling_table(counts, size=10_000)
    rng = np.random.default_rng(seed)
    return skip_gram_blocks(ids, WINDOW, NEGATIVES, BLOCK, keep, table, rng, num_positions)


def test_negative_table_follows_the_unigram_power():
    counts = np.array([1000, 10, 0, 1])
    table = negative_sampling_table(counts, size=100_000)
    share = np.bincount(table, minlength=4) / len(table)
    np.testing.assert_allclose(share, unigram_table(counts), atol=2e-5)
    assert table.dtype == np.int32 and 2 not in table and 3 in table  # a rare word keeps a slot
    assert len(negative_sampling_table(np.ones(50))) == 1_000_000  # default size


def test_blocks_lay_out_the_stream_windows_and_negatives():
    ids = np.random.default_rng(1).integers(0, 30, size=45).astype("int32")
    blocks = _blocks(ids)
    positions = 48  # 45 words in blocks of 8
    assert blocks.ids.shape == (positions + 2 * WINDOW,) and blocks.outputs.shape == (positions, 1 + NEGATIVES)
    assert blocks.weights.shape == (positions, 2 * WINDOW) and blocks.radius.shape == (positions // BLOCK,)
    assert blocks.num_kept == 45 and blocks.num_blocks == 6
    np.testing.assert_array_equal(blocks.ids[WINDOW : WINDOW + 45], ids)
    np.testing.assert_array_equal(blocks.ids[:WINDOW], 0)
    assert blocks.radius.min() >= 1 and blocks.radius.max() <= WINDOW
    centres = blocks.ids[WINDOW : WINDOW + positions]
    np.testing.assert_array_equal(blocks.outputs[:, 0], centres)
    assert not (blocks.outputs[:, 1:] == centres[:, None]).any()
    # A slot is real exactly when its position holds a word of the stream.
    for p in range(positions):
        for column, offset in enumerate(OFFSETS):
            expected = p < 45 and 0 <= p + offset < 45
            assert blocks.weights[p, column] == expected, (p, offset)


def test_num_pairs_counts_every_pair_within_each_block_radius():
    ids = np.arange(61, dtype="int32") % 17
    blocks = _blocks(ids, seed=3)
    pairs = 0
    for p in range(blocks.num_kept):
        radius = blocks.radius[p // BLOCK]
        pairs += sum(1 for offset in OFFSETS if abs(offset) <= radius and 0 <= p + offset < blocks.num_kept)
    assert blocks.num_pairs == pairs
    # Radii uniform in [1, W]: about 2 * E[radius] = W + 1 pairs per word on average.
    many = [_blocks(np.arange(800, dtype="int32") % 40, seed=s).num_pairs for s in range(40)]
    assert np.mean(many) == pytest.approx(800 * (WINDOW + 1), rel=0.05)


def test_subsampling_keeps_words_with_their_probability_and_fixed_shapes():
    ids = np.array([0] * 900 + [1] * 100, dtype="int32")
    np.random.default_rng(0).shuffle(ids)
    counts = np.bincount(ids)
    keep = subsample_keep_probability(counts, threshold=0.05)
    kept = [_blocks(ids, seed=s, keep=keep, counts=counts) for s in range(20)]
    assert {b.ids.shape for b in kept} == {(1000 + 2 * WINDOW,)}  # room for every word, every epoch
    zeros = np.mean([np.sum(b.ids[WINDOW : WINDOW + b.num_kept] == 0) for b in kept])
    ones = np.mean([np.sum(b.ids[WINDOW : WINDOW + b.num_kept] == 1) for b in kept])
    assert zeros == pytest.approx(900 * keep[0], rel=0.1) and ones == pytest.approx(100 * keep[1], rel=0.1)


def test_blocks_are_deterministic_under_seed_and_check_num_positions():
    ids = np.arange(100, dtype="int32") % 23
    a, b = _blocks(ids, seed=7), _blocks(ids, seed=7)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert _blocks(ids, num_positions=128).outputs.shape == (128, 1 + NEGATIVES)
    with pytest.raises(ValueError, match="num_positions=100"):
        _blocks(ids, num_positions=100)  # not a multiple of the block size
    with pytest.raises(ValueError, match="num_positions=96"):
        _blocks(ids, num_positions=96)  # fewer than the words

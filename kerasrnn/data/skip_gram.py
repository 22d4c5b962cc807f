"""Skip-gram (target, context, label) examples with subsampling and unigram^0.75 negatives.

Two layouts of the same examples:

* `skip_gram_examples` / `make_skip_gram_dataset`: one row per (word,
  context) pair with its own negatives, for `model.fit` on a `Word2Vec`.
* `skip_gram_blocks`: the kept word stream cut into blocks of consecutive
  centre words, for `kerasrnn.training.SkipGramTrainer`,
  which builds the windows inside its compiled loop.
"""

import collections

import numpy as np

from kerasrnn.data.validation import check_non_negative_int
from kerasrnn.data.validation import check_positive_int
from kerasrnn.data.validation import check_token_ids
from kerasrnn.utils.validation import check_int_in_range


def unigram_table(counts, power=0.75):
    """The negative-sampling distribution: counts ** power, normalised (word2vec's choice)."""
    weights = np.asarray(counts, dtype="float64") ** power
    total = weights.sum()
    if total <= 0:
        raise ValueError("cannot build a negative-sampling table: every token count is zero")
    return weights / total


def subsample_keep_probability(counts, threshold=1e-3):
    """Probability of keeping each occurrence of a word (Mikolov et al. 2013, as in word2vec's C code).

    `p_keep(w) = (sqrt(f(w) / t) + 1) * t / f(w)`, capped at 1, where `f(w)` is
    the word's share of the corpus and `t` the threshold.
    """
    counts = np.asarray(counts, dtype="float64")
    frequency = counts / max(counts.sum(), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = (np.sqrt(frequency / threshold) + 1.0) * threshold / frequency
    return np.where(counts > 0, np.minimum(keep, 1.0), 0.0)


def skip_gram_examples(ids, vocabulary_size, window_size=5, num_negatives=5, subsample=1e-3, seed=None):
    """All skip-gram examples of a token stream, as NumPy arrays.

    Frequent words are subsampled first (`subsample=None` or 0 turns that
    off); each kept word is a target whose contexts are the words within a
    window whose radius is drawn uniformly in `[1, window_size]` (word2vec's
    dynamic window); each (target, context) pair gets `num_negatives` words
    drawn from the unigram^0.75 distribution, redrawn until none equals the
    true context.

    Returns:
        `(targets, contexts, labels)`: int32 `(n,)`, int32
        `(n, 1 + num_negatives)` with the true context in column 0, and float32
        labels `(n, 1 + num_negatives)` equal to `[1, 0, ..., 0]`.
    """
    ids = check_token_ids(ids, "ids")
    vocabulary_size = check_positive_int(vocabulary_size, "vocabulary_size")
    window_size = check_positive_int(window_size, "window_size")
    num_negatives = check_non_negative_int(num_negatives, "num_negatives")
    if ids.size and (ids.min() < 0 or ids.max() >= vocabulary_size):
        raise ValueError(
            f"token ids must be in [0, {vocabulary_size}), received ids in [{ids.min()}, {ids.max()}]"
        )
    rng = np.random.default_rng(seed)
    counts = np.bincount(ids, minlength=vocabulary_size)

    if subsample:
        keep = subsample_keep_probability(counts, subsample)
        ids = ids[rng.random(len(ids)) < keep[ids]]
    radius = rng.integers(1, window_size + 1, size=len(ids))
    targets, contexts = [], []
    for distance in range(1, min(window_size, len(ids) - 1) + 1):
        left, right = ids[:-distance], ids[distance:]
        forward = radius[:-distance] >= distance  # context to the right of the target
        backward = radius[distance:] >= distance  # context to the left of the target
        targets += [left[forward], right[backward]]
        contexts += [right[forward], left[backward]]
    if not targets:
        raise ValueError(f"the text is too short for skip-gram pairs: {len(ids)} tokens after subsampling")
    targets = np.concatenate(targets).astype("int32")
    contexts = np.concatenate(contexts).astype("int32")

    negatives = draw_negatives(contexts, counts, num_negatives, rng)
    order = rng.permutation(len(targets))
    targets, contexts, negatives = targets[order], contexts[order], negatives[order]
    all_contexts = np.concatenate([contexts[:, None], negatives], axis=1).astype("int32")
    labels = np.zeros(all_contexts.shape, dtype="float32")
    labels[:, 0] = 1.0
    return targets, all_contexts, labels


def draw_negatives(contexts, counts, num_negatives, rng, power=0.75, max_rounds=100):
    """Draw `(len(contexts), num_negatives)` negatives, none equal to its row's true context."""
    cdf = np.cumsum(unigram_table(counts, power))
    cdf[-1] = 1.0

    def draw(size):
        return np.searchsorted(cdf, rng.random(size), side="right").astype("int32")

    negatives = draw((len(contexts), num_negatives))
    for _ in range(max_rounds):
        clash = negatives == contexts[:, None]
        if not clash.any():
            return negatives
        negatives[clash] = draw(int(clash.sum()))
    raise ValueError(
        "could not draw negatives different from the true context: the corpus has too few distinct words"
    )


def make_skip_gram_dataset(
    ids,
    vocabulary_size,
    batch_size,
    window_size=5,
    num_negatives=5,
    subsample=1e-3,
    seed=None,
):
    """A `tf.data.Dataset` of `((targets, contexts), labels)` batches from `skip_gram_examples`."""
    # Imported here: the rest of this module is NumPy that `SkipGramTrainer` uses without TensorFlow.
    import tensorflow as tf

    batch_size = check_positive_int(batch_size, "batch_size")
    targets, contexts, labels = skip_gram_examples(
        ids, vocabulary_size, window_size, num_negatives, subsample, seed
    )
    dataset = tf.data.Dataset.from_tensor_slices(((targets, contexts), labels))
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def negative_sampling_table(counts, power=0.75, size=None):
    """word2vec's lookup table for negative sampling: word `i` fills about `p_i * size` slots.

    `p_i` is `counts[i] ** power`, normalised (see `unigram_table`). Drawing
    a uniform slot and reading its word samples the distribution with one
    integer draw and one gather, far cheaper than a binary search per draw.
    Every word with a nonzero count gets at least one slot.

    Args:
        counts: occurrences of each word, shape `(vocabulary_size,)`.
        power: exponent applied to the counts. Defaults to 0.75.
        size: number of slots. Defaults to `None`: `max(1_000_000,
            100 * vocabulary_size)`, at most 10**8 (word2vec's size).

    Returns:
        An int32 array of word ids.
    """
    probabilities = unigram_table(counts, power)
    if size is None:
        size = min(max(1_000_000, 100 * len(probabilities)), 10**8)
    size = check_positive_int(size, "size")
    slots = np.round(probabilities * size).astype("int64")
    slots[(slots == 0) & (probabilities > 0)] = 1
    return np.repeat(np.arange(len(probabilities), dtype="int32"), slots)


SkipGramBlocks = collections.namedtuple(
    "SkipGramBlocks", ["ids", "outputs", "weights", "radius", "num_blocks", "num_pairs", "num_kept"]
)
SkipGramBlocks.__doc__ = """One epoch of skip-gram work in blocks of `block_size` consecutive centre words.

Fields (`P = num_positions`, `W = window_size`, `K = num_negatives`):
    ids: int32 `(P + 2 W,)`, the kept words at `[W, W + num_kept)`, zeros around.
    outputs: int32 `(P, 1 + K)`, each centre word followed by its negatives (never equal to it).
    weights: float32 `(P, 2 W)`, 1 where the context slot at offset
        `-W, ..., -1, 1, ..., W` of a centre holds a real word of the stream, else 0.
    radius: int32 `(P // block_size,)`, the window radius of each block, in `[1, W]`.
    num_blocks: blocks holding kept words (the others are padding).
    num_pairs: (centre, context) pairs in the blocks, each radius applied.
    num_kept: words left after subsampling.
"""


def skip_gram_blocks(
    ids,
    window_size,
    num_negatives,
    block_size,
    keep_probability,
    negative_table,
    rng,
    num_positions=None,
):
    """Subsample a token stream and draw its windows and negatives, block by block.

    word2vec drops each occurrence of word `w` with probability `1 -
    keep_probability[w]`, gives each kept word a window radius drawn
    uniformly in `[1, window_size]`, and pairs it with every kept word within
    that radius; each pair gets `num_negatives` words from the unigram^0.75
    distribution. Here the radius is drawn once per block of `block_size`
    consecutive centre words (each word's radius is still uniform, so the
    pairs follow the same distribution) and the negatives are drawn per
    centre word and shared by its window, as in Ji et al. (2016),
    "Parallelizing Word2Vec in Shared and Distributed Memory": both let the
    trainer work on dense `(block, window, dim)` arrays. A negative equal to
    its centre word is redrawn.

    Args:
        ids: int token ids, shape `(n,)`.
        window_size: int, the largest radius.
        num_negatives: int, negatives per centre word.
        block_size: int, centre words per block.
        keep_probability: float array `(vocabulary_size,)` from
            `subsample_keep_probability`, or `None` to keep every word.
        negative_table: int array from `negative_sampling_table`.
        rng: a `numpy.random.Generator`.
        num_positions: int, room for centre words: a multiple of
            `block_size` of at least `len(ids)`, so the shapes stay the same
            from epoch to epoch. Defaults to `None`: the smallest one.

    Returns:
        A `SkipGramBlocks`.
    """
    ids = check_token_ids(ids, "ids")
    window_size = check_positive_int(window_size, "window_size")
    num_negatives = check_positive_int(num_negatives, "num_negatives")
    block_size = check_positive_int(block_size, "block_size")
    smallest = -(-len(ids) // block_size) * block_size
    if num_positions is None:
        num_positions = smallest
    num_positions = check_int_in_range(num_positions, "num_positions", smallest)  # room for every word
    if num_positions % block_size:
        raise ValueError(
            f"`num_positions` must be a multiple of block_size={block_size} of at least len(ids)={len(ids)}, "
            f"received: num_positions={num_positions!r}"
        )
    if keep_probability is not None:
        ids = ids[rng.random(len(ids)) < keep_probability[ids]]
    num_kept = len(ids)
    num_blocks = -(-num_kept // block_size)

    padded = np.zeros(num_positions + 2 * window_size, dtype="int32")
    padded[window_size : window_size + num_kept] = ids
    negatives = negative_table[rng.integers(0, len(negative_table), size=(num_positions, num_negatives))]
    centres = padded[window_size : window_size + num_positions, None]
    clash = negatives == centres
    for _ in range(100):
        if not clash.any():
            break
        negatives[clash] = negative_table[rng.integers(0, len(negative_table), size=int(clash.sum()))]
        clash = negatives == centres
    else:
        raise ValueError("could not draw negatives different from the centre word: too few distinct words")

    offsets = np.array([o for o in range(-window_size, window_size + 1) if o])
    weights = np.zeros((num_positions, 2 * window_size), dtype="float32")
    weights[:num_kept] = 1.0
    for column, offset in enumerate(offsets):  # context slots before the first or after the last word
        if offset < 0:
            weights[: min(-offset, num_kept), column] = 0.0
        else:
            weights[max(num_kept - offset, 0) : num_kept, column] = 0.0
    radius = rng.integers(1, window_size + 1, size=num_positions // block_size).astype("int32")

    per_block = weights[: num_blocks * block_size].reshape(num_blocks, block_size, -1).sum(axis=1)  # (blocks, 2W)
    in_radius = np.abs(offsets)[None, :] <= radius[:num_blocks, None]
    num_pairs = int((per_block * in_radius).sum())
    outputs = np.concatenate([centres, negatives], axis=1).astype("int32")
    return SkipGramBlocks(padded, outputs, weights, radius, num_blocks, num_pairs, num_kept)

"""Skip-gram (target, context, label) examples with subsampling and unigram^0.75 negatives."""

import numpy as np
import tensorflow as tf

from kerasrnn.data.validation import check_non_negative_int
from kerasrnn.data.validation import check_positive_int
from kerasrnn.data.validation import check_token_ids


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
    batch_size = check_positive_int(batch_size, "batch_size")
    targets, contexts, labels = skip_gram_examples(
        ids, vocabulary_size, window_size, num_negatives, subsample, seed
    )
    dataset = tf.data.Dataset.from_tensor_slices(((targets, contexts), labels))
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)

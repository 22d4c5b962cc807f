"""Next-token windows for language models."""

import numpy as np
import tensorflow as tf

from kerasrnn.data.validation import check_positive_int
from kerasrnn.data.validation import check_token_ids


def make_language_model_dataset(
    ids,
    sequence_length,
    batch_size,
    shuffle=True,
    seed=None,
    offset=0,
    drop_remainder=True,
    random_offset=False,
):
    """Cut a token stream into `(inputs, targets)` windows shifted by one token.

    The stream is cut into non-overlapping windows of `sequence_length + 1`
    tokens starting at `offset`; each window gives `x = w[:-1]` and
    `y = w[1:]`, so every position is trained to predict the next token.

    Args:
        ids: 1-D integer array, the encoded corpus.
        sequence_length: tokens per training window (the BPTT length).
        batch_size: windows per batch.
        shuffle: shuffle the windows (reshuffled each epoch). Defaults to True.
        seed: seed for the shuffle, for deterministic runs. Defaults to None.
        offset: index of the first token used; vary it to see other cuts.
        drop_remainder: drop a last incomplete batch. Defaults to True.
        random_offset: start every pass over the dataset (every epoch) at a
            fresh offset drawn in `[offset, offset + sequence_length]`, so the
            windows cut the text at other places each epoch. Every pass
            keeps the windows that fit after any offset (at most one fewer
            than a fixed cut), so each has the same number of batches.
            Seeded by `seed`. Defaults to False (the same cut every pass).

    Returns:
        A `tf.data.Dataset` of `(x, y)` int32 batches of shape
        `(batch_size, sequence_length)`.
    """
    ids = check_token_ids(ids, "ids")
    sequence_length = check_positive_int(sequence_length, "sequence_length")
    batch_size = check_positive_int(batch_size, "batch_size")
    window = sequence_length + 1
    usable = (len(ids) - offset) // window
    if usable < 1:
        raise ValueError(
            f"the text is too short for one training window: {len(ids) - offset} tokens, "
            f"sequence_length={sequence_length} needs at least {window}; use a longer text or "
            "a smaller --sequence-length"
        )
    if random_offset:
        dataset = _windows_at_a_random_offset(ids[offset:], window, seed)
        usable = int(dataset.cardinality())
    else:
        windows = ids[offset : offset + usable * window].reshape(usable, window)  # (windows, L + 1)
        dataset = tf.data.Dataset.from_tensor_slices((windows[:, :-1], windows[:, 1:]))
    if shuffle:
        dataset = dataset.shuffle(usable, seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder and usable >= batch_size)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _windows_at_a_random_offset(ids, window, seed):
    """`(x, y)` windows of `ids` cut from an offset in `[0, window)` drawn anew on every pass."""
    usable = (len(ids) - window + 1) // window  # windows that fit after any offset
    if usable < 1:
        raise ValueError(
            f"the text is too short for random offsets: {len(ids)} tokens hold fewer than 2 windows of "
            f"{window} tokens; use a longer text, a smaller --sequence-length or no random offsets"
        )
    ids = tf.constant(ids)

    def cut(draw):
        start = tf.cast(draw % window, "int32")
        windows = tf.reshape(ids[start : start + usable * window], (usable, window))
        return tf.data.Dataset.from_tensor_slices((windows[:, :-1], windows[:, 1:]))

    offsets = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
    return offsets.flat_map(cut).apply(tf.data.experimental.assert_cardinality(usable))


def split_token_stream(ids, validation_fraction=0.1):
    """Split a token stream into a training head and a held-out tail.

    A contiguous tail (not random windows) is held out, so no held-out text
    overlaps a training window.
    """
    ids = check_token_ids(ids, "ids")
    if not 0 < validation_fraction < 1:
        raise ValueError(
            f"`validation_fraction` must be in (0, 1), received: validation_fraction={validation_fraction}"
        )
    cut = int(round(len(ids) * (1 - validation_fraction)))
    return np.asarray(ids[:cut]), np.asarray(ids[cut:])

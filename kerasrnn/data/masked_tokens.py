"""Masked-token examples: one token per window hidden behind `<mask>`."""

import numpy as np
import tensorflow as tf

from kerasrnn.data.validation import check_positive_int
from kerasrnn.data.validation import check_token_ids


def make_masked_token_dataset(
    ids,
    sequence_length,
    mask_id,
    batch_size,
    shuffle=True,
    seed=None,
    stride=None,
    drop_remainder=False,
):
    """Windows of tokens with one position replaced by `mask_id`.

    Each window of `sequence_length` tokens gives one example: the input is the
    window with one uniformly chosen position replaced by `mask_id`, the target
    is the whole original window, and the sample weight is 1 at the masked
    position and 0 elsewhere, so a model with one softmax per position is
    trained (and scored) on the hidden token only.

    With `shuffle=True` the masked position is drawn anew every epoch
    (deterministically under `seed`); with `shuffle=False` it is fixed by
    `seed`, so a held-out set always hides the same tokens.

    Args:
        ids: 1-D integer array, the encoded word stream.
        sequence_length: tokens per window.
        mask_id: the id of the `<mask>` token.
        batch_size: windows per batch.
        shuffle: shuffle windows and redraw masks each epoch. Defaults to True.
        seed: seed for the shuffle and the masked positions. Defaults to None.
        stride: distance between window starts. Defaults to `sequence_length`
            (non-overlapping windows).
        drop_remainder: drop a last incomplete batch. Defaults to False.

    Returns:
        A `tf.data.Dataset` of `(x, y, sample_weight)`: int32 `(batch, L)`,
        int32 `(batch, L)`, float32 `(batch, L)`.
    """
    ids = check_token_ids(ids, "ids")
    sequence_length = check_positive_int(sequence_length, "sequence_length")
    batch_size = check_positive_int(batch_size, "batch_size")
    stride = sequence_length if stride is None else check_positive_int(stride, "stride")
    windows = masked_windows(ids, sequence_length, stride)
    num_windows = len(windows)
    seed = 0 if seed is None else int(seed)

    if shuffle:
        positions = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        positions = positions.map(lambda r: tf.cast(r % sequence_length, "int32"))
        dataset = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(windows), positions))
        dataset = dataset.shuffle(num_windows, seed=seed, reshuffle_each_iteration=True)
    else:
        fixed = np.random.default_rng(seed).integers(0, sequence_length, size=num_windows).astype("int32")
        dataset = tf.data.Dataset.from_tensor_slices((windows, fixed))

    def mask_one(window, position):
        hidden = tf.one_hot(position, sequence_length, dtype="float32")  # (L,)
        x = tf.where(hidden > 0, tf.cast(mask_id, "int32"), window)
        return x, window, hidden

    dataset = dataset.map(mask_one, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE)


def masked_windows(ids, sequence_length, stride):
    """The `(num_windows, sequence_length)` int32 array of windows cut from `ids`."""
    if len(ids) < sequence_length:
        raise ValueError(
            f"the text is too short for one window: {len(ids)} tokens, "
            f"sequence_length={sequence_length}; use a longer text or a smaller --sequence-length"
        )
    starts = np.arange(0, len(ids) - sequence_length + 1, stride)
    return ids[starts[:, None] + np.arange(sequence_length)[None, :]].astype("int32")

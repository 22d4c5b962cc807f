"""(source, target) batches for encoder-decoder models."""

import numpy as np
import tensorflow as tf

from kerasrnn.data.validation import check_positive_int


def make_translation_dataset(
    source_ids,
    target_ids,
    batch_size,
    start_id,
    end_id,
    reverse_source=False,
    bucket_boundaries=None,
    shuffle=True,
    seed=None,
):
    """Teacher-forcing batches `((source, target_in), target_out, sample_weight)`.

    `target_in` is `<s> y_1 ... y_n` and `target_out` is `y_1 ... y_n </s>`;
    everything is padded with 0 to the longest sequence of its batch, and the
    sample weight is 1 on real target tokens and 0 on padding, so padding never
    counts in the loss or in weighted metrics.

    Args:
        source_ids: list of 1-D int arrays (no start/end tokens).
        target_ids: list of 1-D int arrays (no start/end tokens), same length.
        batch_size: pairs per batch.
        start_id, end_id: ids of `<s>` and `</s>` in the target vocabulary.
        reverse_source: feed the source backwards (Sutskever et al. 2014).
            Padding stays at the end. Defaults to False.
        bucket_boundaries: optional increasing source/target lengths; pairs are
            grouped into buckets of similar length so batches carry little
            padding (`tf.data.Dataset.bucket_by_sequence_length`). Defaults to
            None (plain padded batches).
        shuffle: shuffle pairs each epoch. Defaults to True.
        seed: seed for the shuffle. Defaults to None.

    Returns:
        A `tf.data.Dataset`.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    if len(source_ids) != len(target_ids):
        raise ValueError(
            f"`source_ids` and `target_ids` must have the same length, received "
            f"{len(source_ids)} and {len(target_ids)}"
        )
    if not len(source_ids):
        raise ValueError("`source_ids` is empty: there are no sentence pairs to batch")
    sources = [np.asarray(s, "int32")[::-1] if reverse_source else np.asarray(s, "int32") for s in source_ids]
    targets_in = [np.concatenate([[start_id], np.asarray(t, "int32")]).astype("int32") for t in target_ids]
    targets_out = [np.concatenate([np.asarray(t, "int32"), [end_id]]).astype("int32") for t in target_ids]

    dataset = tf.data.Dataset.from_tensor_slices((_ragged(sources), _ragged(targets_in), _ragged(targets_out)))
    if shuffle:
        dataset = dataset.shuffle(len(sources), seed=seed, reshuffle_each_iteration=True)

    def to_example(source, target_in, target_out):
        weight = tf.ones_like(target_out, dtype="float32")
        return (source, target_in), target_out, weight

    dataset = dataset.map(to_example, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if bucket_boundaries:
        boundaries = sorted(int(b) for b in bucket_boundaries)
        dataset = dataset.bucket_by_sequence_length(
            element_length_func=lambda inputs, target_out, weight: tf.maximum(
                tf.shape(inputs[0])[0], tf.shape(target_out)[0]
            ),
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
            padding_values=((0, 0), 0, 0.0),
        )
    else:
        dataset = dataset.padded_batch(batch_size, padding_values=((0, 0), 0, 0.0))
    return dataset.prefetch(tf.data.AUTOTUNE)


def _ragged(sequences):
    lengths = np.fromiter((len(s) for s in sequences), dtype="int64", count=len(sequences))
    flat = np.concatenate(sequences) if len(sequences) else np.zeros((0,), "int32")
    return tf.RaggedTensor.from_row_lengths(flat.astype("int32"), lengths)

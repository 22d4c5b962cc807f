"""Padded (sequence, label) batches for many-to-one classifiers."""

import numpy as np
import tensorflow as tf

from kerasrnn.data.validation import check_positive_int


def balanced_class_weights(labels, num_classes):
    """Per-class weights `n / (present_classes * count)` (scikit-learn's "balanced").

    Every class present in `labels` then carries the same total weight, and the
    mean weight per example is 1, so the loss keeps its scale. Classes absent
    from `labels` get weight 0.
    """
    counts = np.bincount(np.asarray(labels, "int64"), minlength=num_classes).astype("float64")
    with np.errstate(divide="ignore"):
        weights = np.where(counts > 0, counts.sum() / ((counts > 0).sum() * counts), 0.0)
    return weights.astype("float32")


CLASS_WEIGHTINGS = ("none", "sqrt", "balanced")


def class_weights(labels, num_classes, weighting):
    """Per-class loss weights of one named weighting, or None for `"none"`.

    `"balanced"` is `balanced_class_weights`; `"sqrt"` is its square root, a
    middle way that lifts rare classes less. Either is scaled so that the mean
    weight per example of `labels` is 1, so the loss keeps its scale.

    Args:
        labels: int class ids of the training examples.
        num_classes: number of classes.
        weighting: one of `CLASS_WEIGHTINGS`.
    """
    if weighting not in CLASS_WEIGHTINGS:
        raise ValueError(f"`weighting` must be one of {', '.join(CLASS_WEIGHTINGS)}, received {weighting!r}")
    if weighting == "none":
        return None
    labels = np.asarray(labels, "int64")
    weights = balanced_class_weights(labels, num_classes).astype("float64")
    if weighting == "sqrt":
        weights = np.sqrt(weights)
    return (weights / weights[labels].mean()).astype("float32")


def make_classification_dataset(sequences, labels, batch_size, class_weights=None, shuffle=True, seed=None):
    """Batches of `(x, y)` or `(x, y, sample_weight)` with `x` padded with 0 per batch.

    Args:
        sequences: list of 1-D int arrays (e.g. encoded names).
        labels: int class ids, one per sequence.
        batch_size: sequences per batch.
        class_weights: optional per-class weights (e.g. `balanced_class_weights`);
            when given, each example carries its class's weight so rare
            classes count as much as frequent ones.
        shuffle: shuffle each epoch. Defaults to True.
        seed: seed for the shuffle. Defaults to None.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    labels = np.asarray(labels, "int32")
    if len(sequences) != len(labels):
        raise ValueError(f"got {len(sequences)} sequences but {len(labels)} labels")
    if not len(sequences):
        raise ValueError("`sequences` is empty: nothing to classify")
    lengths = np.fromiter((len(s) for s in sequences), dtype="int64", count=len(sequences))
    if lengths.min() == 0:
        raise ValueError(f"sequence {int(np.argmin(lengths))} is empty; drop empty inputs first")
    flat = np.concatenate([np.asarray(s, "int32") for s in sequences])
    ragged = tf.RaggedTensor.from_row_lengths(flat, lengths)
    if class_weights is None:
        dataset = tf.data.Dataset.from_tensor_slices((ragged, labels))
        padding = (0, 0)
    else:
        weights = np.asarray(class_weights, "float32")[labels]
        dataset = tf.data.Dataset.from_tensor_slices((ragged, labels, weights))
        padding = (0, 0, 0.0)
    if shuffle:
        dataset = dataset.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
    # Slices of a ragged tensor arrive as ragged specs; an identity map makes them dense 1-D tensors.
    dataset = dataset.map(lambda *example: example)
    dataset = dataset.padded_batch(batch_size, padding_values=padding)
    return dataset.prefetch(tf.data.AUTOTUNE)

"""Sliding windows over a time series."""

import numpy as np
import tensorflow as tf

from kerasrnn.data.validation import check_positive_int


def sliding_windows(series, sequence_length, horizon=1, stride=1):
    """NumPy `(x, y)` windows: `y` is `x` shifted `horizon` steps into the future.

    Args:
        series: array `(time,)` or `(time, features)`.
        sequence_length: steps per window.
        horizon: how far ahead each target is. Defaults to 1.
        stride: steps between window starts. Defaults to 1.

    Returns:
        `x` and `y`, float32 arrays `(windows, sequence_length, features)`.
    """
    series = np.asarray(series, dtype="float32")
    if series.ndim == 1:
        series = series[:, None]
    if series.ndim != 2:
        raise ValueError(f"`series` must be 1-D or 2-D (time, features), received shape {series.shape}")
    sequence_length = check_positive_int(sequence_length, "sequence_length")
    horizon = check_positive_int(horizon, "horizon")
    stride = check_positive_int(stride, "stride")
    last_start = len(series) - sequence_length - horizon
    if last_start < 0:
        raise ValueError(
            f"the series is too short: {len(series)} steps, one window needs "
            f"sequence_length + horizon = {sequence_length + horizon}"
        )
    starts = np.arange(0, last_start + 1, stride)
    index = starts[:, None] + np.arange(sequence_length)[None, :]
    return series[index], series[index + horizon]


def make_time_series_dataset(series, sequence_length, batch_size, horizon=1, stride=1, shuffle=True, seed=None):
    """`tf.data.Dataset` of `(x, y)` windows from `sliding_windows` (many-to-many targets)."""
    batch_size = check_positive_int(batch_size, "batch_size")
    x, y = sliding_windows(series, sequence_length, horizon, stride)
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)

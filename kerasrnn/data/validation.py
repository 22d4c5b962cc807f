"""Argument checks shared by the pipelines: one-line errors naming the value."""

import numpy as np


def check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer, received: {name}={value!r}")
    return int(value)


def check_non_negative_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"`{name}` must be a non-negative integer, received: {name}={value!r}")
    return int(value)


def check_fraction(value, name, low_open=True, high_open=False):
    low_ok = value > 0 if low_open else value >= 0
    high_ok = value < 1 if high_open else value <= 1
    if not (low_ok and high_ok):
        interval = ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]")
        raise ValueError(f"`{name}` must be in {interval}, received: {name}={value!r}")
    return float(value)


def check_token_ids(ids, name):
    array = np.asarray(ids)
    if array.ndim != 1:
        raise ValueError(f"`{name}` must be a 1-D array of token ids, received shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"`{name}` must hold integer token ids, received dtype {array.dtype}")
    return array.astype("int32")

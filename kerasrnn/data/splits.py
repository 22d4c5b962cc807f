"""Train / validation / test splits and the fingerprints that identify them.

Every recipe that trains on data splits it three ways: the model learns on
`train`, everything that is chosen (the best epoch, early stopping, the best
model of several, a sweep's setting, a length penalty) reads `validation`,
and `test` is evaluated once, at the end, on the chosen model. How a split is
grouped depends on the task: contiguous text for a language model (no window
on both sides), whole names for a classifier (a name is never both trained
on and tested), whole English sentences for translation (all the references
of a sentence go together).

NumPy only: this module imports neither Keras nor TensorFlow.
"""

import hashlib
import json

import numpy as np

SPLIT_NAMES = ("train", "validation", "test")
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)


def check_fractions(fractions):
    """Return `fractions` as three floats in (0, 1) that sum to 1, or raise a `ValueError` naming them."""
    try:
        values = tuple(float(f) for f in fractions)
    except (TypeError, ValueError):
        raise ValueError(f"`fractions` must be three numbers (train, validation, test), "
                         f"received: fractions={fractions!r}") from None
    if len(values) != 3 or not all(0 < v < 1 for v in values) or abs(sum(values) - 1) > 1e-6:
        raise ValueError(f"`fractions` must be three numbers in (0, 1) that sum to 1 (train, validation, test), "
                         f"received: fractions={fractions!r}")
    return values


def _counts(total, fractions):
    """Sizes of the validation and test parts of `total` items (each at least one when possible)."""
    _, validation, test = fractions
    num_validation = int(round(total * validation))
    num_test = int(round(total * test))
    if total >= 3:
        num_validation, num_test = max(1, num_validation), max(1, num_test)
    return num_validation, num_test


def contiguous_split(sequence, fractions=DEFAULT_FRACTIONS):
    """Cut a sequence into three contiguous parts: train head, validation middle, test tail.

    For text and time series: no training window overlaps a validation or a
    test window, and the test text is the end of the stream.

    Args:
        sequence: anything sliceable with a length (a string, a list, a NumPy array).
        fractions: shares of train, validation and test. Defaults to `(0.8, 0.1, 0.1)`.

    Returns:
        `(train, validation, test)`, slices of `sequence`.

    Example:

    >>> contiguous_split("abcdefghij")
    ('abcdefgh', 'i', 'j')
    """
    fractions = check_fractions(fractions)
    total = len(sequence)
    num_validation, num_test = _counts(total, fractions)
    first_test = total - num_test
    first_validation = first_test - num_validation
    return sequence[:first_validation], sequence[first_validation:first_test], sequence[first_test:]


def group_split(groups, fractions=DEFAULT_FRACTIONS, seed=0, strata=None):
    """Split examples three ways so that examples sharing a group land in the same split.

    Args:
        groups: one hashable key per example (a name, an English sentence);
            all examples with the same key go to the same split.
        fractions: shares of train, validation and test, counted in groups.
            Defaults to `(0.8, 0.1, 0.1)`.
        seed: seed of the shuffle. Defaults to 0.
        strata: optional class id per example. Groups are then split within
            each class (a group counts under its rarest class), so every class
            has its share in each split.

    Returns:
        `(train, validation, test)`: sorted int64 arrays of example indices.

    Example:

    >>> train, validation, test = group_split(["a", "a", "b", "c", "d", "e"], (0.6, 0.2, 0.2))
    >>> sorted(train.tolist() + validation.tolist() + test.tolist())
    [0, 1, 2, 3, 4, 5]
    """
    fractions = check_fractions(fractions)
    examples_of = {}
    for index, key in enumerate(groups):
        examples_of.setdefault(key, []).append(index)
    if strata is None:
        strata_of_group = {key: 0 for key in examples_of}
    else:
        strata = np.asarray(strata).reshape(-1)
        if len(strata) != len(groups):
            raise ValueError(f"got {len(groups)} examples but {len(strata)} strata")
        sizes = np.bincount(strata.astype("int64"))
        strata_of_group = {key: min((int(strata[i]) for i in members), key=lambda c: (sizes[c], c))
                           for key, members in examples_of.items()}
    keys_of_stratum = {}
    for key in sorted(examples_of, key=_sort_key):
        keys_of_stratum.setdefault(strata_of_group[key], []).append(key)
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for stratum in sorted(keys_of_stratum):
        keys = keys_of_stratum[stratum]
        order = rng.permutation(len(keys))
        num_validation, num_test = _counts(len(keys), fractions)
        for rank, position in enumerate(order):
            part = 2 if rank < num_test else 1 if rank < num_test + num_validation else 0
            parts[part].extend(examples_of[keys[position]])
    return tuple(np.asarray(sorted(part), dtype="int64") for part in parts)


def _sort_key(key):
    return (type(key).__name__, key)


def fingerprint(items):
    """A SHA-256 (hex) of a split's contents, to check that two runs used the same data.

    Strings and bytes are hashed as they are; NumPy arrays by dtype, shape
    and bytes; other sequences item by item as JSON.

    Example:

    >>> fingerprint("to be")[:12]
    '0af1207eeabd'
    """
    digest = hashlib.sha256()
    if isinstance(items, str):
        digest.update(items.encode("utf-8"))
    elif isinstance(items, bytes):
        digest.update(items)
    elif isinstance(items, np.ndarray):
        array = np.ascontiguousarray(items)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    else:
        for item in items:
            if isinstance(item, np.ndarray):
                digest.update(fingerprint(item).encode())
            else:
                digest.update(json.dumps(_plain(item), ensure_ascii=False, sort_keys=True).encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def _plain(value):
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def describe_splits(unit, grouped_by, fractions=DEFAULT_FRACTIONS, **splits):
    """The card's record of a three-way split: size and fingerprint of each part.

    Args:
        unit: what a size counts (`"characters"`, `"names"`, `"sentence pairs"`).
        grouped_by: how examples were kept together (`"contiguous text"`, `"distinct name"`).
        fractions: the shares asked for.
        **splits: `train=`, `validation=`, `test=`: the contents of each part
            (what `fingerprint` hashes; its `len` is the size).

    Example:

    >>> describe_splits("characters", "contiguous text", train="abcdefgh", validation="i", test="j")["test"]["size"]
    1
    """
    if set(splits) != set(SPLIT_NAMES):
        raise ValueError(f"expected the parts {SPLIT_NAMES}, received: {tuple(splits)}")
    record = {"unit": unit, "grouped_by": grouped_by, "fractions": list(check_fractions(fractions))}
    for name in SPLIT_NAMES:
        record[name] = {"size": len(splits[name]), "sha256": fingerprint(splits[name])}
    return record

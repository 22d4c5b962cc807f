"""Argument checks shared by layers, models and data pipelines: one-line errors naming the value.

Each check raises a `ValueError` of the form
``"`name` must be <what>, received: name=<value!r>"`` and returns the value
normalised (a Python `int` or `float`), so a NumPy integer never reaches a
layer config. Only the standard library is imported: any module may use them
(`kerasrnn.data.validation` re-exports them for the pipelines).

Example:

```python
units = check_positive_int(units, "units")  # 0 -> ValueError: `units` must be a positive integer, received: units=0
dropout = check_fraction(dropout, "dropout", low_open=False, high_open=True)  # in [0, 1)
```
"""

import numbers


def _is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _require(ok, value, name, what):
    if not ok:
        raise ValueError(f"`{name}` must be {what}, received: {name}={value!r}")


def check_positive_int(value, name):
    """`value` as an `int` if it is an integer > 0 (not a bool); else a `ValueError` naming `name`.

    Example:

    ```python
    check_positive_int(np.int64(3), "units")  # 3
    check_positive_int(2.5, "units")  # ValueError: `units` must be a positive integer, received: units=2.5
    ```
    """
    _require(_is_integer(value) and value > 0, value, name, "a positive integer")
    return int(value)


def check_non_negative_int(value, name):
    """`value` as an `int` if it is an integer >= 0 (not a bool); else a `ValueError` naming `name`.

    Example:

    ```python
    check_non_negative_int(0, "min_count")  # 0
    ```
    """
    _require(_is_integer(value) and value >= 0, value, name, "a non-negative integer")
    return int(value)


def check_fraction(value, name, low_open=True, high_open=False):
    """`value` as a `float` if it is a number in `(0, 1]` (by default); else a `ValueError` naming `name`.

    Args:
        value, name: the value and the argument's name.
        low_open: exclude 0. Defaults to True.
        high_open: exclude 1. Defaults to False.

    Example:

    ```python
    check_fraction(0.2, "dropout", low_open=False, high_open=True)  # 0.2, in [0, 1)
    check_fraction(1.0, "dropout", low_open=False, high_open=True)  # ValueError: ... must be in [0, 1) ...
    ```
    """
    ok = _is_number(value) and (value > 0 if low_open else value >= 0) and (value < 1 if high_open else value <= 1)
    _require(ok, value, name, "in " + ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]"))
    return float(value)


def check_positive_number(value, name):
    """`value` as a `float` if it is a number > 0 (not a bool, not NaN); else a `ValueError` naming `name`.

    Example:

    ```python
    check_positive_number(0.1, "stddev")  # 0.1
    ```
    """
    _require(_is_number(value) and value > 0, value, name, "a positive number")
    return float(value)


def check_non_negative_number(value, name):
    """`value` as a `float` if it is a finite number >= 0 (not a bool); else a `ValueError` naming `name`.

    Example:

    ```python
    check_non_negative_number(0.0, "bias_scaling")  # 0.0
    ```
    """
    _require(_is_number(value) and 0 <= value < float("inf"), value, name, "a finite number >= 0")
    return float(value)


def check_seed(seed, name="seed"):
    """`seed` as an `int`, or None; else a `ValueError` naming `name`.

    Example:

    ```python
    check_seed(None)  # None
    check_seed("a")  # ValueError: `seed` must be an integer or None, received: seed='a'
    ```
    """
    _require(seed is None or _is_integer(seed), seed, name, "an integer or None")
    return None if seed is None else int(seed)


def check_choice(value, name, choices):
    """`value` if it is one of `choices`; else a `ValueError` naming `name` and listing them.

    Example:

    ```python
    check_choice("gru", "cell_type", ("lstm", "gru"))  # "gru"
    check_choice("rnn", "cell_type", ("lstm", "gru"))  # ValueError: `cell_type` must be one of lstm, gru, ...
    ```
    """
    _require(value in choices, value, name, f"one of {', '.join(map(str, choices))}")
    return value


def check_stack_arguments(cell_type, cell_types, dropout, **sizes):
    """The arguments every stack of recurrent layers takes, checked in order; returns the sizes as ints.

    Each of `sizes` (`vocabulary_size=...`, `hidden_units=...`, ...) must be a
    positive integer, `cell_type` one of `cell_types` (not checked when
    `cell_types` is None), and `dropout` in `[0, 1)`.

    Example:

    ```python
    vocabulary_size, hidden_units = check_stack_arguments(
        "gru", ("lstm", "gru"), 0.1, vocabulary_size=65, hidden_units=128)
    ```
    """
    sizes = [check_positive_int(value, name) for name, value in sizes.items()]
    if cell_types is not None:
        check_choice(cell_type, "cell_type", cell_types)
    check_fraction(dropout, "dropout", low_open=False, high_open=True)
    return sizes


# Checks for task arguments (counts, ranges, flags) and renamed arguments.


def check_int_in_range(value, name, low, high=None, allow_none=False):
    """`value` as an `int` if it is an integer in `[low, high]` (or None when allowed); else a `ValueError`.

    Args:
        value, name: the value and the argument's name.
        low: the smallest value accepted.
        high: the largest value accepted. Defaults to None (no upper bound).
        allow_none: accept (and return) None. Defaults to False.

    Example:

    ```python
    check_int_in_range(3, "top_k", 1, 18)  # 3
    check_int_in_range(0, "top_k", 1, 18)  # ValueError: `top_k` must be an integer from 1 to 18, received: top_k=0
    ```
    """
    if allow_none and value is None:
        return None
    what = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
    ok = _is_integer(value) and low <= value and (high is None or value <= high)
    _require(ok, value, name, ("None or " if allow_none else "") + what)
    return int(value)


def check_finite_positive_number(value, name):
    """`value` as a `float` if it is a finite number > 0 (not a bool); else a `ValueError` naming `name`.

    Example:

    ```python
    check_finite_positive_number(0.7, "temperature")  # 0.7
    check_finite_positive_number(float("inf"), "temperature")  # ValueError
    ```
    """
    _require(_is_number(value) and 0 < value < float("inf"), value, name, "a finite positive number")
    return float(value)


def check_bool(value, name):
    """`value` if it is `True` or `False` (not 0 or 1); else a `ValueError` naming `name`.

    Example:

    ```python
    check_bool(True, "lowercase")  # True
    check_bool(1, "lowercase")  # ValueError: `lowercase` must be True or False, received: lowercase=1
    ```
    """
    _require(isinstance(value, bool), value, name, "True or False")
    return value


def renamed_argument(value, name, old_value, old_name, default=None):
    """The value of an argument renamed from `old_name` to `name`, warning when the old name is used.

    The old name stays for one release: passing it gives a
    `DeprecationWarning` and the same behaviour. Passing both names with
    different values is a `ValueError`.

    Args:
        value: the value passed under the new name.
        name: the new name.
        old_value: the value passed under the old name; None when it was not.
        old_name: the old name.
        default: the new argument's default, to tell whether it was passed.

    Returns:
        `old_value` when the old name was used, else `value`.

    Example:

    ```python
    def most_similar(self, word, top_k=10, topn=None):
        top_k = renamed_argument(top_k, "top_k", topn, "topn", default=10)
    ```
    """
    import warnings

    if old_value is None:
        return value
    if value != default and value != old_value:
        raise ValueError(
            f"`{old_name}` is the old name of `{name}`: pass only `{name}`, "
            f"received: {name}={value!r}, {old_name}={old_value!r}"
        )
    warnings.warn(f"`{old_name}` is deprecated and will be removed in the next release: use `{name}`",
                  DeprecationWarning, stacklevel=3)
    return old_value


def check_positive_int_tuple(value, name):
    """`value` as a tuple of `int`s if it is a non-empty list or tuple of integers > 0; else a `ValueError` naming `name`.

    Example:

    ```python
    check_positive_int_tuple([2, 3], "widths")  # (2, 3)
    check_positive_int_tuple((), "widths")  # ValueError: `widths` must be a non-empty tuple of positive ints, ...
    check_positive_int_tuple((2, -1), "widths")  # ValueError: `widths` must be a positive integer, received: widths=-1
    ```
    """
    _require(isinstance(value, (list, tuple)) and len(value) > 0, value, name, "a non-empty tuple of positive ints")
    return tuple(check_positive_int(item, name) for item in value)

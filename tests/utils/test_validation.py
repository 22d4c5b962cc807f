"""The shared argument checks: what they accept, what they return, and the one-line errors."""

import numpy as np
import pytest

from kerasrnn.data import validation as data_validation
from kerasrnn.utils.validation import check_choice
from kerasrnn.utils.validation import check_fraction
from kerasrnn.utils.validation import check_non_negative_int
from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_positive_number
from kerasrnn.utils.validation import check_seed
from kerasrnn.utils.validation import check_stack_arguments


def test_integers_come_back_as_python_ints():
    for value in (3, np.int64(3), np.int32(3)):
        result = check_positive_int(value, "units")
        assert result == 3 and type(result) is int
    assert check_non_negative_int(np.int16(0), "min_count") == 0
    assert check_seed(np.int64(7)) == 7 and type(check_seed(np.int64(7))) is int and check_seed(None) is None


@pytest.mark.parametrize("value", [0, -1, 2.5, 3.0, True, "3", None])
def test_positive_int_rejects(value):
    with pytest.raises(ValueError) as error:
        check_positive_int(value, "units")
    assert str(error.value) == f"`units` must be a positive integer, received: units={value!r}"


@pytest.mark.parametrize("value", [-1, 0.0, False])
def test_non_negative_int_rejects(value):
    with pytest.raises(ValueError, match=r"`n` must be a non-negative integer, received: n="):
        check_non_negative_int(value, "n")


@pytest.mark.parametrize(
    "value, low_open, high_open, ok",
    [(0.0, False, True, True), (0.999, False, True, True), (1.0, False, True, False), (0.0, True, False, False),
     (1.0, True, False, True), (1, True, False, True), (-0.1, False, False, False), (float("nan"), False, True, False),
     (True, False, True, False), ("0.5", False, True, False)],
)
def test_fraction_intervals(value, low_open, high_open, ok):
    if ok:
        assert check_fraction(value, "rate", low_open, high_open) == float(value)
        return
    interval = ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]")
    with pytest.raises(ValueError) as error:
        check_fraction(value, "rate", low_open, high_open)
    assert str(error.value) == f"`rate` must be in {interval}, received: rate={value!r}"


def test_positive_number_seed_and_choice_messages():
    assert check_positive_number(np.float32(0.5), "stddev") == 0.5
    for bad in (0, -1.0, float("nan"), True, "1"):
        with pytest.raises(ValueError, match="^`stddev` must be a positive number, received: stddev="):
            check_positive_number(bad, "stddev")
    for bad in ("a", 1.5, True):
        with pytest.raises(ValueError, match="^`seed` must be an integer or None, received: seed="):
            check_seed(bad)
    assert check_choice("gru", "cell_type", ("lstm", "gru")) == "gru"
    with pytest.raises(ValueError) as error:
        check_choice("rnn", "cell_type", ("lstm", "gru"))
    assert str(error.value) == "`cell_type` must be one of lstm, gru, received: cell_type='rnn'"


def test_the_pipelines_use_the_same_checks():
    assert data_validation.check_positive_int is check_positive_int
    assert data_validation.check_non_negative_int is check_non_negative_int
    assert data_validation.check_fraction is check_fraction


def test_stack_arguments_are_checked_sizes_first_and_returned_as_ints():
    sizes = check_stack_arguments("gru", ("lstm", "gru"), 0, vocabulary_size=np.int64(20), hidden_units=8)
    assert sizes == [20, 8] and all(type(size) is int for size in sizes)
    with pytest.raises(ValueError, match="^`hidden_units` must be a positive integer, received: hidden_units=0$"):
        check_stack_arguments("x", ("gru",), 2.0, vocabulary_size=20, hidden_units=0)
    with pytest.raises(ValueError, match="^`cell_type` must be one of gru, received: cell_type='x'$"):
        check_stack_arguments("x", ("gru",), 2.0, vocabulary_size=20)
    with pytest.raises(ValueError, match=r"^`dropout` must be in \[0, 1\), received: dropout=1\.0$"):
        check_stack_arguments("x", None, 1.0, vocabulary_size=20)  # cell_types=None: the kind is not checked


def test_numpy_sizes_reach_the_models_as_python_ints():
    import json

    from kerasrnn.models.sequence_classifier import build_sequence_classifier

    model = build_sequence_classifier(np.int64(12), np.int32(3), cell_type="gru", hidden_units=np.int64(4))
    assert model.output_shape == (None, 3)
    json.dumps(model.get_config())  # a NumPy integer in a config would not serialise

"""nrmse against values computed by hand."""

import math

import numpy as np
import pytest

from kerasrnn.metrics.regression import nrmse


def test_single_series_by_hand():
    y_true, y_pred = [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 5.0]
    # errors 0, 0, 0, 1: MSE 1/4, RMSE 1/2; mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
    assert nrmse(y_true, y_pred) == pytest.approx(0.5 / math.sqrt(1.25), rel=1e-12)
    assert nrmse(y_true, y_pred, normalization="range") == pytest.approx(0.5 / 3.0, rel=1e-12)


def test_several_features_average_the_variances_by_hand():
    y_true = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 16.0]])
    y_pred = y_true + np.array([[1.0, 0.0], [0.0, 0.0], [0.0, -2.0]])
    # MSE (1 + 4) / 6; variances 8/3 and 8, mean 16/3; ranges 4 and 6, mean 5
    assert nrmse(y_true, y_pred) == pytest.approx(math.sqrt((5 / 6) / (16 / 3)), rel=1e-12)
    assert nrmse(y_true, y_pred, normalization="range") == pytest.approx(math.sqrt(5 / 6) / 5, rel=1e-12)
    # A batch of sequences (batch, time, features) is scored over all its samples.
    assert nrmse(y_true[None], y_pred[None]) == pytest.approx(nrmse(y_true, y_pred), rel=1e-12)


def test_reference_points():
    rng = np.random.default_rng(0)
    y_true = rng.normal(3.0, 2.0, size=500)
    assert nrmse(y_true, y_true) == 0.0
    assert nrmse(y_true, np.full_like(y_true, y_true.mean())) == pytest.approx(1.0, rel=1e-12)
    assert nrmse(y_true, y_true + 0.1) == pytest.approx(0.1 / y_true.std(), rel=1e-12)
    assert nrmse([2.0, 2.0], [2.0, 2.0]) == 0.0  # a constant truth: exact, or infinitely wrong
    assert nrmse([2.0, 2.0], [2.0, 2.5]) == math.inf


@pytest.mark.parametrize(
    "y_true, y_pred, kwargs, message",
    [
        ([1.0, 2.0], [1.0], {}, r"same shape, received \(2,\) and \(1,\)"),
        ([], [], {}, "empty"),
        ([1.0, np.nan], [1.0, 2.0], {}, "`y_true` holds NaN"),
        ([1.0, 2.0], [np.inf, 2.0], {}, "`y_pred` holds NaN or infinite"),
        ([1.0, 2.0], [1.0, 2.0], {"normalization": "mean"}, "normalization='mean'"),
    ],
)
def test_bad_inputs_raise_one_line_errors(y_true, y_pred, kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        nrmse(y_true, y_pred, **kwargs)
    assert "\n" not in str(error.value)

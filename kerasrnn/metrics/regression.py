"""Regression metrics in NumPy: the normalised root-mean-square error (NRMSE).

NRMSE is the error echo-state papers report for time-series prediction. It
is the root-mean-square error divided by a scale of the true series, so it
is unitless and comparable across series: 0 is a perfect prediction, and 1
is the error of always predicting the mean of the truth (with the default
`normalization="std"`).
"""

import numpy as np

NORMALIZATIONS = ("std", "range")


def _check_series(y_true, y_pred):
    y_true = np.asarray(y_true, dtype="float64")
    y_pred = np.asarray(y_pred, dtype="float64")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"`y_true` and `y_pred` must have the same shape, received {y_true.shape} and {y_pred.shape}"
        )
    if y_true.size == 0:
        raise ValueError("`y_true` is empty: nothing to score")
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"`{name}` holds NaN or infinite values; score finite predictions only")
    if y_true.ndim <= 1:
        y_true, y_pred = y_true.reshape(-1, 1), y_pred.reshape(-1, 1)
    else:
        features = y_true.shape[-1]
        y_true, y_pred = y_true.reshape(-1, features), y_pred.reshape(-1, features)
    return y_true, y_pred  # (samples, features)


def nrmse(y_true, y_pred, normalization="std"):
    """Normalised root-mean-square error of predictions against the truth.

    With `normalization="std"` (the default, as in Jaeger's and Lukosevicius'
    echo-state papers):

        NRMSE = sqrt(mean((y_pred - y_true)^2) / mean_j(var_j(y_true)))

    where `var_j` is the population variance (`ddof=0`) of feature `j` of
    `y_true` over all samples and time steps, and the outer mean runs over
    features. For a single series this is `RMSE / std(y_true)`, so always
    predicting the mean of `y_true` scores exactly 1. With
    `normalization="range"` the RMSE is divided by the mean over features of
    `max(y_true) - min(y_true)` instead.

    The scale comes from the `y_true` given: to compare errors over several
    horizons of one forecast on the same footing, pass windows long enough to
    cover the signal's typical swing (a few periods).

    Args:
        y_true: array of true values, shape `(time,)`, `(time, features)` or
            `(batch, time, features)`; the last axis is the feature axis when
            there are two or more axes.
        y_pred: array of predictions, the same shape as `y_true`.
        normalization: `"std"` or `"range"`, the scale the RMSE is divided
            by (see above). Defaults to `"std"`.

    Returns:
        A Python float, `>= 0`; `inf` if `y_true` is constant and the
        predictions are not exact (`0.0` if they are).

    Example:

    >>> nrmse([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 5.0])  # RMSE 0.5, std sqrt(1.25)
    0.4472135954999579
    >>> nrmse([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 5.0], normalization="range")  # 0.5 / 3
    0.16666666666666666
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"`normalization` must be one of {', '.join(map(repr, NORMALIZATIONS))}, "
            f"received: normalization={normalization!r}"
        )
    y_true, y_pred = _check_series(y_true, y_pred)
    mse = float(np.mean(np.square(y_pred - y_true)))
    if normalization == "std":
        scale = float(np.sqrt(np.mean(np.var(y_true, axis=0))))
    else:
        scale = float(np.mean(np.max(y_true, axis=0) - np.min(y_true, axis=0)))
    if scale == 0.0:
        return 0.0 if mse == 0.0 else float("inf")
    return float(np.sqrt(mse) / scale)

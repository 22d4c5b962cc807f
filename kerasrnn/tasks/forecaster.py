"""A saved time-series forecaster: an echo-state network and the scaling of its series."""

import numpy as np

from kerasrnn.tasks.saved_task import register_task
from kerasrnn.tasks.task import Task
from kerasrnn.utils.validation import check_positive_int


@register_task("forecaster")
class Forecaster(Task):
    """Forecast a time series with an echo-state network: one step ahead or free-running.

    The forecaster standardises the series with the per-feature `mean` and
    `scale` (standard deviation) of its training series, runs the reservoir of
    an `EchoStateNetwork` over it, and maps the readout's predictions back to
    the original units. `fit` sets the scaling and fits the readout in closed
    form (ridge regression) to predict each next value; `predict_next` gives
    those one-step-ahead predictions, and `forecast` warms the reservoir up on
    a series and then free-runs, feeding each prediction back as the next
    input.

    The reservoir starts from a zero state, which it forgets only after a few
    dozen to a few hundred steps (the echo-state property). `warmup_steps` is
    that washout: `fit` discards the states of the first `warmup_steps` steps,
    and `forecast` needs a series at least that long.

    Args:
        model: an `EchoStateNetwork` for real-valued series whose `output_dim`
            equals its `input_dim` (the next value of every feature).
        mean: per-feature means subtracted from the series (a float or a list
            of `input_dim` floats). Defaults to `None`: set by `fit`.
        scale: per-feature positive scales the centred series is divided by.
            Defaults to `None`: set by `fit`.
        warmup_steps: positive integer, the washout (see above). Defaults to
            `100`.
        card: optional dict describing the training run (saved as card.json).

    Example:

    >>> esn = kerasrnn.models.EchoStateNetwork(300, input_dim=1, spectral_radius=1.25,
    ...                                        leak_rate=0.3, bias_scaling=0.5, seed=0)
    >>> forecaster = Forecaster(esn, warmup_steps=100)
    >>> forecaster.fit(series[:2000], ridge=1e-6)  # {"mse": ..., "nrmse": ...} (standardised units)
    >>> forecaster.forecast(series[:2000], steps=500).shape
    (500,)
    >>> forecaster.save("saved_models/my_forecaster")
    >>> kerasrnn.load("saved_models/my_forecaster").forecast(series[:2000], steps=500)
    """

    required_config = ("mean", "scale", "warmup_steps")

    def __init__(self, model, mean=None, scale=None, warmup_steps=100, card=None):
        if not hasattr(model, "forecast") or getattr(model, "input_dim", None) is None:
            raise ValueError(
                "`model` must be an EchoStateNetwork for real-valued series (built with `input_dim`), "
                f"received: {type(model).__name__}"
            )
        if model.output_dim != model.input_dim:
            raise ValueError(
                "`model` must predict the next value of every input feature (output_dim == input_dim), "
                f"received: input_dim={model.input_dim}, output_dim={model.output_dim}"
            )
        super().__init__(model, card=card)
        self.features = int(model.input_dim)
        self.warmup_steps = check_positive_int(warmup_steps, "warmup_steps")
        self.mean = None if mean is None else self._per_feature("mean", mean)
        self.scale = None if scale is None else self._per_feature("scale", scale)
        if self.scale is not None and not np.all(self.scale > 0):
            raise ValueError(f"`scale` must be positive, received: scale={scale!r}")

    def _per_feature(self, name, value):
        value = np.asarray(value, dtype="float64").reshape(-1)
        if len(value) == 1:
            value = np.repeat(value, self.features)
        if len(value) != self.features or not np.all(np.isfinite(value)):
            raise ValueError(
                f"`{name}` must be one finite number or {self.features} (one per feature), "
                f"received: {name}={value.tolist()}"
            )
        return value

    def _check_series(self, series, min_steps):
        """The series as float64 `(time, features)`, and whether it came in 1-D."""
        try:
            series = np.asarray(series, dtype="float64")
        except (TypeError, ValueError):
            raise ValueError("`series` must be an array of numbers, (time,) or (time, features)") from None
        one_dimensional = series.ndim == 1
        if one_dimensional:
            series = series[:, None]
        if series.ndim != 2 or series.shape[-1] != self.features:
            expected = "(time,) or " if self.features == 1 else ""
            raise ValueError(
                f"`series` must have shape {expected}(time, {self.features}), "
                f"received: series.shape={series.shape}"
            )
        bad = np.flatnonzero(~np.all(np.isfinite(series), axis=-1))
        if len(bad):
            raise ValueError(
                f"`series` holds NaN or infinite values at {len(bad)} step(s), the first at index {bad[0]}; "
                "fill or drop them before forecasting"
            )
        if len(series) < min_steps:
            raise ValueError(
                f"`series` has {len(series)} steps but at least {min_steps} are needed "
                f"(the reservoir warms up on warmup_steps={self.warmup_steps}); pass a longer series"
            )
        return series, one_dimensional

    def _check_fitted(self):
        if self.mean is None or self.scale is None:
            raise ValueError("this forecaster has no series scaling yet: call `fit(series)` first")

    def standardize(self, series):
        """`(series - mean) / scale`, as float32 for the model."""
        return ((series - self.mean) / self.scale).astype("float32")

    def fit(self, series, ridge=1e-6):
        """Set the scaling from `series` and fit the readout to predict each next value.

        The series is standardised with its own per-feature mean and standard
        deviation; the reservoir reads steps `0 .. T-2` and the readout is
        fitted by ridge regression (`EchoStateNetwork.fit_readout`) to the
        values at steps `1 .. T-1`, discarding the first `warmup_steps` states.

        Args:
            series: array `(time,)` or `(time, features)` of finite numbers,
                longer than `warmup_steps + 1`.
            ridge: non-negative float, the L2 penalty of the readout. Defaults
                to `1e-6`.

        Returns:
            The training errors of `fit_readout` (`"mse"` and `"nrmse"`), in
            standardised units.
        """
        series, _ = self._check_series(series, self.warmup_steps + 2)
        scale = series.std(axis=0)
        if not np.all(scale > 0):
            raise ValueError("`series` is constant in some feature: there is nothing to forecast")
        self.mean, self.scale = series.mean(axis=0), scale
        standardized = self.standardize(series)[None]  # (1, time, features)
        return self.model.fit_readout(
            standardized[:, :-1], standardized[:, 1:], ridge=ridge, warmup_steps=self.warmup_steps
        )

    def predict_next(self, series):
        """One-step-ahead predictions: entry `t` predicts `series[t + 1]` from `series[: t + 1]`.

        Args:
            series: array `(time,)` or `(time, features)` of finite numbers.

        Returns:
            A float64 NumPy array with the shape of `series`. The first
            `warmup_steps` entries come from a reservoir still warming up.
        """
        self._check_fitted()
        series, one_dimensional = self._check_series(series, 1)
        outputs = self.model.predict_on_batch(self.standardize(series)[None])[0]  # (time, features)
        predictions = np.asarray(outputs, dtype="float64") * self.scale + self.mean
        return predictions[:, 0] if one_dimensional else predictions

    def forecast(self, series, steps):
        """Warm the reservoir up on `series`, then free-run `steps` steps.

        Each prediction is fed back as the next input
        (`EchoStateNetwork.forecast`), so errors compound: on a chaotic
        series the forecast eventually drifts away from the truth.

        Args:
            series: array `(time,)` or `(time, features)` of finite numbers, at
                least `warmup_steps` long: the recent past.
            steps: positive integer, how many future values to predict.

        Returns:
            A float64 NumPy array `(steps,)` (or `(steps, features)` for a 2-D
            `series`): the values that follow `series`.
        """
        self._check_fitted()
        steps = check_positive_int(steps, "steps")
        series, one_dimensional = self._check_series(series, self.warmup_steps)
        outputs = self.model.forecast(self.standardize(series), steps)  # (steps, features)
        predictions = np.asarray(outputs, dtype="float64") * self.scale + self.mean
        return predictions[:, 0] if one_dimensional else predictions

    def get_config(self):
        """The scaling and the warm-up length, saved in task.json (the forecaster must be fitted)."""
        self._check_fitted()
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist(), "warmup_steps": self.warmup_steps}

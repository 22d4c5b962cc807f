"""Chaotic time series: Mackey-Glass, integrated from its delay differential equation."""

import math

import numpy as np

from kerasrnn.utils.validation import check_positive_int


def mackey_glass(num_steps, tau=17, a=0.2, b=0.1, n=10, x0=1.2, dt=1.0, substeps=10):
    """Generate the Mackey-Glass time series, the classic benchmark of echo-state networks.

    The series solves the delay differential equation

        dx/dt = a * x(t - tau) / (1 + x(t - tau)**n) - b * x(t),   x(t) = x0 for t <= 0,

    sampled every `dt` time units from `t = 0`. With the defaults (`tau=17`)
    it is chaotic, and after a transient of a few hundred time units it stays
    on an attractor between about 0.4 and 1.3; `tau=30` is more chaotic.

    The equation is integrated with the classic 4th-order Runge-Kutta scheme
    on a grid `substeps` times finer than `dt`. The stages need the solution
    `tau` time units back, at grid points and half-way between them; those
    come from the stored history with cubic Hermite interpolation (values and
    slopes), which keeps the scheme 4th-order accurate. The solution has kinks
    at multiples of `tau`; when `tau` falls on the grid (as with the
    defaults) no step straddles one, otherwise the steps that do lose some
    accuracy (errors of about 1e-6 instead of 1e-9 with 10 substeps).
    The result depends on the arguments only: no random initial history.

    Args:
        num_steps: the number of samples to return, a positive integer.
        tau: the delay, `>= 0`. Defaults to `17`.
        a: the gain of the delayed feedback. Defaults to `0.2`.
        b: the decay rate. Defaults to `0.1`.
        n: the exponent of the delayed term. Defaults to `10`.
        x0: the constant history, `x(t)` for `t <= 0`. Defaults to `1.2`.
        dt: the time between two samples, `> 0`. Defaults to `1.0`.
        substeps: Runge-Kutta steps per sample, a positive integer. Defaults
            to `10`. More are taken when `tau` is shorter than one step.

    Returns:
        A float64 NumPy array of shape `(num_steps,)`: `x(0), x(dt), ...`,
        starting at `x0`.

    Raises:
        ValueError: `num_steps` or `substeps` is not a positive integer,
            `tau < 0`, or `dt <= 0`.

    Example:

    ```python
    series = kerasrnn.datasets.mackey_glass(2000)  # (2000,)
    series = series[500:]  # drop the transient before the attractor
    ```

    Reference:
        M. C. Mackey and L. Glass, [Oscillation and chaos in physiological
        control systems](https://doi.org/10.1126/science.267326), Science (1977).
    """
    num_steps = check_positive_int(num_steps, "num_steps")
    substeps = check_positive_int(substeps, "substeps")
    if not tau >= 0:
        raise ValueError(f"`tau` must be >= 0 (the delay, in time units); received tau={tau!r}")
    if not dt > 0:
        raise ValueError(f"`dt` must be > 0 (the time between samples); received dt={dt!r}")
    tau, a, b, n, x0, dt = (float(value) for value in (tau, a, b, n, x0, dt))
    if 0 < tau < dt / substeps:
        substeps = math.ceil(dt / tau)  # the delayed points must lie in the computed past
    h = dt / substeps
    total = (num_steps - 1) * substeps

    def rate(x, delayed):
        return a * delayed / (1.0 + delayed**n) - b * x

    # x and dx/dt on the grid t_k = k * h; x = x0 for t <= 0.
    xs = [x0] * (total + 1)
    slopes = [0.0] * (total + 1)

    if tau == 0.0:
        for k in range(total):
            x = xs[k]
            k1 = rate(x, x)
            x2 = x + 0.5 * h * k1
            k2 = rate(x2, x2)
            x3 = x + 0.5 * h * k2
            k3 = rate(x3, x3)
            x4 = x + h * k3
            k4 = rate(x4, x4)
            xs[k + 1] = x + h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0
        return np.asarray(xs[::substeps], dtype=np.float64)

    def delayed_reader(stage_offset):
        # The stage at t_k + stage_offset * h reads x at t_k + lag * h.
        lag = stage_offset - tau / h
        if abs(lag - round(lag)) < 1e-9:  # on a grid point
            shift = round(lag)
            return lambda k: xs[k + shift] if k + shift >= 0 else x0
        shift = math.floor(lag)
        s = lag - shift  # in (0, 1): between the grid points k + shift and k + shift + 1
        w_left, w_right = (1 + 2 * s) * (1 - s) ** 2, s * s * (3 - 2 * s)
        w_left_slope, w_right_slope = h * s * (1 - s) ** 2, -h * s * s * (1 - s)

        def read(k):
            i = k + shift
            if i < 0:  # the interval lies in the constant history (x has a kink at t = 0)
                return x0
            return w_left * xs[i] + w_right * xs[i + 1] + w_left_slope * slopes[i] + w_right_slope * slopes[i + 1]

        return read

    at_start, at_middle, at_end = (delayed_reader(offset) for offset in (0.0, 0.5, 1.0))
    for k in range(total):
        x = xs[k]
        k1 = rate(x, at_start(k))
        slopes[k] = k1  # read by at_middle and at_end when tau < 2 h
        delayed_middle = at_middle(k)
        k2 = rate(x + 0.5 * h * k1, delayed_middle)
        k3 = rate(x + 0.5 * h * k2, delayed_middle)
        k4 = rate(x + h * k3, at_end(k))
        xs[k + 1] = x + h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0
    return np.asarray(xs[::substeps], dtype=np.float64)

"""mackey_glass: against the exact solution, scipy's method of steps, and reservoirpy."""

import numpy as np
import pytest

from kerasrnn.datasets import mackey_glass


def _first_two_delays(tau, a=0.2, b=0.1, n=10, x0=1.2):
    """x(t) on [0, 2 tau] by the method of steps: exact on [0, tau], scipy on [tau, 2 tau]."""
    from scipy.integrate import solve_ivp

    # On [0, tau] the delayed term is a * x0 / (1 + x0**n) and the equation is linear.
    forcing = a * x0 / (1 + x0**n)

    def first(t):
        return forcing / b + (x0 - forcing / b) * np.exp(-b * t)

    def second(t_end, t_eval):
        def rate(t, x):
            delayed = first(t - tau)
            return a * delayed / (1 + delayed**n) - b * x

        return solve_ivp(rate, (tau, t_end), [first(tau)], t_eval=t_eval, rtol=1e-12, atol=1e-12).y[0]

    return first, second


def test_deterministic_shape_and_start():
    series = mackey_glass(500)
    assert series.shape == (500,) and series.dtype == np.float64
    assert series[0] == 1.2
    np.testing.assert_array_equal(series, mackey_glass(500))
    np.testing.assert_array_equal(mackey_glass(7), series[:7])


@pytest.mark.parametrize(
    "tau, dt, atol",
    [
        (17, 1.0, 1e-8),  # tau on the grid: 4th order throughout
        (17.3, 0.7, 1e-5),  # one step straddles the kink at t = tau
    ],
)
def test_matches_the_method_of_steps(tau, dt, atol):
    first, second = _first_two_delays(tau)
    num_steps = int(2 * tau / dt) + 1
    series = mackey_glass(num_steps, tau=tau, dt=dt)
    t = dt * np.arange(num_steps)
    early, late = t <= tau, t > tau
    np.testing.assert_allclose(series[early], first(t[early]), rtol=0, atol=1e-10)
    np.testing.assert_allclose(series[late], second(t[-1], t[late]), rtol=0, atol=atol)


def test_fourth_order_convergence():
    reference = mackey_glass(300, substeps=40)
    errors = [np.abs(mackey_glass(300, substeps=s) - reference).max() for s in (2, 4)]
    assert 10 < errors[0] / errors[1] < 22  # 2**4 = 16 for a 4th-order scheme
    assert np.abs(mackey_glass(300) - reference).max() < 1e-8


def test_no_delay_is_an_ordinary_equation():
    from scipy.integrate import solve_ivp

    t = np.arange(50.0)
    exact = solve_ivp(lambda _, x: 0.2 * x / (1 + x**10) - 0.1 * x, (0, 49), [0.5], t_eval=t, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mackey_glass(50, tau=0, x0=0.5), exact.y[0], rtol=0, atol=1e-8)


def test_stays_on_the_attractor():
    series = mackey_glass(3000)
    assert np.all((series > 0) & (series < 1.5))
    attractor = series[500:]
    assert 0.40 < attractor.min() < 0.45 and 1.3 < attractor.max() < 1.35
    assert np.std(attractor) > 0.2  # chaotic, not settled to a point


def test_statistics_match_reservoirpy():
    # reservoirpy's `_mg_rk4` takes whole steps of h = 1 with the delayed term
    # frozen over the step, and its stages are not those of classical RK4: its
    # path leaves the exact solution by ~3e-3 on the first step. Chaos then
    # separates the two paths, so we compare the attractor both trace from the
    # same constant history: its range, mean, spread and main period.
    reservoirpy_datasets = pytest.importorskip("reservoirpy.datasets")
    theirs = reservoirpy_datasets.mackey_glass(4000, tau=17, history=np.full(17, 1.2))[:, 0]
    ours = mackey_glass(4000, tau=17)
    assert theirs[0] == ours[0] == 1.2
    theirs, ours = theirs[500:], ours[500:]
    for statistic in (np.min, np.max, np.mean, np.std):
        assert abs(statistic(ours) - statistic(theirs)) < 0.01, statistic.__name__

    def main_period(series):
        power = np.abs(np.fft.rfft(series - series.mean()))
        return 1 / np.fft.rfftfreq(len(series))[np.argmax(power)]

    assert abs(main_period(ours) - main_period(theirs)) < 5  # about 50 time units


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_steps": 0}, "num_steps=0"),
        ({"num_steps": -5}, "num_steps=-5"),
        ({"num_steps": 2.5}, "num_steps=2.5"),
        ({"num_steps": 10, "tau": -1}, "tau=-1"),
        ({"num_steps": 10, "dt": 0}, "dt=0"),
        ({"num_steps": 10, "dt": -0.1}, "dt=-0.1"),
        ({"num_steps": 10, "substeps": 0}, "substeps=0"),
    ],
)
def test_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        mackey_glass(**kwargs)
    assert "\n" not in str(info.value)


def test_a_delay_shorter_than_a_step_is_integrated():
    series = mackey_glass(200, tau=0.05, substeps=1)
    np.testing.assert_allclose(series, mackey_glass(200, tau=0.05, substeps=40), rtol=0, atol=1e-9)

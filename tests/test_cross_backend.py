"""The 3x3 matrix: every layer saved on each backend loads on every backend with the same outputs and gradients.

Each pytest run (one per backend) saves all cases, checks in-process that they
reload with the same outputs and weights, then asks the two other backends, in
one child process each, to load them and compare outputs and gradients.
Over the three CI runs that covers all nine (saved-on, loaded-on) pairs, and the
gradients on the six pairs of different backends.
"""

import pytest

from tests import testing
from tests.cross_backend import harness


@pytest.fixture(scope="module")
def saved_cases(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cross_backend")
    harness.save_cases(str(directory))
    return directory


def test_every_case_round_trips_on_this_backend(saved_cases):
    # Same outputs and weights after the reload; the gradients are compared on the other backends.
    assert harness.check_cases(str(saved_cases), gradients=False) == []


@pytest.mark.parametrize("other", ["tensorflow", "jax", "torch"])
def test_cases_saved_here_load_on_other_backend(saved_cases, other):
    if other == testing.backend():
        pytest.skip("same backend: covered by the in-process test")
    testing.check_saved_cases_on_backends(saved_cases, backends=[other])

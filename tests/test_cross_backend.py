"""The 3x3 matrix: every layer saved on each backend loads on every backend with the same outputs and gradients.

Each pytest run (one per backend) saves all cases, checks them in-process,
then asks the two other backends, in child processes, to load and compare.
Over the three CI runs that covers all nine (saved-on, loaded-on) pairs.
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
    assert harness.check_cases(str(saved_cases)) == []


@pytest.mark.parametrize("other", ["tensorflow", "jax", "torch"])
def test_cases_saved_here_load_on_other_backend(saved_cases, other):
    if other == testing.backend():
        pytest.skip("same backend: covered by the in-process test")
    result = testing.run_json(f"from tests.cross_backend.harness import check_cases; import json; "
                              f"print(json.dumps(check_cases({str(saved_cases)!r})))", other)
    assert result == []

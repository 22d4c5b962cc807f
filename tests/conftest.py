"""Shared pytest setup: quiet TensorFlow, find the shared data copies, seed everything."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
if os.environ["KERAS_BACKEND"] == "torch":
    # Tiny test models: torch's spinning worker threads cost far more than they give on 2 cores
    # (measured: an LSTM training test 12.8 s -> 0.4 s). Child processes (recipe runs) inherit it.
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402

from tests import testing  # noqa: E402

if testing.SHARED_DATA is not None:
    # Loaders read the shared copies instead of downloading (nothing here reaches the internet).
    os.environ.setdefault("KERASRNN_DATA_DIR", str(testing.SHARED_DATA))


def pytest_report_header(config):
    return f"KERAS_BACKEND={os.environ['KERAS_BACKEND']}, shared data: {testing.SHARED_DATA}"


@pytest.fixture(autouse=True)
def _seed():
    import keras

    keras.utils.set_random_seed(1234)


@pytest.fixture(autouse=True, scope="module")
def _clear_session_per_module():
    # clear_session costs ~0.5 s on TensorFlow, so once per module, not per test.
    yield
    import keras

    keras.backend.clear_session(free_memory=False)


@pytest.fixture
def shared_data():
    """The directory with the shared copies of the real data sets (see ../shared/data/README.md)."""
    if testing.SHARED_DATA is None:
        pytest.skip("the shared data directory was not found; set KERASRNN_SHARED_DATA")
    return testing.SHARED_DATA


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """An empty Keras cache (KERAS_HOME) so loader tests never touch the user's cache."""
    home = tmp_path / "keras_home"
    home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv("KERASRNN_DATA_DIR", raising=False)
    return home

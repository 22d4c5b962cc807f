"""A small test toolkit of our own (Keras' `keras.src.testing` is private)."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
BACKENDS = ("tensorflow", "jax", "torch")


def _find_shared_data():
    candidates = [
        os.environ.get("KERASRNN_SHARED_DATA"),
        REPO_ROOT.parent / "shared" / "data",
    ]
    for candidate in candidates:
        if candidate and (pathlib.Path(candidate) / "shakespeare.txt").exists():
            return pathlib.Path(candidate)
    return None


SHARED_DATA = _find_shared_data()


def backend():
    """The active Keras backend name."""
    import keras

    return keras.backend.backend()


def other_backends():
    return [b for b in BACKENDS if b != backend()]


def to_numpy(x):
    import keras

    return np.asarray(keras.ops.convert_to_numpy(x))


def assert_allclose(actual, desired, atol=1e-5, rtol=1e-5, err_msg=""):
    np.testing.assert_allclose(to_numpy(actual), to_numpy(desired), atol=atol, rtol=rtol, err_msg=err_msg)


def run_python(code, backend_name, cwd=None, timeout=600, env=None):
    """Run `code` in a fresh Python process on `backend_name`; return the CompletedProcess.

    Raises AssertionError with the child's output when it exits non-zero.
    """
    child_env = dict(os.environ)
    child_env.update(env or {})
    child_env["KERAS_BACKEND"] = backend_name
    child_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    child_env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), child_env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd or REPO_ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"child process on {backend_name} failed ({result.returncode}):\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
        )
    return result


def run_kerasrnn(args, backend_name, input=None, cwd=None, timeout=600, env=None):
    """Run the `kerasrnn` command (`python -m kerasrnn *args`) on `backend_name`; return the CompletedProcess.

    Does not raise on a non-zero exit (tests check error exits); `KERASRNN_MODELS` is removed from the
    environment unless `env` sets it.
    """
    child_env = dict(os.environ)
    child_env.pop("KERASRNN_MODELS", None)
    child_env.update(env or {})
    child_env["KERAS_BACKEND"] = backend_name
    child_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    child_env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), child_env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "kerasrnn", *args],
        cwd=cwd or REPO_ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **({"stdin": subprocess.DEVNULL} if input is None else {"input": input}),
    )


def run_json(code, backend_name, **kwargs):
    """Run `code` in a child process; it must print one JSON object on its last stdout line."""
    result = run_python(code, backend_name, **kwargs)
    return json.loads(result.stdout.strip().splitlines()[-1])


def fit_loss_drop(model, x, y, epochs=5, batch_size=16):
    """Train `model` briefly; return (first_epoch_loss, last_epoch_loss)."""
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    losses = history.history["loss"]
    return losses[0], losses[-1]

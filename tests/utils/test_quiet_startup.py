"""Tests for kerasrnn.utils.quiet_startup: no CUDA/absl start-up lines on a CPU machine, real warnings kept."""

import os
import subprocess
import sys

from kerasrnn.utils.quiet_startup import filter_startup_lines
from tests import testing

# kerasrnn first, then Keras and a tf.data pipeline (TensorFlow loads on every backend), a tiny fit.
_TINY_RUN = """
import os, warnings
import kerasrnn
import keras
import numpy as np
import tensorflow as tf
data = tf.data.Dataset.from_tensor_slices((np.zeros((16, 5, 3), "float32"), np.zeros((16, 1), "float32"))).batch(8)
model = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(4), keras.layers.Dense(1)])
model.compile("adam", "mse")
model.fit(data, epochs=1, verbose=0)
print(model.predict(np.zeros((2, 5, 3)), verbose=0).shape, os.environ["TF_CPP_MIN_LOG_LEVEL"])
warnings.warn("a real warning")
"""


def _run(code, **env):
    child_env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    child_env.update(KERAS_BACKEND=testing.backend(), **env)
    child_env["PYTHONPATH"] = os.pathsep.join([str(testing.REPO_ROOT), child_env.get("PYTHONPATH", "")])
    result = subprocess.run([sys.executable, "-c", code], cwd=testing.REPO_ROOT, env=child_env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def test_importing_kerasrnn_then_training_prints_no_cuda_or_absl_lines():
    result = _run(_TINY_RUN)
    assert result.stdout.split() == ["(2,", "1)", "1"]
    noise = [line for line in result.stderr.splitlines()
             if any(word in line.lower() for word in ("cuinit", "cuda", "absl", "onednn"))]
    assert noise == []
    assert "UserWarning: a real warning" in result.stderr  # Python warnings come through


def test_a_log_level_the_user_set_wins():
    result = _run("import os, kerasrnn; print(os.environ['TF_CPP_MIN_LOG_LEVEL'])", TF_CPP_MIN_LOG_LEVEL="0")
    assert result.stdout.strip() == "0"


def test_the_filter_drops_start_up_information_and_keeps_warnings_and_errors():
    banner = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    info = "I0000 00:00:1796283384.317936    4190 port.cc:153] oneDNN custom operations are on.\n"
    no_driver = "I0000 00:00:1796283384.319078    4190 cudart_stub.cc:31] Could not find cuda drivers on your machine\n"
    cuinit = "E0000 00:00:1796283397.577366    4295 cuda_platform.cc:52] failed call to cuInit: INTERNAL: 303\n"
    warning = "W0000 00:00:1796283397.577366    4295 allocator.cc:12] Allocation exceeds 10% of free memory.\n"
    error = "E0000 00:00:1796283397.577366    4295 some_op.cc:7] something real\n"
    python = "x.py:3: UserWarning: careful\n  warnings.warn('careful')\n"
    text = banner + info + no_driver + cuinit + warning + error + python
    assert filter_startup_lines(text) == warning + error + python
    # With a CUDA driver present, a failing cuInit is a real problem and stays.
    assert filter_startup_lines(banner + cuinit + warning) == cuinit + warning

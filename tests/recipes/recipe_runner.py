"""Run a recipe as a subprocess, as a user would, on the backend of this pytest run."""

import os
import subprocess
import sys

from tests import testing


def run_recipe(name, *args, backend=None, timeout=300, env=None):
    """Run `python recipes/<name>.py ARGS --backend B`; return the CompletedProcess (not checked)."""
    child_env = dict(os.environ)
    child_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if testing.SHARED_DATA is not None:
        child_env.setdefault("KERASRNN_DATA_DIR", str(testing.SHARED_DATA))
    child_env.update(env or {})
    command = [sys.executable, str(testing.REPO_ROOT / "recipes" / f"{name}.py"), *map(str, args)]
    if "--backend" not in args:
        command += ["--backend", backend or testing.backend()]
    return subprocess.run(command, cwd=testing.REPO_ROOT, env=child_env, capture_output=True, text=True,
                          timeout=timeout)


def assert_ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def load_recipe(name):
    """Import `recipes/<name>.py` as a module (its functions, not its `main`)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"recipes_{name}", testing.REPO_ROOT / "recipes" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

"""Layers, models, decoding, metrics and tasks use keras.ops only; backends are imported in kerasrnn/backend only."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "kerasrnn"
BACKEND_MODULES = {"tensorflow", "tensorflow_text", "jax", "jaxlib", "torch"}
KERAS_ONLY = ["layers", "models", "decoding", "metrics", "tasks"]


def _imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


@pytest.mark.parametrize("subpackage", KERAS_ONLY)
def test_no_direct_backend_imports(subpackage):
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {root}"
        for path in sorted((PACKAGE / subpackage).rglob("*.py"))
        for root, line in _imported_roots(path)
        if root in BACKEND_MODULES
    ]
    assert offenders == []


def test_backend_fast_paths_import_only_their_own_backend():
    for path in sorted((PACKAGE / "backend").glob("*_backend.py")):
        own = path.stem[: -len("_backend")]
        foreign = {root for root, _ in _imported_roots(path)} & (BACKEND_MODULES - {own, "tensorflow_text"})
        assert not foreign, f"{path.name} imports {foreign}"


def test_importing_kerasrnn_does_not_choose_a_backend():
    from tests import testing

    backend = "torch" if testing.backend() != "torch" else "jax"
    if True:
        result = testing.run_json(
            "import json, sys, os; import kerasrnn; import kerasrnn.layers, kerasrnn.models; "
            "import keras; print(json.dumps({'backend': keras.backend.backend(), "
            "'env': os.environ['KERAS_BACKEND']}))",
            backend,
        )
        assert result == {"backend": backend, "env": backend}


def test_random_reservoirs_are_drawn_without_keras():
    # The benchmark's reference worker draws kerasrnn's reservoirs for reservoirpy without starting Keras;
    # the same seed gives the same matrices as the echo-state layers use.
    from tests import testing

    result = testing.run_json(
        "import json, sys; from kerasrnn.utils.random_reservoir import make_reservoir; "
        "kernel, recurrent_kernel, bias = make_reservoir(1, 300, seed=3); "
        "print(json.dumps({'keras': 'keras' in sys.modules, 'tensorflow': 'tensorflow' in sys.modules, "
        "'sum': float(abs(recurrent_kernel).sum())}))",
        testing.backend(),
    )
    from kerasrnn.layers.echo_state import make_reservoir

    assert result["keras"] is False and result["tensorflow"] is False
    assert result["sum"] == float(abs(make_reservoir(1, 300, seed=3)[1]).sum())

"""Layers, models, decoding, metrics and tasks use keras.ops only; backends are imported in kerasrnn/backend only.

Nothing outside kerasrnn/backend asks which backend is active (no `backend() == ...`) or imports a module by
name: backend-specific code is reached through `kerasrnn.backend.kernel`. On JAX and PyTorch, importing the
inference and training side of kerasrnn and using a saved task never imports TensorFlow: only the tf.data
pipelines (`kerasrnn.data`), `kerasrnn.export` and the tf-text twins do.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "kerasrnn"
BACKEND_MODULES = {"tensorflow", "tensorflow_text", "jax", "jaxlib", "torch"}
KERAS_ONLY = ["layers", "models", "decoding", "metrics", "tasks"]
# Modules whose import must leave TensorFlow unimported on JAX and PyTorch.
TENSORFLOW_FREE = ["kerasrnn.layers", "kerasrnn.models", "kerasrnn.decoding", "kerasrnn.tasks", "kerasrnn.training",
                   "kerasrnn.text", "kerasrnn.metrics", "kerasrnn.cards", "kerasrnn.data.splits",
                   "kerasrnn.data.validation"]
BACKEND_NAMES = {"jax", "tensorflow", "torch"}
# The only comparisons with the active backend's name, by file (relative to kerasrnn/), and why.
BACKEND_COMPARISONS_ALLOWED = {
    "export.py": "a SavedModel is traced in TensorFlow: on another backend, export runs in a TensorFlow child",
    "cli.py": "`--backend` cannot switch a Keras that was already imported with another backend",
    "utils/quiet_startup.py": "compares module names (`\"tensorflow\" in sys.modules`), not the backend",
    "utils/defer_tensorflow.py": "compares module names (`\"tensorflow\" in sys.modules`), not the backend",
}
# The only modules outside kerasrnn/backend that import a module by name, and why.
IMPORT_BY_NAME_ALLOWED = {
    "__init__.py": "sub-packages load on first use",
    "data/__init__.py": "pipelines load on first use (only some import TensorFlow)",
    "utils/quiet_startup.py": "quiets TensorFlow's start-up logs from an import hook",
    "utils/defer_tensorflow.py": "defers TensorFlow's import",
}


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


def _package_files():
    """Every module of kerasrnn, as `(path relative to kerasrnn/ in POSIX form, parsed tree)`."""
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _is_backend_name(node):
    """`keras.backend.backend()` (any call of a function named `backend`), or a backend's name as a string."""
    if isinstance(node, ast.Call):
        function = node.func
        return getattr(function, "attr", getattr(function, "id", None)) == "backend"
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_is_backend_name(element) for element in node.elts)
    return isinstance(node, ast.Constant) and node.value in BACKEND_NAMES


def _backend_comparisons(tree):
    """Lines comparing with the active backend: `backend() == x`, `name != "torch"`, `backend() in (...)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
            isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in node.ops
        ):
            if any(_is_backend_name(operand) for operand in [node.left, *node.comparators]):
                yield node.lineno


def _imports_by_name(tree):
    """Lines calling `importlib.import_module` (or `import_module` imported from importlib) or `__import__`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "importlib":
            if any(alias.name == "import_module" for alias in node.names):
                yield node.lineno
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            if name in ("import_module", "__import__"):
                yield node.lineno


def test_nothing_compares_the_active_backend_name():
    offenders = [
        f"kerasrnn/{name}:{line}"
        for name, tree in _package_files()
        if name not in BACKEND_COMPARISONS_ALLOWED
        for line in _backend_comparisons(tree)
    ]
    assert offenders == [], "ask kerasrnn.backend.kernel(...) for the backend's function instead"


def test_modules_are_imported_by_name_only_in_kerasrnn_backend():
    offenders = [
        f"kerasrnn/{name}:{line}"
        for name, tree in _package_files()
        if not name.startswith("backend/") and name not in IMPORT_BY_NAME_ALLOWED
        for line in _imports_by_name(tree)
    ]
    assert offenders == [], "reach backend-specific modules through kerasrnn.backend.kernel(...)"


def test_the_rules_catch_what_they_forbid():
    forbidden = ast.parse(
        "import keras, importlib\n"
        "if keras.backend.backend() == 'torch': pass\n"
        "backend = keras.backend.backend()\n"
        "if backend in ('jax', 'torch'): pass\n"
        "importlib.import_module('kerasrnn.backend.torch_echo_state')\n"
    )
    assert list(_backend_comparisons(forbidden)) == [2, 4]
    assert list(_imports_by_name(forbidden)) == [5]


def test_backend_modules_import_only_their_own_backend():
    for path in sorted((PACKAGE / "backend").glob("[!_]*_*.py")):
        own = path.stem.split("_")[0]
        assert own in BACKEND_NAMES, f"kerasrnn/backend/{path.name} is not named <backend>_<concern>.py"
        foreign = {root for root, _ in _imported_roots(path)} & (BACKEND_MODULES - {own, "tensorflow_text"})
        assert not foreign, f"{path.name} imports {foreign}"


def test_every_registered_kernel_is_defined_where_the_registry_says():
    from kerasrnn import backend

    missing = []
    for name, modules in backend._KERNELS.items():
        for backend_name, module in modules.items():
            assert module.startswith(f"{backend_name}_"), f"{name}: {module} is not a {backend_name} module"
            tree = ast.parse((PACKAGE / "backend" / f"{module}.py").read_text(encoding="utf-8"))
            if name not in {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}:
                missing.append(f"{module}.{name}")
    assert missing == []


def test_kernel_names_the_bad_name():
    from kerasrnn import backend

    with pytest.raises(ValueError, match="name='fused_lstn'"):
        backend.kernel("fused_lstn")


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


@pytest.mark.parametrize("backend_name", ["jax", "torch"])
def test_inference_modules_do_not_import_tensorflow(backend_name):
    from tests import testing

    imported = testing.run_json(
        f"import json, sys; import {', '.join(TENSORFLOW_FREE)}; "
        "print(json.dumps(sorted(m for m in ('tensorflow', 'tensorflow_text') if m in sys.modules)))",
        backend_name,
    )
    assert imported == []


def shipped_model_directories():
    """Every shipped model: a directory under saved_models/ with a task.json (training by-products left out)."""
    from tests import testing

    root = testing.REPO_ROOT
    return sorted(
        str(path.parent.relative_to(root)) for path in (root / "saved_models").rglob("task.json")
        if not {"demo", "backup", "checkpoints"} & set(path.parts)
    )


def use_task(task):
    """Call each inference method of a loaded task once, with tiny inputs."""
    import numpy as np

    name = task.task_name
    if name == "language_model":
        task.generate("ROMEO:", num_chars=10, top_k=5, seed=0)
        task.score("First Citizen:")
    elif name == "translator":
        task.translate(["I am cold."], beam_width=2)
        task.sample(["I am cold."], seed=0)
    elif name == "name_classifier":
        task.predict(["Satoshi", "Schmidt"], top_k=2)
    elif name == "name_generator":
        task.generate_names(3, max_length=12, seed=0)
    elif name == "masked_word_model":
        task.fill("to be or not to <mask>", top_k=3)
    elif name == "word2vec":
        word = task.vocabulary[0]
        task.most_similar(word, topn=3)
        task.similarity(word, task.vocabulary[1])
    elif name == "forecaster":
        task.forecast(np.sin(np.arange(200) * 0.1), 5)
    else:
        raise ValueError(f"no inference calls for task {name!r}: add them to use_task in tests/test_import_rules.py")


def load_and_use_shipped_models():
    """In this process, load and use every shipped model; return the models after which TensorFlow was imported."""
    import sys

    import kerasrnn

    loaded_tensorflow = []
    for directory in shipped_model_directories():
        use_task(kerasrnn.load(directory))
        if "tensorflow" in sys.modules:
            loaded_tensorflow.append(directory)
    return loaded_tensorflow


@pytest.mark.parametrize("backend_name", ["jax", "torch"])
def test_shipped_models_load_and_infer_without_tensorflow(backend_name):
    from tests import testing

    if not shipped_model_directories():
        pytest.skip("no shipped models under saved_models/")
    loaded_tensorflow = testing.run_json(
        "import json; from tests.test_import_rules import load_and_use_shipped_models; "
        "print(json.dumps(load_and_use_shipped_models()))",
        backend_name,
    )
    assert loaded_tensorflow == [], "TensorFlow was imported by the time these models had been used"

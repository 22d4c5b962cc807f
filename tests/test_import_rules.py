"""Layers, models, decoding, metrics and tasks use keras.ops only; backends are imported in kerasrnn/backend only.

On JAX and PyTorch, importing the inference side of kerasrnn and using a saved task never imports TensorFlow:
only the tf.data pipelines (`kerasrnn.data`), `kerasrnn.export` and the tf-text twins do.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "kerasrnn"
BACKEND_MODULES = {"tensorflow", "tensorflow_text", "jax", "jaxlib", "torch"}
KERAS_ONLY = ["layers", "models", "decoding", "metrics", "tasks"]
# Modules whose import must leave TensorFlow unimported on JAX and PyTorch.
TENSORFLOW_FREE = ["kerasrnn.layers", "kerasrnn.models", "kerasrnn.decoding", "kerasrnn.tasks", "kerasrnn.text",
                   "kerasrnn.metrics", "kerasrnn.cards", "kerasrnn.data.splits", "kerasrnn.data.validation"]


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

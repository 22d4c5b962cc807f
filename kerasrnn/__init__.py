"""kerasrnn: a Keras 3 model zoo of recurrent networks for TensorFlow, JAX and PyTorch.

Importing `kerasrnn` never picks a backend: Keras reads `KERAS_BACKEND` (or
`~/.keras/keras.json`) as usual. Sub-packages load on first use, so
`import kerasrnn` stays cheap and does not import TensorFlow on the JAX or
PyTorch backends until a `tf.data` pipeline is asked for.

Sub-packages:
    layers    Keras layers written with `keras.ops` only.
    models    Functional models assembled from the layers.
    decoding  Compiled greedy, sampling and beam-search loops.
    text      Vocabularies and normalisation.
    data      `tf.data` pipelines that feed `model.fit` on every backend.
    datasets  Loaders for the public data sets (download, cache, hash, local path).
    metrics   Perplexity, BLEU and NRMSE.
    tasks     Saved tasks (`kerasrnn.load(path or name)`).
    presets   The models by name (`kerasrnn.list_models()`); the `kerasrnn` command (`kerasrnn.cli`) uses them.
"""

import importlib

from kerasrnn.utils.quiet_startup import quiet_framework_startup

__version__ = "0.1.0"

# Before TensorFlow or JAX load: their C++ logs keep warnings and errors, not start-up information
# (TF_CPP_MIN_LOG_LEVEL defaults to 1; a value already set wins). See kerasrnn.utils.quiet_startup.
quiet_framework_startup()

_SUBMODULES = (
    "layers",
    "models",
    "decoding",
    "text",
    "data",
    "datasets",
    "metrics",
    "tasks",
    "training",
    "export",
    "cards",
    "io_utils",
    "presets",
)


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"kerasrnn.{name}")
        globals()[name] = module
        return module
    if name == "load":
        from kerasrnn.tasks import load

        globals()["load"] = load
        return load
    if name == "list_models":
        from kerasrnn.presets import list_models

        globals()["list_models"] = list_models
        return list_models
    raise AttributeError(f"module 'kerasrnn' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES) + ["load", "list_models"])

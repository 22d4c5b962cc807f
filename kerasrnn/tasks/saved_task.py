"""The on-disk layout of a saved task, and `kerasrnn.load`.

A task directory holds:

    task.json        {"task": ..., "format_version": 1, "kerasrnn_version": ...}
    model.keras      the Keras model (loads on any backend; its float weights
                     may be stored as float16, see `write_task`)
    vocabulary.json  the vocabulary (when the task has one)
    card.json        what was trained, how, and the held-out metrics (when there is a card)

`kerasrnn.tasks.task.Task` writes and reads it for every task class.
Every file is written atomically (temporary file, then rename), `task.json`
last, so a directory with a `task.json` is complete.
"""

import io
import json
import os
import zipfile

import keras
import numpy as np

from kerasrnn.io_utils import atomic_path
from kerasrnn.io_utils import atomic_write_json
from kerasrnn.utils.validation import check_choice
from kerasrnn.utils.defer_tensorflow import tensorflow_not_imported_by_keras

FORMAT_VERSION = 1
MANIFEST_KEYS = ("task", "format_version", "kerasrnn_version")
"""The `task.json` entries of the format itself; the others are the task's settings."""
_TASKS = {}


def register_task(name):
    """Class decorator: make a task class loadable by `kerasrnn.load` under `name`."""

    def decorate(cls):
        cls.task_name = name
        _TASKS[name] = cls
        return cls

    return decorate


WEIGHTS_DTYPES = ("float32", "float16")
"""How `write_task` may store a model's float32 weights."""


def write_task(directory, task_name, model, vocabulary=None, card=None, extra=None, weights_dtype="float32"):
    """Write a task directory (see the module docstring); returns the directory.

    `weights_dtype="float16"` stores the model's float32 weights as float16:
    half the file, and they load back into float32 variables (on every
    backend) rounded to float16. Call `round_weights(model)` before evaluating
    a model to measure exactly what is stored.
    """
    from kerasrnn import __version__

    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    save_model_file(model, os.path.join(directory, "model.keras"), weights_dtype)
    if vocabulary is not None:
        vocabulary.save(os.path.join(directory, "vocabulary.json"))
    if card is not None:
        atomic_write_json(os.path.join(directory, "card.json"), card)
    manifest = {"task": task_name, "format_version": FORMAT_VERSION, "kerasrnn_version": __version__}
    manifest.update(extra or {})
    atomic_write_json(os.path.join(directory, "task.json"), manifest)
    return directory


def save_model_file(model, path, weights_dtype="float32"):
    """Save `model` without its optimizer to the `.keras` file `path`, atomically (see `write_task`)."""
    check_choice(weights_dtype, "weights_dtype", WEIGHTS_DTYPES)
    with atomic_path(path) as tmp:
        inference_copy(model).save(tmp)
        if weights_dtype == "float16":
            _store_weights_as_float16(tmp)


def round_weights(model, dtype="float16"):
    """Round `model`'s float32 weights to `dtype` precision, in place (the variables stay float32).

    Afterwards the model computes exactly what a task saved with
    `weights_dtype=dtype` computes once loaded. Returns the model.
    """
    check_choice(dtype, "dtype", WEIGHTS_DTYPES[1:])
    for variable in model.weights:
        if keras.backend.standardize_dtype(variable.dtype) == "float32":
            value = keras.ops.convert_to_numpy(variable)
            variable.assign(value.astype(dtype).astype("float32"))
    return model


def _store_weights_as_float16(path):
    """Rewrite the `.keras` archive at `path` with its float32 weight arrays stored as float16."""
    import h5py  # a dependency of Keras

    def convert(source, target):
        target.attrs.update(source.attrs)
        for name, item in source.items():
            if isinstance(item, h5py.Group):
                convert(item, target.create_group(name))
            else:
                data = item[()]
                if getattr(data, "dtype", None) == np.float32:
                    data = data.astype(np.float16)
                target.create_dataset(name, data=data).attrs.update(item.attrs)

    archive = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename.endswith(".h5"):
                converted = io.BytesIO()
                with h5py.File(io.BytesIO(data), "r") as weights, h5py.File(converted, "w") as half:
                    convert(weights, half)
                data = converted.getvalue()
            target.writestr(entry, data)
    with open(path, "wb") as f:
        f.write(archive.getvalue())


def inference_copy(model):
    """The model without its optimizer (a third of the file size for Adam), same weights.

    Falls back to the model itself when it cannot be rebuilt from its config.
    """
    if getattr(model, "optimizer", None) is None:
        return model
    try:
        copy = model.__class__.from_config(model.get_config())
        copy.set_weights(model.get_weights())
        return copy
    except Exception:  # a model without a faithful config: save it whole
        return model


def read_card(directory):
    """The task's `card.json` as a dict, or None when the directory has none."""
    path = os.path.join(os.fspath(directory), "card.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_manifest(directory):
    """The task's `task.json` as a dict; a one-line error when it is missing, corrupt or of another format."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"no saved model at {directory}: the directory does not exist")
    path = os.path.join(directory, "task.json")
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{directory} is not a kerasrnn model directory (no task.json); point to a directory "
            "written by a recipe, e.g. saved_models/predict_next_char/lstm"
        )
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is corrupt ({error}); re-run the recipe that wrote it") from None
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{directory} was saved in format_version={version!r} by kerasrnn "
            f"{manifest.get('kerasrnn_version', '?')}; this kerasrnn reads format_version={FORMAT_VERSION}. "
            "Re-train it with this version, or install the kerasrnn version that saved it"
        )
    return manifest


def load_keras_model(path):
    """`keras.saving.load_model` with one-line errors for missing, truncated or corrupt files."""
    import kerasrnn.layers  # noqa: F401  (registers the custom objects)
    import kerasrnn.models  # noqa: F401

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"model file not found: {path}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a valid .keras file (truncated or corrupt); re-run the recipe that wrote it")
    try:
        with tensorflow_not_imported_by_keras():  # JAX and PyTorch load without starting TensorFlow
            return keras.saving.load_model(path, compile=False)
    except Exception as error:  # Keras raises many types for damaged archives.
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"could not load {path}: {message}; the file may be damaged, re-run the recipe") from None


def load(path):
    """Load a saved task (model, vocabulary and card) from a directory or by name.

    `path` is a task directory, or the name of a model: a preset's short name
    (`"translate_en_fr"`, `"predict_next_char"`) or a task directory's name
    under `saved_models/` (`"predict_next_char/lstm"`), looked up in
    `$KERASRNN_MODELS`, the repository's `saved_models/`, then the download
    cache (see `kerasrnn.presets`). A path that exists wins over a name.

    Returns the task object for its kind: a language model with `generate`
    and `score`, a classifier with `predict`, and so on. Works on every
    backend whichever backend saved it.

    Example:

    >>> lm = kerasrnn.load("predict_next_char")  # or "saved_models/predict_next_char/lstm"
    >>> print(lm.generate("ROMEO:", num_chars=200, temperature=0.8, seed=0))
    """
    import kerasrnn.tasks  # noqa: F401  (registers the task classes)
    from kerasrnn.presets import resolve

    path = resolve(path)
    manifest = read_manifest(path)
    name = manifest.get("task")
    if name not in _TASKS:
        raise ValueError(f"{path} holds an unknown task {name!r}; known tasks: {', '.join(sorted(_TASKS))}")
    return _TASKS[name].load(path)

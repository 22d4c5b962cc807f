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


# --- run_layer_test: the checks every custom layer owes -------------------------------------------


def _as_tuple(data):
    return tuple(data) if isinstance(data, (list, tuple)) else (data,)


def _model_inputs(input_data):
    """One `keras.Input` per array of `input_data`, with its shape (batch left open) and dtype."""
    import keras

    inputs = [keras.Input(shape=np.shape(x)[1:], dtype=str(np.asarray(x).dtype)) for x in _as_tuple(input_data)]
    return inputs if isinstance(input_data, (list, tuple)) else inputs[0]


def _first_output(outputs):
    import keras

    return keras.tree.flatten(outputs)[0]


def _perturb_trainable_weights(layer, seed=0, scale=0.1):
    """Add N(0, scale^2) noise to every float trainable weight, so gains and biases matter too."""
    rng = np.random.default_rng(seed)
    for weight in layer.trainable_weights:
        value = to_numpy(weight)
        weight.assign(value + rng.normal(scale=scale, size=value.shape).astype(value.dtype))


def _allclose_outputs(actual, desired, atol, what):
    import keras

    actual, desired = keras.tree.flatten(actual), keras.tree.flatten(desired)
    assert len(actual) == len(desired), f"{what}: {len(actual)} outputs, expected {len(desired)}"
    for index, (got, expected) in enumerate(zip(actual, desired)):
        assert_allclose(got, expected, atol=atol, err_msg=f"{what}: output {index}")


def check_config_round_trip(layer, input_data, wrap=None, init_kwargs=None, atol=1e-5):
    """`from_config(get_config())` rebuilds `layer`: same config, every init argument kept, same outputs.

    Args:
        layer: a built layer (or cell), called on `input_data` through `wrap`.
        input_data: an array, or a tuple of arrays for a layer that takes several inputs.
        wrap: optional callable that turns the layer into the layer that is called, such as
            `lambda cell: keras.layers.RNN(cell, unroll=True)` for a cell. Defaults to the layer.
        init_kwargs: the arguments `layer` was built with; each must appear in its config.
        atol: tolerance of the output comparison.
    """
    import keras

    wrap = wrap or (lambda x: x)
    layer_cls = type(layer)
    config = layer.get_config()
    missing = sorted(set(init_kwargs or {}) - set(config))
    assert not missing, f"{layer_cls.__name__}.get_config() forgets the arguments {missing}"
    restored = layer_cls.from_config(config)
    assert restored.get_config() == config, f"{layer_cls.__name__}: from_config(get_config()) changes the config"
    revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(revived) is layer_cls and revived.get_config() == config, f"{layer_cls.__name__}: serialization"
    expected = wrap(layer)(input_data)
    wrapped = wrap(restored)
    wrapped(input_data)  # builds it
    restored.set_weights(layer.get_weights())
    _allclose_outputs(wrapped(input_data), expected, atol,
                      f"{layer_cls.__name__} rebuilt from its config, with the same weights")


def check_saved_model_round_trip(model, input_data, directory, atol=1e-5):
    """`model` saved as `.keras` under `directory` and loaded again gives the same outputs; returns the path."""
    import keras

    path = os.path.join(str(directory), f"{model.name}.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    classes = [type(layer).__name__ for layer in model.layers]
    assert [type(layer).__name__ for layer in loaded.layers] == classes, f"{model.name}: layers change on reload"
    _allclose_outputs(loaded(input_data), model(input_data), atol, f"{model.name} after a .keras round trip")
    return path


def check_training_step(layer_output_model, input_data, learning_rate=0.01, seed=0):
    """One SGD step on a tiny regression moves every trainable weight and lowers the loss.

    `layer_output_model` maps `input_data` to the layer's outputs; a `Dense(1)` head on its first
    output regresses fixed random targets with the mean squared error (measured without dropout).
    """
    import keras

    head = keras.layers.Dense(1, name="regression_head")
    model = keras.Model(layer_output_model.input, head(_first_output(layer_output_model.outputs)))
    targets = np.random.default_rng(seed).normal(size=tuple(model.outputs[0].shape[1:]))
    targets = np.broadcast_to(targets, (len(_as_tuple(input_data)[0]), *targets.shape)).astype("float32")
    # A compiled train step, as `fit` runs it: TensorFlow's fused recurrences (XLA) train inside a
    # `tf.function` only, not under an eager GradientTape.
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate), loss="mse", jit_compile=False)

    def loss():
        return float(np.mean((to_numpy(model(input_data)) - targets) ** 2))

    before_loss = loss()
    weights = layer_output_model.trainable_weights
    before = [to_numpy(w) for w in weights]
    model.train_on_batch(input_data, targets)
    after_loss = loss()
    frozen = [w.path for w, value in zip(weights, before) if np.array_equal(to_numpy(w), value)]
    assert not frozen, f"one training step left these weights unchanged: {frozen}"
    assert after_loss < before_loss, f"one training step raised the loss from {before_loss:.6g} to {after_loss:.6g}"


def run_layer_test(layer_cls, init_kwargs, input_data, *, wrap=None, expected_output_shape=None,
                   training=True, saved_cases_dir=None, atol=1e-5):
    """The checks every custom layer owes, in the spirit of Keras' own `run_layer_test`.

    Builds `layer_cls(**init_kwargs)`, gives its trainable weights random offsets (so gains and
    biases matter), then checks:

    1. the config round trip (`check_config_round_trip`): every init argument in `get_config()`,
       `from_config(get_config())` with the same config and, with copied weights, the same outputs;
    2. the `.keras` round trip of a functional model around the layer (`check_saved_model_round_trip`);
    3. one training step on a tiny regression (`check_training_step`), unless `training=False`;
    4. with `saved_cases_dir`, it saves the model, inputs, outputs and gradients there in the format of
       `tests/cross_backend/harness.py`; `check_saved_cases_on_backends(saved_cases_dir)` then loads all
       the cases saved there on the other backends, one fresh process per backend.

    Args:
        layer_cls: the layer (or cell) class.
        init_kwargs: dict of arguments of `layer_cls`.
        input_data: a NumPy array `(batch, ...)`, or a tuple of arrays for a layer with several inputs.
        wrap: optional callable that turns the layer into what is called on the inputs, e.g.
            `lambda cell: keras.layers.RNN(cell, return_sequences=True, unroll=True)` for a cell.
            Defaults to calling the layer itself.
        expected_output_shape: optional shape of the (first) output, e.g. `(3, 10)`.
        training: bool, whether to run the training-step check. Defaults to `True`.
        saved_cases_dir: optional directory for the cross-backend check. Defaults to `None`.
        atol: tolerance of every output comparison. Defaults to `1e-5`.

    Returns:
        The functional model that wraps the layer (inputs to the layer's outputs).

    Example:

    ```python
    run_layer_test(CharNgrams, {"filters": 5, "widths": (2, 3)}, np.ones((3, 7, 4), "float32"),
                   expected_output_shape=(3, 10))
    ```
    """
    import tempfile

    import keras

    wrap = wrap or (lambda x: x)
    layer = layer_cls(**init_kwargs)
    inputs = _model_inputs(input_data)
    model = keras.Model(inputs, wrap(layer)(inputs), name=f"{layer_cls.__name__.lower()}_model")
    _perturb_trainable_weights(model)
    outputs = model(input_data)
    if expected_output_shape is not None:
        assert tuple(_first_output(outputs).shape) == tuple(expected_output_shape), (
            f"{layer_cls.__name__}: output shape {tuple(_first_output(outputs).shape)}, "
            f"expected {tuple(expected_output_shape)}")
    check_config_round_trip(layer, input_data, wrap=wrap, init_kwargs=init_kwargs, atol=atol)
    with tempfile.TemporaryDirectory() as directory:
        check_saved_model_round_trip(model, input_data, directory, atol=atol)
    if saved_cases_dir is not None:
        from tests.cross_backend import harness

        harness.save_case(str(saved_cases_dir), model.name, model, input_data)
    if training:
        check_training_step(model, input_data)
    return model


def check_saved_cases_on_backends(directory, backends=None, modules=()):
    """Load every case saved in `directory` on each of `backends` (the other ones by default).

    One fresh process per backend checks all the cases (`tests/cross_backend/harness.py`): same
    outputs and gradients as where they were saved. `modules` names the modules that register
    layers defined outside `kerasrnn` (a test's own layers), imported first in each process.
    """
    imports = "".join(f"import {module}; " for module in modules)
    for backend_name in other_backends() if backends is None else backends:
        failures = run_json(f"import json; {imports}from tests.cross_backend.harness import check_cases; "
                            f"print(json.dumps(check_cases({str(directory)!r})))", backend_name)
        assert failures == [], f"cases saved on {backend()} differ on {backend_name}: {failures}"

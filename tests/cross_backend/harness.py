"""Save every cross-backend case on one backend, reload and compare on another.

Each `tests/cross_backend/cases_*.py` defines `CASES = {name: build_fn}`,
`build_fn() -> (model, inputs)`. `save_cases(directory)` writes, per case,
`<name>.keras` and `<name>.npz` (inputs, outputs and the gradients of
`sum(outputs ** 2)` with respect to each trainable weight, keyed by weight
path). `check_cases(directory)` loads them on the current backend and compares.

Run as a script (`python -m tests.cross_backend.harness DIR`) it checks DIR
and prints one JSON line with the failures, so a test on backend A can ask
backends B and C to verify what A saved.
"""

import glob
import importlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def all_cases():
    cases = {}
    for path in sorted(glob.glob(os.path.join(HERE, "cases_*.py"))):
        module = importlib.import_module(f"tests.cross_backend.{os.path.basename(path)[:-3]}")
        for name, build in module.CASES.items():
            cases[f"{module.__name__.rsplit('.', 1)[-1][6:]}.{name}"] = build
    return cases


def _as_list(inputs):
    return list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]


def outputs_and_gradients(model, inputs):
    """Outputs (flattened list of NumPy arrays) and {weight path: gradient} of sum(outputs**2)."""
    import keras

    backend = keras.backend.backend()
    weights = model.trainable_weights
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            outputs = keras.tree.flatten(model(inputs, training=False))
            loss = tf.add_n([tf.reduce_sum(tf.square(tf.cast(o, "float32"))) for o in outputs])
        grads = tape.gradient(loss, [w.value for w in weights])
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]

        def loss_fn(trainable):
            out, _ = model.stateless_call(trainable, non_trainable, inputs, training=False)
            out = keras.tree.flatten(out)
            return sum(jnp.sum(jnp.square(o.astype("float32"))) for o in out), out

        # Compiled once per case: quicker than JAX's op-by-op dispatch for a whole model.
        (_, outputs), grads = jax.jit(jax.value_and_grad(loss_fn, has_aux=True))(trainable)
        weights = model.trainable_variables
    else:
        import torch

        outputs = keras.tree.flatten(model(inputs, training=False))
        loss = sum(torch.sum(torch.square(o.float())) for o in outputs)
        values = [w.value for w in weights]
        grads = torch.autograd.grad(loss, values, allow_unused=True) if values else []
    outputs = [np.asarray(keras.ops.convert_to_numpy(o)) for o in outputs]
    gradients = {}
    for index, (weight, grad) in enumerate(zip(weights, grads)):
        # Keyed by position: Keras renames some weights (cells inside RNN/Bidirectional) on reload.
        gradients[f"{index:03d}:{tuple(weight.shape)}"] = (
            np.zeros(weight.shape, "float32") if grad is None else np.asarray(keras.ops.convert_to_numpy(grad))
        )
    return outputs, gradients


def _weights(model):
    """{position: value} of every float weight, trainable or not (a reservoir, a LayerNorm gain)."""
    import keras

    values = {}
    for index, weight in enumerate(model.weights):
        value = np.asarray(keras.ops.convert_to_numpy(weight))
        if np.issubdtype(value.dtype, np.floating):
            values[f"{index:03d}:{tuple(weight.shape)}"] = value
    return values


def save_case(directory, name, model, inputs):
    """Write `<name>.keras` and `<name>.npz` (inputs, outputs, gradients, weights) under `directory`."""
    os.makedirs(directory, exist_ok=True)
    outputs, gradients = outputs_and_gradients(model, inputs)
    model.save(os.path.join(directory, f"{name}.keras"))
    arrays = {f"input_{i}": x for i, x in enumerate(_as_list(inputs))}
    arrays.update({f"output_{i}": y for i, y in enumerate(outputs)})
    arrays.update({f"grad::{path}": g for path, g in gradients.items()})
    arrays.update({f"weight::{path}": w for path, w in _weights(model).items()})
    np.savez(os.path.join(directory, f"{name}.npz"), **arrays)


def save_cases(directory):
    import keras

    for name, build in all_cases().items():
        keras.utils.set_random_seed(0)
        model, inputs = build()
        save_case(directory, name, model, inputs)
        keras.backend.clear_session()


def check_cases(directory, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-5, gradients=True):
    """Return a list of failure messages (empty when every case matches).

    With `gradients=False` (the backend the cases were saved on) it compares the outputs and every
    float weight instead of recomputing the gradients: the same weights, graph and backend give the
    same gradients, and the other backends check those.
    """
    import keras

    import kerasrnn.layers  # noqa: F401  (registers custom objects)
    import kerasrnn.models  # noqa: F401

    failures = []
    names = sorted(os.path.basename(p)[:-6] for p in glob.glob(os.path.join(directory, "*.keras")))
    if not names:
        return [f"no saved cases in {directory}"]
    for name in names:
        try:
            model = keras.saving.load_model(os.path.join(directory, f"{name}.keras"), compile=False)
            saved = np.load(os.path.join(directory, f"{name}.npz"))
            inputs = [saved[k] for k in sorted(k for k in saved.files if k.startswith("input_"))]
            inputs = inputs[0] if len(inputs) == 1 else inputs
            if gradients:
                outputs, grads = outputs_and_gradients(model, inputs)
            else:
                outputs = [np.asarray(keras.ops.convert_to_numpy(o)) for o in keras.tree.flatten(model(inputs))]
                grads = {}
                weights = _weights(model)
                saved_weights = {k.split("::", 1)[1]: saved[k] for k in saved.files if k.startswith("weight::")}
                if weights.keys() != saved_weights.keys():
                    failures.append(f"{name}: weights {sorted(weights)} after reload, {sorted(saved_weights)} saved")
                for path in weights.keys() & saved_weights.keys():
                    if not np.array_equal(weights[path], saved_weights[path]):
                        failures.append(f"{name}: weight {path} differs after reload")
            expected = [saved[f"output_{i}"] for i in range(len(outputs))]
            for i, (actual, wanted) in enumerate(zip(outputs, expected)):
                if not np.allclose(actual, wanted, atol=atol, rtol=1e-5):
                    failures.append(f"{name}: output {i} differs by {np.abs(actual - wanted).max():.3g}")
            for path, grad in grads.items():
                key = f"grad::{path}"
                if key not in saved.files:
                    failures.append(f"{name}: no saved gradient for weight {path}")
                elif not np.allclose(grad, saved[key], atol=grad_atol, rtol=grad_rtol):
                    failures.append(f"{name}: gradient of {path} differs by {np.abs(grad - saved[key]).max():.3g}")
        except Exception as error:  # report every case, not just the first failure
            failures.append(f"{name}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        keras.backend.clear_session()
    return failures


if __name__ == "__main__":
    print(json.dumps({"failures": check_cases(sys.argv[1]), "backend": os.environ.get("KERAS_BACKEND")}))

"""Backend-specific fast paths, imported only for the active backend.

Everything else in kerasrnn is written with `keras.ops`; this package is the
one place that may import `jax`, `tensorflow` or `torch` for speed, each in
its own module, loaded lazily by the dispatchers below.
"""

import importlib

import keras


def _module():
    return importlib.import_module(f"kerasrnn.backend.{keras.backend.backend()}_backend")


def compile_inference(fn, variables, jit_compile=False):
    """Compile a pure inference function that reads `variables` (Keras variables).

    * JAX: `jax.jit`, with the variables passed in as arguments through a
      `keras.StatelessScope`, so the compiled loop sees the current weights.
    * TensorFlow: `tf.function` (the `keras.ops` loops become `tf.while_loop`s);
      with `jit_compile=True`, compiled by XLA as on JAX (a loop of small
      steps then runs without the graph executor's per-op overhead).
    * PyTorch: the eager function under `torch.no_grad()`.

    `fn` takes array arguments only (make settings static with a closure).
    """
    return _module().compile_inference(fn, list(variables), jit_compile=jit_compile)


def list_devices():
    """The devices the active backend computes on, as `"<kind>:<index>"` strings, e.g. `["cpu:0"]`."""
    return _module().list_devices()

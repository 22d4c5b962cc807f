"""Backend-specific fast paths, reached through one lookup: `kernel(name)`.

Everything else in kerasrnn is written with `keras.ops`; this package is the
one place that may import `jax`, `tensorflow` or `torch` for speed, and the
one place that asks which backend is active. Each backend's functions live
in their own modules (`<backend>_<concern>.py`); `kernel(name)` imports the
active backend's module for `name` on first use, so a JAX or PyTorch process
never imports TensorFlow.

Example:

```python
fused_lstm = kernel("fused_lstm")  # the active backend's function, or None
if fused_lstm is None:
    ...  # no fast path on this backend: Keras' own loop
```
"""

import importlib

import keras

_EVERY_BACKEND = ("jax", "tensorflow", "torch")


def _modules(concern, backends=_EVERY_BACKEND):
    """`{backend: "<backend>_<concern>"}` for each of `backends`."""
    return {backend: f"{backend}_{concern}" for backend in backends}


# Each function a backend may provide -> {backend: the module under kerasrnn.backend that defines it}.
# A function has the same name and arguments in every module that defines it; a backend left out has none.
_KERNELS = {
    # Compiled inference and devices (`compile_inference`, `list_devices` below).
    "compile_inference": _modules("backend"),
    "list_devices": _modules("backend"),
    # The accelerator a model card names, where `keras.distribution.list_devices` does not cover it.
    "accelerator_name": _modules("backend", ("torch",)),
    # Fused recurrences for `kerasrnn.layers.fused_rnn` and the LayerNorm layers.
    "fused_lstm": _modules("fused_rnn", ("tensorflow", "torch")),
    "fused_gru": _modules("fused_rnn"),
    "fused_simple_rnn": _modules("fused_rnn", ("jax", "torch")),
    "layer_norm_simple_rnn": _modules("fused_rnn", ("jax", "torch")),
    # One decoding step of a whole stack (`kerasrnn.decoding.stepper`).
    "fused_lstm_step": _modules("fused_rnn", ("torch",)),
    "fused_gru_step": _modules("fused_rnn", ("torch",)),
    "fused_decoding_step": _modules("fused_rnn", ("torch",)),
    # The echo-state recurrence without Keras' per-step dispatch (`kerasrnn.layers.echo_state`).
    "leaky_tanh_scan": _modules("echo_state", ("torch",)),
    # Sparse SGD on embedding rows (`kerasrnn.training.skip_gram_trainer`).
    "take_rows": _modules("sparse_rows"),
    "add_to_rows": _modules("sparse_rows"),
    "compile_update": _modules("sparse_rows"),
    "train_skip_gram_blocks": _modules("skip_gram", ("torch",)),
}


def kernel(name, inference=False):
    """The active backend's function `name`, or None where that backend has none.

    Args:
        name: str, a function registered in `_KERNELS`, such as
            `"fused_lstm"` or `"compile_inference"`.
        inference: bool, whether the caller runs outside training. Some fast
            paths are for training only (a module with `FOR_INFERENCE = False`,
            such as `tensorflow_fused_rnn`: an exported SavedModel must hold no
            XLA-only function); for those this returns None. Defaults to False.

    Returns:
        The function, imported on first use, or None.

    Raises:
        ValueError: for a `name` no backend registers.
    """
    if name not in _KERNELS:
        raise ValueError(f"`name` must be one of {', '.join(sorted(_KERNELS))}, received: name={name!r}")
    module_name = _KERNELS[name].get(keras.backend.backend())
    if module_name is None:
        return None
    module = importlib.import_module(f"kerasrnn.backend.{module_name}")
    if inference and not getattr(module, "FOR_INFERENCE", True):
        return None
    return getattr(module, name)


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
    return kernel("compile_inference")(fn, list(variables), jit_compile=jit_compile)


def list_devices():
    """The devices the active backend computes on, as `"<kind>:<index>"` strings, e.g. `["cpu:0"]`."""
    return kernel("list_devices")()

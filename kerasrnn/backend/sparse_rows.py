"""Row gathers, row scatter-adds and a compiled update loop for sparse SGD, per backend.

word2vec-style training reads a few rows of two embedding tables and adds
updates to the same rows (`kerasrnn.models.word2vec_trainer`). `keras.ops`
has both (`take`, `scatter_update(..., reduction="add")`), but three
backend details decide the speed:

* JAX: `jnp.take` fills out-of-range rows with NaN, and XLA fuses that
  bounds check into (and recomputes it in) every consumer of the rows: the
  whole update runs 3x slower. `take_rows` gathers with clamped indices
  instead (the indices are in range by construction).
* PyTorch: `ops.scatter_update` copies the whole table before adding;
  `add_to_rows` adds in place with `index_add_`.
* The loop over blocks is compiled whole: `jax.jit` with the tables donated
  (updated in place), `tf.function(jit_compile=True)` (XLA), and on PyTorch
  the eager loop without autograd.
"""

import functools

import keras
from keras import ops


def take_rows(table, indices):
    """`table[indices]`: the rows at `indices` (any shape), which must lie in range."""
    backend = keras.backend.backend()
    if backend == "jax":
        return table.at[indices].get(mode="clip")
    if backend == "torch":
        indices = ops.convert_to_tensor(indices)
        rows = table.index_select(0, indices.reshape(-1))
        return rows.reshape(tuple(indices.shape) + tuple(table.shape[1:]))
    return ops.take(table, indices, axis=0)


def add_to_rows(table, indices, updates):
    """`table` with `updates[i]` added to row `indices[i]`; repeated indices add up.

    `indices` has shape `(n,)` and `updates` `(n, dim)`. On PyTorch `table`
    is updated in place (and returned): pass a tensor you own.
    """
    backend = keras.backend.backend()
    if backend == "torch":
        return table.index_add_(0, ops.convert_to_tensor(indices), updates)
    if backend == "jax":
        return table.at[indices].add(updates, mode="promise_in_bounds")
    return ops.scatter_update(table, ops.expand_dims(indices, -1), updates, reduction="add")


def compile_update(fn):
    """Compile `fn(table_a, table_b, *arrays) -> (table_a, table_b, *outputs)`, a pure function.

    JAX donates the two tables (the compiled loop updates them in place, and
    the arrays passed in are invalid afterwards); TensorFlow compiles with
    XLA; PyTorch runs `fn` eagerly without autograd.
    """
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return jax.jit(fn, donate_argnums=(0, 1))
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, jit_compile=True, reduce_retracing=True)
    import torch

    @functools.wraps(fn)
    def call(*args):
        with torch.no_grad():
            return fn(*args)

    return call

"""TensorFlow: row gathers, row scatter-adds and an XLA-compiled update loop for sparse SGD.

The same functions as `kerasrnn.backend.jax_sparse_rows`: gathers and
scatter-adds are `keras.ops`' own, and the loop over blocks is compiled by
XLA (`tf.function(jit_compile=True)`). Imported only when the TensorFlow
backend is active.
"""

import tensorflow as tf
from keras import ops


def take_rows(table, indices):
    """`table[indices]`: the rows at `indices` (any shape), which must lie in range."""
    return ops.take(table, indices, axis=0)


def add_to_rows(table, indices, updates):
    """`table` with `updates[i]` added to row `indices[i]` (`(n,)`, `(n, dim)`); repeated indices add up."""
    return ops.scatter_update(table, ops.expand_dims(indices, -1), updates, reduction="add")


def compile_update(fn):
    """Compile `fn(table_a, table_b, *arrays) -> (table_a, table_b, *outputs)`, a pure function, with XLA."""
    return tf.function(fn, jit_compile=True, reduce_retracing=True)

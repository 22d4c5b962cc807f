"""PyTorch: row gathers, in-place row scatter-adds and an eager update loop for sparse SGD.

The same functions as `kerasrnn.backend.jax_sparse_rows`. `ops.scatter_update`
copies the whole table before adding; `add_to_rows` adds in place with
`index_add_`. The loop runs eagerly without autograd (the trainer's own fast
path is `kerasrnn.backend.torch_skip_gram`). Imported only when the torch
backend is active.
"""

import functools

import torch
from keras import ops


def take_rows(table, indices):
    """`table[indices]`: the rows at `indices` (any shape), which must lie in range."""
    indices = ops.convert_to_tensor(indices)
    rows = table.index_select(0, indices.reshape(-1))
    return rows.reshape(tuple(indices.shape) + tuple(table.shape[1:]))


def add_to_rows(table, indices, updates):
    """`table` with `updates[i]` added to row `indices[i]` (`(n,)`, `(n, dim)`); repeated indices add up.

    `table` is updated in place (and returned): pass a tensor you own.
    """
    return table.index_add_(0, ops.convert_to_tensor(indices), updates)


def compile_update(fn):
    """`fn(table_a, table_b, *arrays) -> (table_a, table_b, *outputs)`, run eagerly without autograd."""

    @functools.wraps(fn)
    def call(*args):
        with torch.no_grad():
            return fn(*args)

    return call

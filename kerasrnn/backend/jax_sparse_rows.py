"""JAX: row gathers, row scatter-adds and a compiled update loop for sparse SGD.

word2vec-style training reads a few rows of two embedding tables and adds
updates to the same rows (`kerasrnn.training.SkipGramTrainer`). `jnp.take`
fills out-of-range rows with NaN, and XLA fuses that bounds check into (and
recomputes it in) every consumer of the rows: the whole update runs 3x
slower. `take_rows` gathers with clamped indices instead (the indices are in
range by construction). The loop over blocks is compiled whole by `jax.jit`
with the tables donated (updated in place). Imported only when the JAX
backend is active.
"""

import jax


def take_rows(table, indices):
    """`table[indices]`: the rows at `indices` (any shape), which must lie in range."""
    return table.at[indices].get(mode="clip")


def add_to_rows(table, indices, updates):
    """`table` with `updates[i]` added to row `indices[i]` (`(n,)`, `(n, dim)`); repeated indices add up."""
    return table.at[indices].add(updates, mode="promise_in_bounds")


def compile_update(fn):
    """Compile `fn(table_a, table_b, *arrays) -> (table_a, table_b, *outputs)`, a pure function.

    The two tables are donated: the compiled loop updates them in place, and
    the arrays passed in are invalid afterwards.
    """
    return jax.jit(fn, donate_argnums=(0, 1))

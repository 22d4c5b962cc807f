"""What the benchmark workers measure, one module per family.

Every measured thing is a *subject*: an object built from a size dict with
`warm_up()` (the first run: tracing, compilation, caches; returns seconds),
`run()` (one timed repeat of the same work; returns seconds), `amount` (the
work of one repeat, in `unit`), and optionally `quality()` (a dict of
accuracy figures, read once after the last repeat). `kerasrnn` subjects run
on the Keras backend of their worker process; the references (native
PyTorch, gensim, reservoirpy, the matmul peak) run in a worker that never
imports Keras.
"""

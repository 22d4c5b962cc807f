"""`tf.data` pipelines: raw data in, `(x, y[, sample_weight])` batches out.

tf.data feeds `model.fit` on every Keras backend, so these pipelines serve
TensorFlow, JAX and PyTorch alike. They are deterministic under a `seed`.

Names load on first use: `from kerasrnn.data import make_language_model_dataset`
imports TensorFlow, while `kerasrnn.data.names`, `kerasrnn.data.splits` and
`kerasrnn.data.validation` (NumPy only) do not (nor do `split_names` and
`name_examples`), so loading a saved task and predicting on JAX or PyTorch
never starts TensorFlow.
"""

import importlib

# Public name -> the module under kerasrnn.data that defines it.
_EXPORTS = {
    "balanced_class_weights": "classification",
    "class_weights": "classification",
    "CLASS_WEIGHTINGS": "classification",
    "make_classification_dataset": "classification",
    "make_language_model_dataset": "language_model",
    "split_token_stream": "language_model",
    "make_masked_token_dataset": "masked_tokens",
    "masked_windows": "masked_tokens",
    "name_examples": "names",
    "split_names": "names",
    "draw_negatives": "skip_gram",
    "SkipGramBlocks": "skip_gram",
    "make_skip_gram_dataset": "skip_gram",
    "negative_sampling_table": "skip_gram",
    "skip_gram_blocks": "skip_gram",
    "skip_gram_examples": "skip_gram",
    "subsample_keep_probability": "skip_gram",
    "unigram_table": "skip_gram",
    "make_time_series_dataset": "time_series",
    "sliding_windows": "time_series",
    "make_translation_dataset": "translation",
}
_SUBMODULES = (
    "classification",
    "language_model",
    "masked_tokens",
    "names",
    "skip_gram",
    "splits",
    "time_series",
    "translation",
    "validation",
)
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"kerasrnn.data.{_EXPORTS[name]}"), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"kerasrnn.data.{name}")
    else:
        raise AttributeError(f"module 'kerasrnn.data' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS) | set(_SUBMODULES))

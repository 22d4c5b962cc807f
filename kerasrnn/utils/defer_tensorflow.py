"""Load Keras models on JAX or PyTorch without importing TensorFlow (`tensorflow_not_imported_by_keras()`).

Keras' `serialize_keras_object` asks `tf.available` before testing
`isinstance(obj, tf.TensorShape)`, and `tf.available` imports TensorFlow
when it is installed (about two seconds, and hundreds of megabytes). Loading
a model that holds a `keras.layers.Bidirectional` runs that check (the layer
re-creates its forward and backward copies from the wrapped layer's config),
so loading the name classifier or the masked-word model on JAX or PyTorch
started TensorFlow for nothing.

No object is a TensorFlow type before TensorFlow is imported, so inside the
context the check reads "is TensorFlow imported already (and available)"
instead. On the TensorFlow backend TensorFlow is imported already, and the
context changes nothing. Where this Keras does not have the lazy `tf` module
in that place, the context does nothing either.
"""

import contextlib
import sys


class _ImportedTensorFlowOnly:
    """Keras' lazy `tf` module whose `available` does not import TensorFlow: True only once it is imported."""

    def __init__(self, lazy_module):
        self._lazy_module = lazy_module

    @property
    def available(self):
        return "tensorflow" in sys.modules and self._lazy_module.available

    def __getattr__(self, name):
        return getattr(self._lazy_module, name)


@contextlib.contextmanager
def tensorflow_not_imported_by_keras():
    """Within the context, Keras' (de)serialization does not import TensorFlow to rule out TensorFlow types.

    Example:
    ```python
    with tensorflow_not_imported_by_keras():
        model = keras.saving.load_model("model.keras")
    ```
    """
    try:
        from keras.src.saving import serialization_lib
    except ImportError:  # a Keras laid out differently: nothing to change
        yield
        return
    lazy_module = getattr(serialization_lib, "tf", None)
    if "tensorflow" in sys.modules or not hasattr(type(lazy_module), "available"):
        yield
        return
    serialization_lib.tf = _ImportedTensorFlowOnly(lazy_module)
    try:
        yield
    finally:
        serialization_lib.tf = lazy_module

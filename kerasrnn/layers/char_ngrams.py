"""Character n-gram detectors: 1-D convolutions over a masked sequence, max-pooled over time (`CharNgrams`)."""

import keras

from kerasrnn.utils.validation import check_positive_int
from kerasrnn.utils.validation import check_positive_int_tuple


@keras.saving.register_keras_serializable(package="kerasrnn")
class CharNgrams(keras.layers.Layer):
    """Max-pooled n-gram detectors over a masked sequence of character embeddings.

    For each width `w` in `widths`, `filters` detectors look at every window
    of `w` consecutive characters, the name's edges included (windows that
    stick out of the name see zero vectors there, so a detector can learn
    prefixes and suffixes such as "ov<end>"):
    `h_j = relu(sum_k x_{j-w+1+k} W_k + b)`, and the layer returns the
    largest `h_j` over the windows that hold at least one real character,
    `(batch, len(widths) * filters)`. Padding (masked steps) is read as zero
    vectors, so a sequence gives the same features whatever the length of
    the batch it is padded to. Beside a recurrent reader it adds
    "does the name hold this n-gram anywhere" features (a char-CNN).

    Args:
        filters: detectors per width. Defaults to 64.
        widths: the n-gram widths, a tuple of positive ints. Defaults to `(2, 3, 4)`.
        kernel_initializer: initializer of the kernels. Defaults to `"glorot_uniform"`.

    Call arguments:
        inputs: float tensor `(batch, time, features)`.
        mask: optional boolean tensor `(batch, time)`, True on real steps
            (passed on by `Embedding(mask_zero=True)`).

    Returns:
        A float tensor `(batch, len(widths) * filters)`.

    Example:

    >>> layer = CharNgrams(filters=8, widths=(2, 3))
    >>> layer(keras.ops.ones((4, 9, 16))).shape   # (batch, 2 * 8)
    (4, 16)

    Reference:
        Zhang, Zhao and LeCun, 2015, "Character-level Convolutional Networks for Text Classification";
        Kim, 2014, "Convolutional Neural Networks for Sentence Classification".
    """

    def __init__(self, filters=64, widths=(2, 3, 4), kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.widths = check_positive_int_tuple(widths, "widths")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        features = input_shape[-1]
        self.kernels = [
            self.add_weight(name=f"kernel_{width}", shape=(width, features, self.filters),
                            initializer=self.kernel_initializer)
            for width in self.widths
        ]
        self.biases = [
            self.add_weight(name=f"bias_{width}", shape=(self.filters,), initializer="zeros")
            for width in self.widths
        ]

    def call(self, inputs, mask=None):
        if mask is None:
            mask = keras.ops.ones(keras.ops.shape(inputs)[:2], dtype=inputs.dtype)
        mask = keras.ops.cast(mask, inputs.dtype)  # (batch, time)
        x = inputs * mask[:, :, None]  # padding reads as zero vectors
        time = keras.ops.shape(x)[1]
        pooled = []
        for width, kernel, bias in zip(self.widths, self.kernels, self.biases):
            padded = keras.ops.pad(x, [(0, 0), (width - 1, width - 1), (0, 0)])  # (batch, time + 2w - 2, features)
            h = keras.ops.relu(keras.ops.conv(padded, kernel, padding="valid") + bias)  # (batch, time + w - 1, filters)
            # Window j covers steps j-w+1 .. j: it counts when it holds a real step.
            padded_mask = keras.ops.pad(mask, [(0, 0), (width - 1, width - 1)])
            window_mask = keras.ops.max(
                keras.ops.stack([padded_mask[:, k: k + time + width - 1] for k in range(width)]), axis=0)
            pooled.append(keras.ops.max(h * window_mask[:, :, None], axis=1))  # relu >= 0: masked windows are 0
        return keras.ops.concatenate(pooled, axis=-1)  # (batch, len(widths) * filters)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.widths) * self.filters)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "widths": list(self.widths),
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        })
        return config

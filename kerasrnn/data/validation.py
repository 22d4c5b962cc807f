"""Argument checks shared by the pipelines: one-line errors naming the value.

The numeric checks live in `kerasrnn.utils.validation` (layers and models use them too).
"""

import numpy as np

from kerasrnn.utils.validation import check_fraction  # noqa: F401 (re-exported for the pipelines)
from kerasrnn.utils.validation import check_non_negative_int  # noqa: F401
from kerasrnn.utils.validation import check_positive_int  # noqa: F401


def check_token_ids(ids, name):
    array = np.asarray(ids)
    if array.ndim != 1:
        raise ValueError(f"`{name}` must be a 1-D array of token ids, received shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"`{name}` must hold integer token ids, received dtype {array.dtype}")
    return array.astype("int32")

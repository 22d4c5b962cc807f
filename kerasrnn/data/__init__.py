"""`tf.data` pipelines: raw data in, `(x, y[, sample_weight])` batches out.

tf.data feeds `model.fit` on every Keras backend, so these pipelines serve
TensorFlow, JAX and PyTorch alike. They are deterministic under a `seed`.
"""

from kerasrnn.data.classification import balanced_class_weights
from kerasrnn.data.classification import make_classification_dataset
from kerasrnn.data.language_model import make_language_model_dataset
from kerasrnn.data.language_model import split_token_stream
from kerasrnn.data.masked_tokens import make_masked_token_dataset
from kerasrnn.data.masked_tokens import masked_windows
from kerasrnn.data.skip_gram import draw_negatives
from kerasrnn.data.skip_gram import SkipGramBlocks
from kerasrnn.data.skip_gram import make_skip_gram_dataset
from kerasrnn.data.skip_gram import negative_sampling_table
from kerasrnn.data.skip_gram import skip_gram_blocks
from kerasrnn.data.skip_gram import skip_gram_examples
from kerasrnn.data.skip_gram import subsample_keep_probability
from kerasrnn.data.skip_gram import unigram_table
from kerasrnn.data.time_series import make_time_series_dataset
from kerasrnn.data.time_series import sliding_windows
from kerasrnn.data.translation import make_translation_dataset

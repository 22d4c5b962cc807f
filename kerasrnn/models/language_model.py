"""Next-token language models: embedding -> stacked recurrent layers -> logits."""

import keras

from kerasrnn.layers.recurrent_factory import make_recurrent_layer
from kerasrnn.models._recurrent_stack import stack_recurrent_layers
from kerasrnn.utils.validation import check_stack_arguments
from kerasrnn.utils.validation import renamed_argument


def build_language_model(
    vocabulary_size,
    cell_type="lstm",
    embedding_dim=64,
    hidden_units=256,
    num_layers=1,
    dropout=0.0,
    name=None,
    cell=None,
):
    """A functional next-token model: `Embedding -> RNN x num_layers -> Dense(vocabulary_size)`.

    The model maps ids `(batch, time)` to logits `(batch, time, vocabulary_size)`
    (one prediction per position, trained with sparse cross-entropy from
    logits). Its layers are also what `kerasrnn.decoding.RecurrentStepper`
    walks to generate one token at a time with the state carried along.

    Args:
        vocabulary_size: number of token ids.
        cell_type: recurrent layer kind, one of
            `kerasrnn.layers.recurrent_factory.RECURRENT_KINDS` (`"lstm"`,
            `"gru"`, `"simple_rnn"`, `"layernorm_rnn"`, `"layernorm_lstm"`,
            `"layernorm_gru"`). Defaults to `"lstm"`.
        embedding_dim: size of the token embedding. Defaults to 64.
        hidden_units: size of each recurrent state. Defaults to 256.
        num_layers: stacked recurrent layers. Defaults to 1.
        dropout: dropout rate between layers (not recurrent dropout, which
            would disable cuDNN). Defaults to 0.
        name: model name. Defaults to `f"{cell_type}_language_model"`.
        cell: deprecated name of `cell_type` (a `DeprecationWarning`; removed
            in the next release).

    Returns:
        An uncompiled `keras.Model`.

    Example:

    >>> model = build_language_model(65, cell_type="gru", hidden_units=32)
    >>> model(keras.ops.zeros((2, 10), "int32")).shape   # (batch, time, vocabulary)
    (2, 10, 65)
    """
    cell_type = renamed_argument(cell_type, "cell_type", cell, "cell", default="lstm")
    vocabulary_size, embedding_dim, hidden_units, num_layers = check_stack_arguments(
        cell_type, None, dropout, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim,
        hidden_units=hidden_units, num_layers=num_layers
    )
    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocabulary_size, embedding_dim, name="embedding")(inputs)

    def make_layer(index):
        return make_recurrent_layer(cell_type, hidden_units, return_sequences=True, name=f"{cell_type}_{index}")

    x = stack_recurrent_layers(x, make_layer, num_layers, dropout=dropout)  # (batch, time, hidden_units)
    logits = keras.layers.Dense(vocabulary_size, name="logits")(x)
    return keras.Model(inputs, logits, name=name or f"{cell_type}_language_model")

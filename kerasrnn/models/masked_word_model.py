"""Masked-word models: embedding -> recurrent stack (one or both directions) -> a softmax per position."""

import functools

import keras

from kerasrnn.layers.echo_state import EchoState
from kerasrnn.layers.recurrent_factory import RECURRENT_KINDS
from kerasrnn.layers.recurrent_factory import make_recurrent_layer
from kerasrnn.models._recurrent_stack import stack_recurrent_layers
from kerasrnn.utils.validation import check_stack_arguments
from kerasrnn.utils.validation import renamed_argument

MASKED_WORD_KINDS = (*RECURRENT_KINDS, "echo_state")


def build_masked_word_model(
    vocabulary_size,
    cell_type="lstm",
    embedding_dim=64,
    hidden_units=128,
    num_layers=1,
    bidirectional=False,
    dropout=0.0,
    connectivity=0.1,
    spectral_radius=0.9,
    leak_rate=1.0,
    seed=None,
    name=None,
    cell=None,
):
    """A functional masked-word model: `Embedding -> RNN x num_layers -> Dense(vocabulary_size)`.

    The model maps word ids `(batch, time)`, some of them `<mask>`, to logits
    `(batch, time, vocabulary_size)`: one distribution over the vocabulary per
    position, `P(w_k | w_1..w_{k-1}, <mask>, w_{k+1}..w_T)` at a masked
    position `k`. It is trained with sparse cross-entropy from logits and the
    sample weights of `kerasrnn.data.make_masked_token_dataset`, which are 1
    at the hidden word and 0 elsewhere, so only the hidden word is learnt.

    A unidirectional model reads left to right and so predicts the hidden word
    from the words before it only; `bidirectional=True` wraps each layer in
    `keras.layers.Bidirectional`, concatenating a forward and a backward
    reading, so the prediction at `k` sees both sides of the gap.

    `cell_type="echo_state"` builds an echo-state network: the embedding is a fixed
    random one (normal, standard deviation `1 / sqrt(embedding_dim)`, so the
    reservoir inputs stay out of tanh saturation) and each layer is a fixed
    sparse `EchoState` reservoir (the backward reservoir of a bidirectional
    layer is drawn with its own seed); only the `Dense` readout is trained.
    All fixed weights are stored in the model, so a saved model restores them.

    Args:
        vocabulary_size: number of word ids, special tokens included.
        cell_type: recurrent layer kind, one of `MASKED_WORD_KINDS`: `"lstm"`,
            `"gru"`, `"simple_rnn"`, `"layernorm_rnn"`, `"layernorm_lstm"`,
            `"layernorm_gru"` or `"echo_state"`. Keras' own LSTM and GRU are
            built with their defaults (no recurrent dropout), so they keep the
            cuDNN path on GPU. Defaults to `"lstm"`.
        embedding_dim: size of the word embedding. Defaults to 64.
        hidden_units: size of each recurrent state (per direction), or the
            number of reservoir units. Defaults to 128.
        num_layers: stacked recurrent layers. Defaults to 1.
        bidirectional: read the words in both directions. Defaults to False.
        dropout: dropout rate after each recurrent layer (not recurrent
            dropout). Defaults to 0.
        connectivity: echo state only, the fraction of non-zero recurrent
            weights of the reservoir. Defaults to 0.1.
        spectral_radius: echo state only, the largest eigenvalue modulus of
            the reservoir matrix. Defaults to 0.9.
        leak_rate: echo state only, the leak rate of the reservoir units.
            Defaults to 1.0.
        seed: echo state only, the seed of the fixed embedding and
            reservoirs (`None`: drawn from NumPy's global state, which
            `keras.utils.set_random_seed` seeds). Defaults to None.
        name: model name. Defaults to `"{bi}{cell_type}_masked_word_model"`.
        cell: deprecated name of `cell_type` (a `DeprecationWarning`; removed
            in the next release).

    Returns:
        An uncompiled `keras.Model` with output logits `(batch, time, vocabulary_size)`.

    Example:

    >>> model = build_masked_word_model(500, cell_type="gru", hidden_units=32, bidirectional=True)
    >>> model(keras.ops.ones((2, 12), "int32")).shape   # (batch, time, vocabulary)
    (2, 12, 500)

    Reference:
        - [Schuster & Paliwal, 1997. Bidirectional recurrent neural networks](
          https://doi.org/10.1109/78.650093)
        - [Devlin et al., 2019. BERT](https://arxiv.org/abs/1810.04805) (masked-word training)
    """
    cell_type = renamed_argument(cell_type, "cell_type", cell, "cell", default="lstm")
    vocabulary_size, embedding_dim, hidden_units, num_layers = check_stack_arguments(
        cell_type, MASKED_WORD_KINDS, dropout, vocabulary_size=vocabulary_size, embedding_dim=embedding_dim,
        hidden_units=hidden_units, num_layers=num_layers
    )
    prefix = f"bi{cell_type}" if bidirectional else cell_type
    echo_state = cell_type == "echo_state"

    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    embedding = keras.layers.Embedding(
        vocabulary_size, embedding_dim, trainable=not echo_state, name="embedding",
        embeddings_initializer=(
            keras.initializers.RandomNormal(stddev=embedding_dim**-0.5, seed=seed) if echo_state else "uniform"
        ),
    )
    x = embedding(inputs)  # (batch, time, embedding_dim)
    if echo_state:
        make_layer = functools.partial(_reservoir, hidden_units, connectivity, spectral_radius, leak_rate, seed)
        make_backward_layer = functools.partial(make_layer, go_backwards=True)
    else:
        def make_layer(index):
            return make_recurrent_layer(cell_type, hidden_units, return_sequences=True, name=f"{cell_type}_{index}")

        make_backward_layer = None
    x = stack_recurrent_layers(x, make_layer, num_layers, bidirectional, dropout, make_backward_layer)
    # x: (batch, time, directions * units)
    logits = keras.layers.Dense(vocabulary_size, name="logits")(x)  # (batch, time, vocabulary)
    return keras.Model(inputs, logits, name=name or f"{prefix}_masked_word_model")


def _reservoir(units, connectivity, spectral_radius, leak_rate, seed, index, go_backwards=False):
    """The fixed `EchoState` of layer `index` (each direction of each layer has its own seed)."""
    return EchoState(
        units, connectivity=connectivity, spectral_radius=spectral_radius, leak_rate=leak_rate,
        seed=None if seed is None else seed + 1 + 2 * index + int(go_backwards),
        return_sequences=True, go_backwards=go_backwards,
        name=f"backward_echo_state_{index}" if go_backwards else f"echo_state_{index}",
    )

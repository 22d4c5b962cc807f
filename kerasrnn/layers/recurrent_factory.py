"""One name for every recurrent layer the zoo can build, as the seeds' model factory does.

`make_recurrent_layer("lstm", 256)` returns `kerasrnn.layers.LSTM(256, ...)`:
Keras' own LSTM (same arguments, weights and results) that also runs PyTorch's
fused kernel on the torch backend (see `kerasrnn.layers.fused_rnn`);
`"layernorm_lstm"` the LayerNorm twin from `kerasrnn.layers`. The LSTM and
GRU keep Keras' cuDNN fast path on GPU: nothing here sets an option that
disables it (no `recurrent_dropout` unless asked for).
"""

from kerasrnn.layers import fused_rnn

RECURRENT_KINDS = (
    "lstm",
    "gru",
    "simple_rnn",
    "layernorm_rnn",
    "layernorm_lstm",
    "layernorm_gru",
)


def recurrent_layer_class(kind):
    """The layer class for a kind name listed in `RECURRENT_KINDS`."""
    if kind == "lstm":
        return fused_rnn.LSTM
    if kind == "gru":
        return fused_rnn.GRU
    if kind == "simple_rnn":
        return fused_rnn.SimpleRNN
    if kind.startswith("layernorm_"):
        from kerasrnn.layers.layer_norm_gru import LayerNormGRU
        from kerasrnn.layers.layer_norm_lstm import LayerNormLSTM
        from kerasrnn.layers.layer_norm_simple_rnn import LayerNormSimpleRNN

        return {
            "layernorm_rnn": LayerNormSimpleRNN,
            "layernorm_lstm": LayerNormLSTM,
            "layernorm_gru": LayerNormGRU,
        }[kind]
    raise ValueError(f"unknown recurrent layer kind {kind!r}; choose one of {', '.join(RECURRENT_KINDS)}")


def make_recurrent_layer(kind, units, **kwargs):
    """Build a recurrent layer by kind name, e.g. `make_recurrent_layer("gru", 128, return_sequences=True)`."""
    if kind not in RECURRENT_KINDS:
        raise ValueError(f"unknown recurrent layer kind {kind!r}; choose one of {', '.join(RECURRENT_KINDS)}")
    return recurrent_layer_class(kind)(units, **kwargs)

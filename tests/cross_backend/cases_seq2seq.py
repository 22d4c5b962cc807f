"""Cross-backend cases for the attention-free encoder-decoder (`kerasrnn.models.seq2seq.Seq2Seq`)."""

import numpy as np


def _seq2seq(cell_type, num_layers):
    def build():
        import keras

        from kerasrnn.models.seq2seq import Seq2Seq

        keras.utils.set_random_seed(5)
        model = Seq2Seq(13, 11, embedding_dim=4, hidden_units=6, num_layers=num_layers, cell_type=cell_type,
                        reverse_source=True)
        rng = np.random.default_rng(1)
        source = rng.integers(1, 13, size=(2, 5)).astype("int32")
        source[1, 3:] = 0  # padding, masked by the encoder
        target_in = rng.integers(1, 11, size=(2, 4)).astype("int32")
        return model, [source, target_in]

    return build


CASES = {
    "seq2seq_lstm_2_layers": _seq2seq("lstm", 2),
    "seq2seq_gru": _seq2seq("gru", 1),
    "seq2seq_layernorm_gru": _seq2seq("layernorm_gru", 1),
}

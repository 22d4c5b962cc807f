"""Cross-backend cases for the language models built from Keras' own recurrent layers."""

import numpy as np


def _language_model(cell_type):
    def build():
        import keras

        from kerasrnn.models import build_language_model

        keras.utils.set_random_seed(3)
        model = build_language_model(11, cell_type=cell_type, embedding_dim=4, hidden_units=6, num_layers=2)
        inputs = np.random.default_rng(0).integers(0, 11, size=(2, 5)).astype("int32")
        return model, inputs

    return build


CASES = {f"language_model_{kind}": _language_model(kind) for kind in ("lstm", "gru", "simple_rnn")}

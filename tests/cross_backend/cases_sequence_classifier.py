"""Cross-backend cases for the many-to-one classifiers: bidirectional, masked, padded inputs."""

import numpy as np


def _classifier(cell_type, num_layers):
    def build():
        import keras

        from kerasrnn.models.sequence_classifier import build_sequence_classifier

        keras.utils.set_random_seed(5)
        model = build_sequence_classifier(13, 4, cell_type=cell_type, embedding_dim=4, hidden_units=5,
                                          num_layers=num_layers, bidirectional=True)
        # Names of different lengths padded with 0, so the masked backward pass is checked too.
        inputs = np.array([[3, 7, 2, 9, 4, 0], [5, 1, 0, 0, 0, 0], [8, 12, 6, 2, 11, 10]], "int32")
        return model, inputs

    return build


CASES = {
    "bigru_classifier": _classifier("gru", num_layers=2),
    "bilstm_classifier": _classifier("lstm", num_layers=1),
}

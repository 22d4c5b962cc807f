import keras
import numpy as np
import pytest

from kerasrnn.models.sequence_classifier import build_ngram_bag_classifier
from kerasrnn.models.sequence_classifier import build_sequence_classifier
from tests.testing import assert_allclose
from tests.testing import to_numpy

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _suffix_names(count, seed):
    """Random stems ending in "ov" (class 0) or "son" (class 1), as ids 1.. padded with 0 to 8."""
    rng = np.random.default_rng(seed)
    ids = np.zeros((count, 8), "int32")
    labels = rng.integers(0, 2, count).astype("int32")
    for row, label in enumerate(labels):
        stem = "".join(rng.choice(list(LETTERS), rng.integers(2, 5)))
        name = stem + ("ov" if label == 0 else "son")
        ids[row, : len(name)] = [LETTERS.index(c) + 1 for c in name]
    return ids, labels


@pytest.mark.parametrize("cell_type, bidirectional, num_layers", [("gru", True, 2), ("lstm", False, 1)])
def test_output_shape_and_name(cell_type, bidirectional, num_layers):
    model = build_sequence_classifier(12, 5, cell_type=cell_type, embedding_dim=4, hidden_units=6,
                                      num_layers=num_layers, bidirectional=bidirectional, dropout=0.1)
    assert tuple(model(np.ones((3, 7), "int32")).shape) == (3, 5)
    assert model.name == ("bi" if bidirectional else "") + f"{cell_type}_classifier"


def test_padding_does_not_change_the_logits():
    model = build_sequence_classifier(12, 4, cell_type="gru", embedding_dim=4, hidden_units=5, num_layers=2)
    short = np.array([[3, 1, 4, 1, 5], [2, 7, 0, 0, 0]], "int32")  # the first name is not padded at all
    long = np.pad(short, ((0, 0), (0, 3)))
    assert_allclose(model(long), model(short), atol=1e-5)


def test_learns_ov_versus_son():
    keras.utils.set_random_seed(0)
    x, y = _suffix_names(256, seed=0)
    x_test, y_test = _suffix_names(64, seed=1)
    # One direction keeps this quick on PyTorch's eager loop; the bidirectional path is trained by the recipe test.
    model = build_sequence_classifier(len(LETTERS) + 1, 2, cell_type="gru", embedding_dim=8, hidden_units=8,
                                      bidirectional=False)
    model.compile(optimizer=keras.optimizers.Adam(0.03),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=10, batch_size=64, verbose=0)
    predicted = np.argmax(to_numpy(model.predict(x_test, batch_size=64, verbose=0)), axis=-1)
    assert np.mean(predicted == y_test) >= 0.95


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_classes": 1}, "num_classes=1"),
        ({"vocabulary_size": 0}, "vocabulary_size=0"),
        ({"hidden_units": 2.5}, "hidden_units=2.5"),
        ({"cell_type": "transformer"}, "cell_type='transformer'"),
        ({"dropout": 1.0}, "dropout=1.0"),
    ],
)
def test_bad_arguments(kwargs, message):
    arguments = {"vocabulary_size": 10, "num_classes": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        build_sequence_classifier(**arguments)


def test_char_ngram_features_beside_the_recurrent_state(tmp_path):
    model = build_sequence_classifier(12, 4, embedding_dim=4, hidden_units=5, ngram_filters=3, dropout=0.1)
    assert model.get_layer("char_ngrams").widths == (2, 3, 4)
    short = np.array([[3, 1, 4, 1, 5], [2, 7, 0, 0, 0]], "int32")
    long = np.pad(short, ((0, 0), (0, 3)))
    assert_allclose(model(long), model(short), atol=1e-5)
    model.save(tmp_path / "model.keras")
    assert_allclose(keras.saving.load_model(tmp_path / "model.keras")(long), model(long), atol=1e-6)
    with pytest.raises(ValueError, match="ngram_filters=-2"):
        build_sequence_classifier(12, 4, ngram_filters=-2)


def test_the_ngram_bag_classifier_learns_ov_versus_son_and_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    x, y = _suffix_names(256, seed=0)
    x_test, y_test = _suffix_names(64, seed=1)
    model = build_ngram_bag_classifier(len(LETTERS) + 1, 2, embedding_dim=8, buckets=512, dropout=0.1)
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=10, batch_size=64, verbose=0)
    predicted = np.argmax(to_numpy(model.predict(x_test, batch_size=64, verbose=0)), axis=-1)
    assert np.mean(predicted == y_test) >= 0.95
    assert_allclose(model(np.pad(x_test, ((0, 0), (0, 3)))), model(x_test), atol=1e-6)
    model.save(tmp_path / "model.keras")
    assert_allclose(keras.saving.load_model(tmp_path / "model.keras")(x_test), model(x_test), atol=1e-6)
    with pytest.raises(ValueError, match="num_classes=1"):
        build_ngram_bag_classifier(10, 1)

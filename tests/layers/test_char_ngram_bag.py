import keras
import numpy as np
import pytest

from kerasrnn.layers import CharNgramBag
from tests.testing import assert_allclose
from tests.testing import fit_loss_drop
from tests.testing import run_layer_test
from tests.testing import to_numpy


def reference_ngrams(ids, vocabulary_size, buckets, widths):
    """The buckets of a name's n-grams, in plain Python: marks, then the rolling hash of the docstring."""
    marked = [vocabulary_size] + [i for i in ids if i != 0] + [vocabulary_size + 1]
    found = []
    for width in widths:
        for start in range(len(marked) - width + 1):
            h = width
            for c in marked[start: start + width]:
                h = (h * (vocabulary_size + 2) + c) % buckets
            found.append(h)
    return found


def test_output_shape_config_saving_and_training():
    ids = np.array([[3, 4, 5, 0, 0], [1, 2, 2, 2, 6], [7, 0, 0, 0, 0]], "int32")
    model = run_layer_test(CharNgramBag, {"vocabulary_size": 8, "buckets": 64, "embedding_dim": 5,
                                          "widths": (1, 3), "name": "bag"}, ids, expected_output_shape=(3, 5))
    config = model.get_layer("bag").get_config()
    assert config["buckets"] == 64 and config["widths"] == [1, 3] and config["vocabulary_size"] == 8


def test_the_output_is_the_mean_embedding_of_the_reference_ngrams():
    layer = CharNgramBag(vocabulary_size=11, buckets=97, embedding_dim=4, widths=(1, 2, 3, 4))
    ids = np.array([[5, 3, 9, 9, 2, 0, 0], [10, 1, 0, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0, 0]], "int32")
    outputs = to_numpy(layer(ids))
    table = to_numpy(layer.embeddings)
    for row, output in zip(ids, outputs):
        found = reference_ngrams(row.tolist(), 11, 97, (1, 2, 3, 4))
        assert_allclose(output, table[found].mean(axis=0))
    ngrams, valid = layer.ngram_ids(ids)
    first = to_numpy(ngrams)[0][to_numpy(valid)[0]]
    assert sorted(first.tolist()) == sorted(reference_ngrams(ids[0].tolist(), 11, 97, (1, 2, 3, 4)))


def test_padding_does_not_change_the_features():
    layer = CharNgramBag(vocabulary_size=9, buckets=50, embedding_dim=3)
    ids = np.array([[1, 2, 3], [4, 5, 0]], "int32")
    assert_allclose(layer(np.pad(ids, ((0, 0), (0, 6)))), layer(ids))
    assert_allclose(layer(ids[1:, :2]), layer(ids[1:]))


def test_a_linear_classifier_on_the_bag_learns_suffixes():
    # Class 1 names end in "ov", class 0 names in "ez"; the stems are random, so only the end n-grams tell.
    rng = np.random.default_rng(0)
    stems = rng.integers(1, 7, size=(64, 4))
    labels = rng.integers(0, 2, size=64)
    endings = np.where(labels[:, None] == 1, [[7, 8]], [[9, 10]])
    ids = np.concatenate([stems, endings, np.zeros((64, 2), int)], axis=1).astype("int32")
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None,), dtype="int32")
    outputs = keras.layers.Dense(2)(CharNgramBag(vocabulary_size=11, buckets=256, embedding_dim=8)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(0.05), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    first, last = fit_loss_drop(model, ids, labels, epochs=30)
    assert last < 0.5 * first
    assert model.evaluate(ids, labels, verbose=0)[1] == 1.0


@pytest.mark.parametrize("kwargs, message", [
    ({"vocabulary_size": 0}, "vocabulary_size=0"), ({"vocabulary_size": 5, "buckets": 0}, "buckets=0"),
    ({"vocabulary_size": 5, "widths": ()}, "widths=()"),
    ({"vocabulary_size": 70_000, "buckets": 2**15}, "below 2\\*\\*31.*vocabulary_size=70000"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CharNgramBag(**kwargs)

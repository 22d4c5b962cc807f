import keras
import numpy as np
import pytest

from kerasrnn.layers.skip_gram import SkipGramLoss
from kerasrnn.layers.skip_gram import SkipGramNegativeSampling
from tests.testing import assert_allclose
from tests.testing import run_layer_test
from tests.testing import to_numpy

VOCABULARY_SIZE, DIM, BATCH, NEGATIVES = 11, 4, 5, 3


def _ids():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, VOCABULARY_SIZE, size=(BATCH,)).astype("int32")
    contexts = rng.integers(0, VOCABULARY_SIZE, size=(BATCH, 1 + NEGATIVES)).astype("int32")
    return targets, contexts


def _labels():
    labels = np.zeros((BATCH, 1 + NEGATIVES), "float32")
    labels[:, 0] = 1.0
    return labels


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)


def test_logits_are_dot_products_of_the_two_tables():
    layer = SkipGramNegativeSampling(
        VOCABULARY_SIZE, DIM, target_initializer="random_normal", context_initializer="random_normal"
    )
    targets, contexts = _ids()
    logits = layer((targets, contexts))
    U = to_numpy(layer.target_embedding.embeddings)
    V = to_numpy(layer.context_embedding.embeddings)
    expected = np.einsum("bd,bkd->bk", U[targets], V[contexts])  # (batch, 1 + negatives)
    assert logits.shape == (BATCH, 1 + NEGATIVES)
    assert_allclose(logits, expected)
    assert_allclose(layer((targets[:, None], contexts)), expected)  # (batch, 1) targets too
    assert [w.path.split("/", 1)[1] for w in layer.weights] == [
        "target_embedding/embeddings",
        "context_embedding/embeddings",
    ]


def test_default_initialization_is_word2vec_and_seeded():
    layer = SkipGramNegativeSampling(200, 8, seed=7)
    layer.build()
    U = to_numpy(layer.target_embedding.embeddings)
    assert np.abs(U).max() <= 0.5 / 8 and np.abs(U).max() > 0.4 / 8
    np.testing.assert_array_equal(to_numpy(layer.context_embedding.embeddings), 0.0)
    again = SkipGramNegativeSampling(200, 8, seed=7)
    again.build()
    np.testing.assert_array_equal(to_numpy(again.target_embedding.embeddings), U)


def test_loss_matches_the_sgns_formula():
    logits = np.random.default_rng(1).normal(scale=3.0, size=(BATCH, 1 + NEGATIVES)).astype("float32")
    per_example = -_log_sigmoid(logits[:, 0]) - _log_sigmoid(-logits[:, 1:]).sum(axis=1)
    assert_allclose(SkipGramLoss()(_labels(), logits), per_example.mean())
    assert_allclose(SkipGramLoss(reduction=None)(_labels(), logits), per_example)
    # Per column it is binary cross-entropy on logits, summed instead of averaged.
    bce = keras.losses.BinaryCrossentropy(from_logits=True)(_labels(), logits)
    assert_allclose(SkipGramLoss()(_labels(), logits), (1 + NEGATIVES) * to_numpy(bce), atol=1e-4)


def test_loss_is_stable_for_extreme_logits():
    logits = np.array([[100.0, -100.0], [-100.0, 100.0]], "float32")
    labels = np.array([[1.0, 0.0], [1.0, 0.0]], "float32")
    losses = to_numpy(SkipGramLoss(reduction=None)(labels, logits))
    assert np.all(np.isfinite(losses))
    assert_allclose(losses, [0.0, 200.0], atol=1e-3)


def test_layer_config_saving_and_training():
    arguments = dict(context_initializer="ones", seed=3, name="sgns")
    run_layer_test(SkipGramNegativeSampling, {"vocabulary_size": VOCABULARY_SIZE, "embedding_dim": DIM, **arguments},
                   _ids(), expected_output_shape=(BATCH, 1 + NEGATIVES))
    restored = SkipGramNegativeSampling.from_config(SkipGramNegativeSampling(VOCABULARY_SIZE, DIM, seed=3).get_config())
    assert restored.get_config()["target_initializer"] is None and restored.seed == 3


def test_loss_serializes():
    loss = keras.losses.deserialize(keras.losses.serialize(SkipGramLoss(name="sgns_loss")))
    assert isinstance(loss, SkipGramLoss) and loss.name == "sgns_loss"
    logits = np.random.default_rng(2).normal(size=(BATCH, 1 + NEGATIVES)).astype("float32")
    assert_allclose(loss(_labels(), logits), SkipGramLoss()(_labels(), logits))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"vocabulary_size": 0, "embedding_dim": 4}, "vocabulary_size=0"),
        ({"vocabulary_size": 10.0, "embedding_dim": 4}, "vocabulary_size=10.0"),
        ({"vocabulary_size": 10, "embedding_dim": -2}, "embedding_dim=-2"),
        ({"vocabulary_size": 10, "embedding_dim": True}, "embedding_dim=True"),
        ({"vocabulary_size": 10, "embedding_dim": 4, "seed": "x"}, "seed='x'"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SkipGramNegativeSampling(**kwargs)

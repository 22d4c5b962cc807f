import numpy as np
import pytest

from kerasrnn.metrics.masked_words import evaluate_masked_words
from kerasrnn.metrics.masked_words import log_softmax


class _Batches:
    """What `evaluate_masked_words` reads from a dataset: `as_numpy_iterator()` of `(x, y, weight)`."""

    def __init__(self, *batches):
        self.batches = batches

    def as_numpy_iterator(self):
        return iter(self.batches)


class _FixedModel:
    """Logits that put 3:1 odds on id 2 at every position of a 3-word vocabulary."""

    def predict_on_batch(self, x):
        logits = np.log(np.array([1.0, 1.0, 6.0]))  # softmax: 1/8, 1/8, 6/8
        return np.broadcast_to(logits, x.shape + (3,))


def test_log_softmax_is_stable_and_normalised():
    values = log_softmax([[1000.0, 1000.0 + np.log(3.0)]])
    np.testing.assert_allclose(np.exp(values), [[0.25, 0.75]])


def test_scores_count_the_masked_positions_only_and_skip_ignored_targets():
    x = np.zeros((2, 3), "int32")
    y = np.array([[2, 0, 0], [0, 1, 0]])
    weight = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])  # targets 2, 0 and 1 (1 is <unk>: ignored)
    scores = evaluate_masked_words(_FixedModel(), _Batches((x, y, weight)))
    assert scores["count"] == 2 and scores["accuracy"] == 0.5
    assert scores["nats"] == pytest.approx(-(np.log(0.75) + np.log(0.125)) / 2)
    assert scores["perplexity"] == pytest.approx(np.exp(scores["nats"]))
    with pytest.raises(ValueError, match="no masked word"):
        evaluate_masked_words(_FixedModel(), _Batches(), ignore_ids=())

import numpy as np
import pytest

from kerasrnn.metrics.classification import accuracy
from kerasrnn.metrics.classification import confusion_matrix
from kerasrnn.metrics.classification import ensemble_probabilities
from kerasrnn.metrics.classification import expected_calibration_error
from kerasrnn.metrics.classification import f1_scores
from kerasrnn.metrics.classification import fit_temperature
from kerasrnn.metrics.classification import macro_f1
from kerasrnn.metrics.classification import normalize_rows

# Worked by hand:            true 0: predicted 0, 1, 0   true 1: 1, 2   true 2: 2, 2, 0, 2
Y_TRUE = [0, 0, 0, 1, 1, 2, 2, 2, 2]
Y_PRED = [0, 1, 0, 1, 2, 2, 2, 0, 2]
MATRIX = [[2, 1, 0], [0, 1, 1], [1, 0, 3]]
# F1 = 2TP / (2TP + FP + FN): class 0: 4/6, class 1: 2/4, class 2: 6/8.
F1 = [4 / 6, 2 / 4, 6 / 8]


def test_hand_computed_example():
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED, num_classes=3), MATRIX)
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(6 / 9)
    np.testing.assert_allclose(f1_scores(Y_TRUE, Y_PRED, num_classes=3), F1)
    assert macro_f1(Y_TRUE, Y_PRED) == pytest.approx(23 / 36)


def test_matches_a_direct_numpy_count_on_random_labels():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    matrix = confusion_matrix(y_true, y_pred, num_classes=6)
    for i in range(6):
        for j in range(6):
            assert matrix[i, j] == np.sum((y_true == i) & (y_pred == j))
    expected = []
    for k in range(5):  # class 5 never occurs, so macro-F1 averages over 0..4
        tp, fp, fn = np.sum((y_true == k) & (y_pred == k)), np.sum((y_true != k) & (y_pred == k)), np.sum(
            (y_true == k) & (y_pred != k))
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        expected.append(2 * precision * recall / (precision + recall))
    assert macro_f1(y_true, y_pred) == pytest.approx(np.mean(expected))


def test_agrees_with_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.integers(0, 7, 500), rng.integers(1, 7, 500)
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, 7), metrics.confusion_matrix(y_true, y_pred))
    assert macro_f1(y_true, y_pred) == pytest.approx(metrics.f1_score(y_true, y_pred, average="macro"))


def test_absent_classes_score_zero_and_do_not_count_in_macro_f1():
    np.testing.assert_array_equal(f1_scores([0, 2], [0, 2], num_classes=3), [1.0, 0.0, 1.0])
    assert macro_f1([0, 2], [0, 2]) == 1.0
    assert macro_f1([0, 0], [0, 1]) == pytest.approx((2 / 3 + 0) / 2)  # a class only predicted counts


def test_normalize_rows():
    shares = normalize_rows([[2, 2], [0, 0]])
    np.testing.assert_allclose(shares, [[0.5, 0.5], [0.0, 0.0]])
    np.testing.assert_allclose(normalize_rows(MATRIX).sum(axis=1), 1.0)


def test_expected_calibration_error_by_hand():
    # Confidences 0.95 (right), 0.85 (wrong), 0.62 (right), 0.58 (right).
    y_true = [0, 0, 0, 1]
    probabilities = [[0.95, 0.05], [0.15, 0.85], [0.62, 0.38], [0.42, 0.58]]
    # Ten bins: each example alone in its bin, so ECE is the mean |correct - confidence|.
    expected = (0.05 + 0.85 + 0.38 + 0.42) / 4
    assert expected_calibration_error(y_true, probabilities, num_bins=10) == pytest.approx(expected)
    # Two bins: all four in (0.5, 1], accuracy 3/4 = mean confidence 3.0/4, so the gaps cancel.
    assert expected_calibration_error(y_true, probabilities, num_bins=2) == pytest.approx(0.0)
    # Five bins: (0.8, 1] holds 0.95 and 0.85 (accuracy 1/2, confidence 0.9), (0.4, 0.6] holds 0.58, (0.6, 0.8] 0.62.
    expected = (2 * abs(0.5 - 0.9) + abs(1 - 0.58) + abs(1 - 0.62)) / 4
    assert expected_calibration_error(y_true, probabilities, num_bins=5) == pytest.approx(expected)
    assert expected_calibration_error([1, 0], [[0.0, 1.0], [1.0, 0.0]]) == 0.0  # sure and right


def test_expected_calibration_error_matches_a_direct_loop():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(400, 5)) * 2
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y_true = rng.integers(0, 5, 400)
    confidence, correct = probabilities.max(axis=1), probabilities.argmax(axis=1) == y_true
    expected = 0.0
    for low in np.arange(15) / 15:
        inside = (confidence > low) & (confidence <= low + 1 / 15)
        if inside.any():
            expected += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    assert expected_calibration_error(y_true, probabilities) == pytest.approx(expected)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: accuracy([0, 1], [0]), "same length"),
        (lambda: accuracy([], []), "empty"),
        (lambda: confusion_matrix([0, 3], [0, 1], num_classes=3), "num_classes=3"),
        (lambda: confusion_matrix([0.5], [0]), "integer class ids"),
        (lambda: f1_scores([-1], [0]), "class ids >= 0"),
        (lambda: expected_calibration_error([0], [0.5, 0.5]), "shape \\(examples, classes\\)"),
        (lambda: expected_calibration_error([0], [[1.5, -0.5]]), "in \\[0, 1\\]"),
        (lambda: expected_calibration_error([0], [[0.5, 0.5]], num_bins=0), "num_bins=0"),
        (lambda: expected_calibration_error([0, 1], [[0.5, 0.5]]), "same length"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_temperature_scaling_lowers_the_negative_log_likelihood_of_overconfident_logits():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=400)
    logits = rng.normal(size=(400, 4))
    logits[np.arange(400), labels] += 1.0
    overconfident = 8.0 * logits  # right about 60% of the time, but sure of itself

    def nll(temperature):
        return -np.mean(np.log(ensemble_probabilities(overconfident, temperature)[np.arange(400), labels]))

    temperature = fit_temperature(overconfident, labels)
    assert temperature > 2 and nll(temperature) < nll(1.0) - 0.5
    assert nll(temperature) <= min(nll(temperature * 1.05), nll(temperature / 1.05)) + 1e-9  # a minimum
    np.testing.assert_allclose(ensemble_probabilities(overconfident[None], 1.0), ensemble_probabilities(
        overconfident, 1.0))


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), float("inf"), True, "2"])
def test_ensemble_probabilities_rejects_a_bad_temperature(temperature):
    with pytest.raises(ValueError, match="temperature="):
        ensemble_probabilities([[0.0, 1.0]], temperature)

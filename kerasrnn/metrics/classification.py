"""Classification metrics in NumPy: accuracy, per-class and macro F1, calibration, confusion matrices.

They take integer class ids (`y_true`, `y_pred`), so they serve any
classifier whatever the backend: compute predictions with
`argmax(model.predict(x), -1)` and pass plain arrays.

Accuracy counts every example once, so a large class dominates it; macro-F1
averages the per-class F1 scores, so every class counts the same. Reporting
both shows what class weighting trades: more correct rare-class predictions
for a few more mistakes on the large class. The expected calibration error
says whether the predicted probabilities can be read as probabilities.
"""

import numpy as np

from kerasrnn.utils.validation import check_finite_positive_number
from kerasrnn.utils.validation import check_int_in_range
from kerasrnn.utils.validation import check_positive_int


def _check_labels(y_true, y_pred):
    y_true = np.asarray(y_true).reshape(-1)
    y_pred = np.asarray(y_pred).reshape(-1)
    if len(y_true) != len(y_pred):
        raise ValueError(f"`y_true` and `y_pred` must have the same length, received {len(y_true)} and {len(y_pred)}")
    if len(y_true) == 0:
        raise ValueError("`y_true` is empty: nothing to score")
    for arg, values in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(values.dtype, np.integer):
            raise ValueError(f"`{arg}` must hold integer class ids, received dtype {values.dtype}")
        if values.min() < 0:
            raise ValueError(f"`{arg}` must hold class ids >= 0, received {values.min()}")
    return y_true.astype("int64"), y_pred.astype("int64")


def accuracy(y_true, y_pred):
    """The share of examples whose predicted class is the true class.

    Example:

    >>> accuracy([0, 1, 1, 2], [0, 1, 2, 2])
    0.75
    """
    y_true, y_pred = _check_labels(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, num_classes=None):
    """Counts `matrix[i, j]` of examples of true class `i` predicted as class `j`.

    Args:
        y_true: integer class ids, shape `(n,)`.
        y_pred: integer class ids, shape `(n,)`.
        num_classes: size of the matrix. Defaults to `None` (one more than the
            largest id seen).

    Returns:
        An int64 array `(num_classes, num_classes)`; rows are true classes.

    Example:

    >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1], num_classes=3)
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 1, 0]])
    """
    y_true, y_pred = _check_labels(y_true, y_pred)
    largest = int(max(y_true.max(), y_pred.max()))
    if num_classes is None:
        num_classes = largest + 1
    else:
        num_classes = check_int_in_range(num_classes, "num_classes", largest + 1)  # more than every class id
    counts = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def f1_scores(y_true, y_pred, num_classes=None):
    """Per-class F1 `2 TP / (2 TP + FP + FN)`; 0 for a class never true nor predicted.

    Returns:
        A float64 array `(num_classes,)`.

    Example:

    >>> f1_scores([0, 0, 1, 2], [0, 1, 1, 1], num_classes=3).round(3)
    array([0.667, 0.5  , 0.   ])
    """
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    true_positives = np.diag(matrix).astype("float64")
    denominator = matrix.sum(axis=0) + matrix.sum(axis=1)  # (2 TP + FP + FN) per class
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, 2 * true_positives / denominator, 0.0)


def macro_f1(y_true, y_pred):
    """The mean per-class F1 over the classes that occur in `y_true` or `y_pred`.

    Every class counts the same however many examples it has (scikit-learn's
    `f1_score(..., average="macro")`).

    Example:

    >>> round(macro_f1([0, 0, 1, 2], [0, 1, 1, 1]), 4)   # (2/3 + 1/2 + 0) / 3
    0.3889
    """
    y_true, y_pred = _check_labels(y_true, y_pred)
    present = np.union1d(y_true, y_pred)
    return float(np.mean(f1_scores(y_true, y_pred)[present]))


def expected_calibration_error(y_true, probabilities, num_bins=15):
    """How far the predicted probabilities are from the observed accuracy (0 is perfectly calibrated).

    Each example's confidence is its largest probability and its prediction
    the class of that probability. Examples are grouped into `num_bins`
    equal-width confidence bins `(0, 1/M], (1/M, 2/M], ..., ((M-1)/M, 1]`, and

        ECE = sum_b (|B_b| / n) * |accuracy(B_b) - mean confidence(B_b)|

    A model that says 0.8 should be right 8 times in 10 on such examples.

    Args:
        y_true: integer class ids, shape `(n,)`.
        probabilities: class probabilities, shape `(n, num_classes)` (rows of a softmax).
        num_bins: the number of confidence bins `M`. Defaults to 15.

    Returns:
        A float in [0, 1].

    Reference:
        C. Guo, G. Pleiss, Y. Sun, K. Q. Weinberger, [On calibration of modern neural networks](
        https://arxiv.org/abs/1706.04599) (2017).

    Example:

    >>> round(expected_calibration_error([0, 1], [[0.9, 0.1], [0.7, 0.3]], num_bins=10), 4)  # (0.1 + 0.7) / 2
    0.4
    """
    probabilities = np.asarray(probabilities, dtype="float64")
    if probabilities.ndim != 2:
        raise ValueError(f"`probabilities` must have shape (examples, classes), received shape {probabilities.shape}")
    if not np.all(np.isfinite(probabilities)) or probabilities.min() < 0 or probabilities.max() > 1:
        raise ValueError("`probabilities` must hold numbers in [0, 1], received values from "
                         f"{np.nanmin(probabilities)} to {np.nanmax(probabilities)}")
    num_bins = check_positive_int(num_bins, "num_bins")
    predicted = np.argmax(probabilities, axis=-1)
    y_true, predicted = _check_labels(y_true, predicted)
    confidence = probabilities.max(axis=-1)
    correct = (predicted == y_true).astype("float64")
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    bins = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, num_bins - 1)  # (lo, hi] -> bin
    counts = np.bincount(bins, minlength=num_bins)
    gaps = np.abs(np.bincount(bins, correct, minlength=num_bins) - np.bincount(bins, confidence, minlength=num_bins))
    return float(gaps.sum() / counts.sum())


def normalize_rows(matrix):
    """Divide each row of a confusion matrix by its sum (a row with no examples stays 0).

    Row `i` then reads: of the examples of class `i`, the share predicted as each class
    (the diagonal is the per-class recall).
    """
    matrix = np.asarray(matrix, dtype="float64")
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _softmax(logits):
    logits = np.asarray(logits, "float64")
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def ensemble_probabilities(member_logits, temperature=1.0):
    """The mean over members of `softmax(logits / temperature)`.

    Args:
        member_logits: logits `(members, batch, classes)` (or `(batch, classes)`
            for one model).
        temperature: a positive number dividing every logit; above 1 flattens
            the probabilities, below 1 sharpens them. Defaults to 1.

    Returns:
        Probabilities `(batch, classes)`, float64, each row summing to 1.

    Example:

    >>> ensemble_probabilities([[[0.0, 0.0]], [[np.log(3.0), 0.0]]]).round(3).tolist()
    [[0.625, 0.375]]
    """
    temperature = check_finite_positive_number(temperature, "temperature")
    member_logits = np.asarray(member_logits, "float64")
    if member_logits.ndim == 2:
        member_logits = member_logits[None]
    return _softmax(member_logits / temperature).mean(axis=0)


def fit_temperature(member_logits, labels, low=0.05, high=20.0):
    """The temperature that minimises the negative log-likelihood of `labels` (temperature scaling).

    One number divides the logits of every member before the softmax and
    the average; it changes how confident the probabilities are, barely the
    ranking. Fitted on held-out (validation) names, it makes the
    probabilities more honest (a lower expected calibration error). The
    search is a golden-section search on `log(temperature)` over
    `[low, high]` (the NLL is unimodal in the temperature for one model).

    Args:
        member_logits: logits `(members, batch, classes)` or `(batch, classes)`.
        labels: the true class ids `(batch,)`.
        low: the smallest temperature tried. Defaults to 0.05.
        high: the largest temperature tried. Defaults to 20.

    Returns:
        The fitted temperature, a float in `[low, high]`.

    Reference:
        Guo et al., 2017, "On Calibration of Modern Neural Networks".
    """
    labels = np.asarray(labels).reshape(-1).astype("int64")
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, received: low={low!r}, high={high!r}")
    member_logits = np.asarray(member_logits, "float64")
    if member_logits.shape[-2] != len(labels):
        raise ValueError(f"got logits for {member_logits.shape[-2]} names but {len(labels)} labels")

    def nll(log_temperature):
        probabilities = ensemble_probabilities(member_logits, float(np.exp(log_temperature)))
        return -np.mean(np.log(np.maximum(probabilities[np.arange(len(labels)), labels], 1e-300)))

    a, b = np.log(low), np.log(high)
    ratio = (np.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    f_c, f_d = nll(c), nll(d)
    for _ in range(60):
        if f_c < f_d:
            b, d, f_d = d, c, f_c
            c = b - ratio * (b - a)
            f_c = nll(c)
        else:
            a, c, f_c = c, d, f_d
            d = a + ratio * (b - a)
            f_d = nll(d)
    return float(np.exp((a + b) / 2))

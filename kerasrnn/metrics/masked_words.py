"""Masked-word scores: top-1 accuracy and perplexity at the masked positions of a dataset."""

import numpy as np


def log_softmax(logits):
    """`log(softmax(logits))` over the last axis, in float64 NumPy, stable for large logits.

    Example:

    >>> np.exp(log_softmax([[0.0, np.log(3.0)]])).round(3).tolist()
    [[0.25, 0.75]]
    """
    logits = np.asarray(logits, "float64")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def evaluate_masked_words(model, dataset, ignore_ids=(1,)):
    """Top-1 accuracy and perplexity of a masked-word model at the masked positions of `dataset`.

    Args:
        model: a model mapping ids `(batch, time)` to logits `(batch, time, vocabulary)`.
        dataset: batches `(x, y, sample_weight)` as made by
            `kerasrnn.data.make_masked_token_dataset` (weight 1 at the masked word).
        ignore_ids: target ids left out of the scores. Defaults to `(1,)`
            (`<unk>`: a rare word the model cannot name).

    Returns:
        A dict with `accuracy`, `nats` (mean negative log-likelihood of the
        hidden word, softmax over the whole vocabulary), `perplexity` (its
        exponential) and `count` (masked words scored).
    """
    correct, nats, count = 0, 0.0, 0
    for x, y, weight in dataset.as_numpy_iterator():
        logits = np.asarray(model.predict_on_batch(x))  # (batch, time, vocabulary)
        rows, positions = np.nonzero(weight > 0)
        targets = y[rows, positions]
        keep = ~np.isin(targets, list(ignore_ids))
        rows, positions, targets = rows[keep], positions[keep], targets[keep]
        log_probs = log_softmax(logits[rows, positions])  # (masked, vocabulary)
        correct += int(np.sum(log_probs.argmax(axis=-1) == targets))
        nats -= float(np.sum(log_probs[np.arange(len(targets)), targets]))
        count += len(targets)
    if count == 0:
        raise ValueError("the dataset holds no masked word to score (all were ignored or it is empty)")
    return {"accuracy": correct / count, "nats": nats / count, "perplexity": float(np.exp(nats / count)),
            "count": count}

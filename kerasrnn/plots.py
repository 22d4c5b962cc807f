"""Figures the recipes save: confusion matrices and word maps, written as PNG files atomically.

Matplotlib is imported on first use (with the non-interactive Agg backend), so
importing this module costs nothing.
"""

import numpy as np

from kerasrnn.io_utils import save_figure
from kerasrnn.metrics.classification import normalize_rows


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_confusion_matrix(matrix, labels, path, title=None):
    """Draw a row-normalised confusion matrix with class names to a PNG, atomically.

    Args:
        matrix: counts `(num_classes, num_classes)`, rows are true classes
            (from `kerasrnn.metrics.confusion_matrix`).
        labels: one name per class, in id order.
        path: the PNG file to write.
        title: optional figure title.

    Returns:
        `path`.

    Example:

    ```python
    matrix = confusion_matrix(y_true, y_pred, num_classes=len(languages))
    plot_confusion_matrix(matrix, languages, "confusion_matrix.png")
    ```
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"`matrix` must be square, received shape {matrix.shape}")
    if len(labels) != matrix.shape[0]:
        raise ValueError(f"`labels` must name all {matrix.shape[0]} classes, received {len(labels)} labels")
    plt = _pyplot()
    shares = normalize_rows(matrix)
    size = 2.5 + 0.42 * len(labels)
    figure, axis = plt.subplots(figsize=(size + 1.2, size))
    image = axis.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    axis.set_xticks(range(len(labels)), labels, rotation=90)
    axis.set_yticks(range(len(labels)), labels)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true (each row sums to 1)")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if shares[i, j] >= 0.005:
                axis.text(j, i, f"{shares[i, j]:.2f}"[1:] if shares[i, j] < 1 else "1", ha="center", va="center",
                          fontsize=7, color="white" if shares[i, j] > 0.5 else "black")
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)
    if title:
        axis.set_title(title)
    save_figure(figure, path)
    return path


def project_2d(vectors):
    """PCA with NumPy: the rows of `vectors` on their first two principal components.

    Rows are scaled to unit length first, so that the picture follows cosine
    similarity rather than vector length (frequent words have longer vectors).

    Args:
        vectors: an array `(n, dim)` with `n >= 2`.

    Returns:
        A float64 array `(n, 2)`.
    """
    vectors = np.asarray(vectors, dtype="float64")
    if vectors.ndim != 2 or len(vectors) < 2:
        raise ValueError(f"`vectors` must be an (n, dim) array with n >= 2, received shape {vectors.shape}")
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    centered = unit - unit.mean(axis=0)
    _, _, components = np.linalg.svd(centered, full_matrices=False)  # rows: principal directions
    return centered @ components[:2].T  # (n, 2)


def plot_word_map(word_vectors, words, path, title=None):
    """Plot `words` at their 2-D PCA coordinates (`project_2d`) to a PNG, atomically.

    Args:
        word_vectors: a `kerasrnn.tasks.WordVectors` (anything with `vector(word)`).
        words: the words to show (each must be in the vocabulary).
        path: the PNG file to write.
        title: optional figure title.

    Returns:
        `path`.
    """
    plt = _pyplot()
    words = list(words)
    points = project_2d(np.stack([word_vectors.vector(word) for word in words]))
    figure, axis = plt.subplots(figsize=(11, 9))
    axis.scatter(points[:, 0], points[:, 1], s=6, color="tab:blue", alpha=0.5)
    for word, (x, y) in zip(words, points):
        axis.annotate(word, (x, y), fontsize=8, xytext=(2, 2), textcoords="offset points")
    axis.set_xlabel("first principal component")
    axis.set_ylabel("second principal component")
    axis.grid(alpha=0.2)
    if title:
        axis.set_title(title)
    save_figure(figure, path, dpi=100)
    return path

import numpy as np
import pytest

from kerasrnn.plots import plot_confusion_matrix
from kerasrnn.plots import plot_word_map
from kerasrnn.plots import project_2d

MATRIX = [[2, 1, 0], [0, 1, 1], [1, 0, 3]]
WORDS = ["king", "queen", "duke", "love", "hate", "sword", "night", "day", "gold", "o'er"]


class _Vectors:
    """What `plot_word_map` reads: `vector(word)`."""

    def __init__(self, seed=0, dim=6):
        rng = np.random.default_rng(seed)
        self.vectors = {word: rng.normal(size=dim).astype("float32") for word in WORDS}

    def vector(self, word):
        return self.vectors[word]


def _unit(vectors):
    vectors = np.asarray(vectors, "float64")
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def test_plot_confusion_matrix_writes_a_png_atomically(tmp_path):
    path = tmp_path / "plots" / "confusion_matrix.png"
    assert plot_confusion_matrix(np.array(MATRIX), ["Czech", "Greek", "Irish"], path, title="test") == path
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["confusion_matrix.png"]  # no temporary file left
    with pytest.raises(ValueError, match="name all 3 classes"):
        plot_confusion_matrix(np.array(MATRIX), ["Czech"], path)


def test_projection_is_pca_and_the_map_is_a_png(tmp_path):
    rng = np.random.default_rng(1)
    data = rng.normal(size=(40, 5)) * np.array([5.0, 2.0, 1.0, 0.5, 0.1])
    points = project_2d(data)
    centered = _unit(data) - _unit(data).mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(centered.T))
    top2 = eigenvectors[:, np.argsort(eigenvalues)[::-1][:2]]
    expected = centered @ top2
    np.testing.assert_allclose(np.abs(points), np.abs(expected), atol=1e-8)  # up to the sign of each axis
    assert points[:, 0].var() >= points[:, 1].var()
    path = plot_word_map(_Vectors(), WORDS, tmp_path / "map.png", title="test")
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG" and path == tmp_path / "map.png"
    with pytest.raises(ValueError, match="n >= 2"):
        project_2d(data[:1])

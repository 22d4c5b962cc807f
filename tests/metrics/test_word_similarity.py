import numpy as np
import pytest
import scipy.stats

from kerasrnn.metrics.word_similarity import evaluate_word_pairs
from kerasrnn.metrics.word_similarity import rank_data
from kerasrnn.metrics.word_similarity import read_word_pairs
from kerasrnn.metrics.word_similarity import spearman_correlation
from kerasrnn.metrics.word_similarity import word_similarity_benchmarks


def test_ranks_share_ties_like_scipy():
    assert rank_data([10.0, 30.0, 20.0, 30.0]).tolist() == [1.0, 3.5, 2.0, 3.5]
    assert rank_data([5, 5, 5]).tolist() == [2.0, 2.0, 2.0]
    values = np.random.default_rng(0).integers(0, 6, size=200)  # many ties
    np.testing.assert_array_equal(rank_data(values), scipy.stats.rankdata(values))


def test_spearman_hand_computed():
    # ranks of y: 1 2 4 3; sum d^2 = 2; rho = 1 - 6 * 2 / (4 * 15) = 0.8
    assert spearman_correlation([1, 2, 3, 4], [10, 20, 40, 30]) == pytest.approx(0.8)
    assert spearman_correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spearman_matches_scipy_with_and_without_ties(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=300)
    y = 0.5 * x + rng.normal(size=300)
    assert spearman_correlation(x, y) == pytest.approx(scipy.stats.spearmanr(x, y).statistic, abs=1e-12)
    x_tied, y_tied = np.round(x), rng.integers(0, 4, size=300) + np.round(x)  # heavy ties on both sides
    expected = scipy.stats.spearmanr(x_tied, y_tied).statistic
    assert spearman_correlation(x_tied, y_tied) == pytest.approx(expected, abs=1e-12)


def test_spearman_edge_cases():
    assert np.isnan(spearman_correlation([1, 1, 1], [1, 2, 3]))  # constant: undefined, like scipy
    with pytest.raises(ValueError, match="same length, received 3 and 2"):
        spearman_correlation([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least 2 pairs, received 1"):
        spearman_correlation([1], [1])
    with pytest.raises(ValueError, match="finite"):
        spearman_correlation([1, np.nan], [1, 2])


def test_reads_gensims_benchmark_files():
    benchmarks = word_similarity_benchmarks()
    assert sorted(benchmarks) == ["SimLex-999", "WordSim353"]
    wordsim = read_word_pairs(benchmarks["WordSim353"])
    simlex = read_word_pairs(benchmarks["SimLex-999"])
    assert len(wordsim) == 353 and len(simlex) == 999  # the two '#' header lines are skipped
    assert wordsim[:2] == [("love", "sex", 6.77), ("tiger", "cat", 7.35)]
    assert simlex[0] == ("old", "new", 1.58)
    assert all(isinstance(score, float) for _, _, score in wordsim + simlex)


def test_read_word_pairs_options_and_errors(tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_text("# comment\n\nKing Queen 8.5\ncup\tmug\t9\n")
    assert read_word_pairs(path) == [("king", "queen", 8.5), ("cup", "mug", 9.0)]
    assert read_word_pairs(path, lowercase=False)[0] == ("King", "Queen", 8.5)
    path.write_text("king queen 8.5\nking queen high\n")
    with pytest.raises(ValueError, match="line 2: expected"):
        read_word_pairs(path)
    path.write_text("# only a comment\n")
    with pytest.raises(ValueError, match="holds no word pairs"):
        read_word_pairs(path)
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        read_word_pairs(tmp_path / "missing.txt")


def test_evaluate_counts_out_of_vocabulary_pairs():
    pairs = [("cat", "dog", 8.0), ("cat", "sun", 1.0), ("dog", "sun", 2.0), ("cat", "xyz", 5.0), ("abc", "xyz", 1.0)]
    cosine = {("cat", "dog"): 0.2, ("cat", "sun"): 0.9, ("dog", "sun"): 0.3}
    result = evaluate_word_pairs(pairs, lambda a, b: cosine[a, b], {"cat", "dog", "sun"})
    assert result["pairs"] == 5 and result["covered"] == 3 and result["out_of_vocabulary"] == 2
    assert result["coverage"] == pytest.approx(0.6)
    assert result["spearman"] == pytest.approx(scipy.stats.spearmanr([8, 1, 2], [0.2, 0.9, 0.3]).statistic)
    nothing = evaluate_word_pairs(pairs, lambda a, b: 0.0, set())
    assert nothing["covered"] == 0 and np.isnan(nothing["spearman"])
    with pytest.raises(ValueError, match="`pairs` is empty"):
        evaluate_word_pairs([], lambda a, b: 0.0, set())


def test_evaluate_matches_gensims_evaluate_word_pairs():
    from gensim.models import KeyedVectors

    path = word_similarity_benchmarks()["WordSim353"]
    pairs = read_word_pairs(path)
    words = sorted({word for a, b, _ in pairs for word in (a, b)})[::3]  # about a third of the words: OOV pairs
    vectors = KeyedVectors(vector_size=16)
    vectors.add_vectors(words, np.random.default_rng(0).normal(size=(len(words), 16)).astype("float32"))
    result = evaluate_word_pairs(pairs, vectors.similarity, vectors.key_to_index)
    _, (gensim_spearman, _), gensim_oov_percent = vectors.evaluate_word_pairs(path)
    assert 0 < result["out_of_vocabulary"] < result["pairs"]
    assert result["spearman"] == pytest.approx(gensim_spearman, abs=1e-9)
    assert 100 * result["out_of_vocabulary"] / result["pairs"] == pytest.approx(gensim_oov_percent)

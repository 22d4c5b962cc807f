"""Word-similarity benchmarks: Spearman correlation of cosines with human judgements.

A benchmark such as WordSim353 or SimLex-999 lists word pairs with a human
similarity score (`tiger cat 7.35`). Word vectors are scored by the Spearman
rank correlation between those scores and the cosine similarity of the two
words' vectors, over the pairs whose words are both in the vocabulary; the
other pairs are skipped and counted, since a score on 60% of the pairs is not
comparable with one on 95%. WordSim353 rewards relatedness (`cup`, `coffee`),
SimLex-999 only true similarity (`cup`, `mug`), so it is the harder of the two.

Both files ship with gensim's test data; `word_similarity_benchmarks()` finds
them when gensim is installed. Everything here is NumPy: the Spearman
correlation is the Pearson correlation of average ranks (ties share the mean
of the ranks they span), the definition `scipy.stats.spearmanr` uses.
"""

import math
import os

import numpy as np

# Benchmark name -> file name in gensim's test data (gensim.test.utils.datapath).
GENSIM_BENCHMARK_FILES = {"WordSim353": "wordsim353.tsv", "SimLex-999": "simlex999.txt"}


def rank_data(values):
    """Ranks `1..n` of `values`, tied values sharing the mean of their ranks.

    Example:

    >>> rank_data([10.0, 30.0, 20.0, 30.0]).tolist()
    [1.0, 3.5, 2.0, 3.5]
    """
    values = np.asarray(values, dtype="float64").reshape(-1)
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    # Start of each run of equal values in sorted order; a run of ranks a..b gets (a + b) / 2.
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]  # one past the end of each run
    run_ranks = (starts + 1 + ends) / 2.0
    ranks = np.empty(len(values), dtype="float64")
    ranks[order] = np.repeat(run_ranks, ends - starts)
    return ranks


def spearman_correlation(x, y):
    """Spearman's rank correlation of two equally long sequences (ties get average ranks).

    Returns NaN when either sequence is constant (the correlation is
    undefined), as `scipy.stats.spearmanr` does.

    Example:

    >>> spearman_correlation([1, 2, 3, 4], [10, 20, 40, 30])
    0.8
    """
    x = np.asarray(x, dtype="float64").reshape(-1)
    y = np.asarray(y, dtype="float64").reshape(-1)
    if len(x) != len(y):
        raise ValueError(f"`x` and `y` must have the same length, received {len(x)} and {len(y)}")
    if len(x) < 2:
        raise ValueError(f"Spearman correlation needs at least 2 pairs, received {len(x)}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("`x` and `y` must hold finite numbers (no NaN or inf)")
    rank_x = rank_data(x) - (len(x) + 1) / 2.0
    rank_y = rank_data(y) - (len(y) + 1) / 2.0
    denominator = math.sqrt(float(rank_x @ rank_x) * float(rank_y @ rank_y))
    if denominator == 0.0:
        return float("nan")
    return float(rank_x @ rank_y) / denominator


def read_word_pairs(path, lowercase=True, encoding="utf-8"):
    """Read a word-similarity file: one `word_a word_b score` per line.

    Fields are separated by tabs (or any whitespace); lines starting with
    `#` and blank lines are skipped. This reads the WordSim353 and SimLex-999
    files in gensim's test data and most others of the kind.

    Args:
        path: the file.
        lowercase: lower-case both words (most word vectors are trained on
            lower-cased text). Defaults to True.
        encoding: text encoding. Defaults to `"utf-8"`.

    Returns:
        A list of `(word_a, word_b, score)` tuples with float scores.

    Example:

    >>> pairs = read_word_pairs(word_similarity_benchmarks()["WordSim353"])
    >>> pairs[1]
    ('tiger', 'cat', 7.35)
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"word-pair file not found: {path}")
    pairs = []
    with open(path, encoding=encoding) as f:
        for line_number, line in enumerate(f, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t") if "\t" in line else line.split()
            try:
                word_a, word_b, score = (field.strip() for field in fields)
                score = float(score)
            except ValueError:
                raise ValueError(
                    f"{path}, line {line_number}: expected 'word_a<TAB>word_b<TAB>score', received {line!r}"
                ) from None
            if lowercase:
                word_a, word_b = word_a.lower(), word_b.lower()
            pairs.append((word_a, word_b, score))
    if not pairs:
        raise ValueError(f"{path} holds no word pairs: expected lines 'word_a<TAB>word_b<TAB>score'")
    return pairs


def evaluate_word_pairs(pairs, similarity, vocabulary):
    """Spearman correlation between human scores and model similarities, skipping unknown words.

    Args:
        pairs: `(word_a, word_b, score)` tuples, e.g. from `read_word_pairs`.
        similarity: a function `(word_a, word_b) -> float`, such as
            `WordVectors.similarity` or gensim's `KeyedVectors.similarity`.
        vocabulary: a container of the words the model knows (anything that
            supports `in`); pairs with a word outside it are skipped.

    Returns:
        A dict with `spearman` (NaN when fewer than 2 pairs are covered),
        `pairs` (the number of pairs), `covered` (pairs scored),
        `out_of_vocabulary` (pairs skipped) and `coverage` (`covered / pairs`).

    Example:

    >>> pairs = [("cat", "dog", 8.0), ("cat", "sun", 1.0), ("dog", "sun", 2.0), ("cat", "xyz", 5.0)]
    >>> cosine = {("cat", "dog"): 0.9, ("cat", "sun"): 0.1, ("dog", "sun"): 0.3}
    >>> result = evaluate_word_pairs(pairs, lambda a, b: cosine[a, b], {"cat", "dog", "sun"})
    >>> result["spearman"], result["covered"], result["out_of_vocabulary"]
    (1.0, 3, 1)
    """
    pairs = list(pairs)
    if not pairs:
        raise ValueError("`pairs` is empty: read a word-pair file with read_word_pairs first")
    human, model = [], []
    for word_a, word_b, score in pairs:
        if word_a in vocabulary and word_b in vocabulary:
            human.append(float(score))
            model.append(float(similarity(word_a, word_b)))
    covered = len(human)
    spearman = spearman_correlation(human, model) if covered >= 2 else float("nan")
    return {
        "spearman": spearman,
        "pairs": len(pairs),
        "covered": covered,
        "out_of_vocabulary": len(pairs) - covered,
        "coverage": covered / len(pairs),
    }


def word_similarity_benchmarks():
    """`{name: path}` of the WordSim353 and SimLex-999 files in gensim's test data.

    Returns an empty dict when gensim is not installed.

    Example:

    >>> sorted(word_similarity_benchmarks())
    ['SimLex-999', 'WordSim353']
    """
    try:
        from gensim.test.utils import datapath
    except ImportError:
        return {}
    found = {}
    for name, file_name in GENSIM_BENCHMARK_FILES.items():
        path = datapath(file_name)
        if os.path.isfile(path):
            found[name] = path
    return found

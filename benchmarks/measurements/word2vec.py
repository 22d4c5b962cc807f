"""Skip-gram negative sampling (SGNS) speed and quality: kerasrnn's Word2Vec against gensim.

Both train word vectors on the words of tiny-shakespeare (kerasrnn's
embedded copy) as `recipes/word2vec.py` reads them (`word2vec_tokens`,
words seen fewer than `min_count` times left out) with the recipe's
settings: skip-gram, `window_size` (word2vec's random dynamic window),
`num_negatives` negatives from the unigram^0.75 table, subsampling
threshold `subsample`, and plain SGD whose per-example learning rate
decays linearly from `learning_rate` to `final_learning_rate` over all the
epochs the benchmark runs (warm-up included), as gensim's `alpha` does.
They read the same stream of in-vocabulary words, which gensim gets in
10,000-word sentences (its longest), so windows are the same too.

One repeat is one epoch; speed is corpus words per second. Both draw fresh
subsampling, windows and negatives every epoch (counted in the time, on
the host for ours). Neither computes the training loss (gensim's default
`compute_loss=False`). Quality is the WordSim353 Spearman correlation
(gensim's copy of the file) after all the epochs, on the pairs both
vocabularies cover (the same pairs: the vocabularies are equal).

- `ours`: `kerasrnn.training.SkipGramTrainer` on a
  `kerasrnn.models.Word2Vec`: word2vec's sparse SGD, blocks of
  `block_size` centre words per update, one compiled loop per epoch.
- `gensim`: `gensim.models.Word2Vec(sg=1, workers=...)`.
"""

from measurements.common import timed

GENSIM_MAX_SENTENCE = 10_000


def corpus(size):
    """`(words, ids)`: the vocabulary in id order (most frequent first) and the int32 word stream."""
    from kerasrnn.datasets import load_embedded_shakespeare
    from kerasrnn.text.word2vec import encode_words
    from kerasrnn.text.word2vec import word2vec_tokens
    from kerasrnn.text.word2vec import word_vocabulary

    text = load_embedded_shakespeare()
    if size.get("characters"):
        text = text[: size["characters"]]
    tokens = word2vec_tokens(text)
    words, _ = word_vocabulary(tokens, min_count=size["min_count"])
    return words, encode_words(tokens, words).astype("int32")


def total_epochs(size):
    """Every epoch the benchmark trains: the warm-up and the timed repeats."""
    return 1 + size["repeats"]


def learning_rate_at(size, epochs_done):
    """The per-example learning rate after `epochs_done` epochs (linear decay, as word2vec)."""
    start, end = size["learning_rate"], size["final_learning_rate"]
    return start - (start - end) * min(epochs_done / total_epochs(size), 1.0)


def wordsim353_pairs():
    """The WordSim353 pairs from gensim's test data, or None without gensim."""
    try:
        from gensim.test.utils import datapath
    except ImportError:
        return None
    path = datapath("wordsim353.tsv")
    try:
        from kerasrnn.metrics.word_similarity import read_word_pairs
    except ImportError:
        read_word_pairs = None
    if read_word_pairs is not None:
        return read_word_pairs(path)
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                word_a, word_b, score = line.strip().split("\t")
                pairs.append((word_a.lower(), word_b.lower(), float(score)))
    return pairs


def wordsim353_spearman(similarity, vocabulary):
    """`{"wordsim353_spearman", "wordsim353_pairs_covered"}` for a `(a, b) -> cosine` function."""
    pairs = wordsim353_pairs()
    if pairs is None:
        return {"wordsim353": "skipped: gensim (which ships the WordSim353 file) is not installed"}
    try:
        from kerasrnn.metrics.word_similarity import evaluate_word_pairs
    except ImportError:
        evaluate_word_pairs = None
    if evaluate_word_pairs is not None:
        result = evaluate_word_pairs(pairs, similarity, vocabulary)
        spearman, covered = result["spearman"], result["covered"]
    else:
        from scipy.stats import spearmanr

        kept = [(a, b, score) for a, b, score in pairs if a in vocabulary and b in vocabulary]
        covered = len(kept)
        spearman = float(spearmanr([s for _, _, s in kept], [similarity(a, b) for a, b, _ in kept])[0])
    return {"wordsim353_spearman": spearman, "wordsim353_pairs_covered": covered}


class KerasSkipGram:
    unit = "words/s"

    def __init__(self, size):
        from kerasrnn.models.word2vec import Word2Vec
        from kerasrnn.training import SkipGramTrainer

        self.size = size
        self.words, self.ids = corpus(size)
        self.model = Word2Vec(self.words, embedding_dim=size["embedding_dim"], seed=0)
        block_size = size.get("block_size", 512)
        self.trainer = SkipGramTrainer(
            self.model, window_size=size["window_size"], num_negatives=size["num_negatives"],
            subsample=size["subsample"], block_size=block_size, compute_loss=False, seed=0,
        )
        self.amount = len(self.ids)
        self.epoch = 0
        self.label = f"kerasrnn SkipGramTrainer (sparse SGD, blocks of {block_size} words)"

    def _epoch(self):
        self.trainer.train_epoch(
            self.ids, learning_rate_at(self.size, self.epoch), learning_rate_at(self.size, self.epoch + 1)
        )
        self.epoch += 1

    def warm_up(self):
        return timed(self._epoch)

    def run(self):
        return timed(self._epoch)

    def quality(self):
        return {**wordsim353_spearman(self.model.similarity, set(self.words)), "epochs": self.epoch}


class GensimSkipGram:
    unit = "words/s"

    def __init__(self, size):
        import gensim
        from gensim.models import Word2Vec

        words, ids = corpus(size)
        stream = [words[i] for i in ids]
        self.sentences = [stream[i : i + GENSIM_MAX_SENTENCE] for i in range(0, len(stream), GENSIM_MAX_SENTENCE)]
        self.model = Word2Vec(
            vector_size=size["embedding_dim"], window=size["window_size"], negative=size["num_negatives"],
            sg=1, min_count=size["min_count"], sample=size["subsample"], workers=size["workers"], seed=0, epochs=1,
        )
        self.model.build_vocab(self.sentences)
        self.size, self.epoch = size, 0
        self.amount = len(ids)
        self.label = f"gensim {gensim.__version__} Word2Vec(sg=1, workers={size['workers']})"

    def _epoch(self):
        self.model.train(
            self.sentences, total_examples=len(self.sentences), epochs=1,
            start_alpha=learning_rate_at(self.size, self.epoch), end_alpha=learning_rate_at(self.size, self.epoch + 1),
        )
        self.epoch += 1

    def warm_up(self):
        return timed(self._epoch)

    def run(self):
        return timed(self._epoch)

    def quality(self):
        return {**wordsim353_spearman(self.model.wv.similarity, self.model.wv.key_to_index), "epochs": self.epoch}

"""Cross-backend cases for the skip-gram layer and the Word2Vec model."""

import keras
import numpy as np

from kerasrnn.layers.skip_gram import SkipGramNegativeSampling
from kerasrnn.models.word2vec import Word2Vec

VOCABULARY_SIZE, EMBEDDING_DIM, BATCH, NEGATIVES = 13, 4, 3, 2


def _ids():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, VOCABULARY_SIZE, size=(BATCH,)).astype("int32")
    contexts = rng.integers(0, VOCABULARY_SIZE, size=(BATCH, 1 + NEGATIVES)).astype("int32")
    return [targets, contexts]


def build_skip_gram_negative_sampling():
    targets = keras.Input(shape=(), dtype="int32")
    contexts = keras.Input(shape=(1 + NEGATIVES,), dtype="int32")
    # Unit-scale vectors (not word2vec's tiny and zero ones) so logits and gradients are far from zero.
    layer = SkipGramNegativeSampling(
        VOCABULARY_SIZE,
        EMBEDDING_DIM,
        target_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=0),
        context_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=1),
    )
    model = keras.Model([targets, contexts], layer((targets, contexts)))
    return model, _ids()


def build_word2vec():
    vocabulary = [f"word{i}" for i in range(VOCABULARY_SIZE)]
    model = Word2Vec(
        vocabulary,
        embedding_dim=EMBEDDING_DIM,
        context_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=2),  # nonzero logits
        seed=3,
    )
    return model, _ids()


CASES = {
    "skip_gram_negative_sampling": build_skip_gram_negative_sampling,
    "word2vec": build_word2vec,
}

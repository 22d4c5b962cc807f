import keras
import numpy as np
import pytest

from kerasrnn.layers.skip_gram import SkipGramLoss
from kerasrnn.models.word2vec import Word2Vec
from tests.testing import assert_allclose

# Words co-occur only inside their group, so group mates share contexts.
GROUPS = [["red", "green", "blue"], ["cat", "dog", "cow"], ["one", "two", "three"], ["paris", "rome", "oslo"]]
VOCABULARY = [word for group in GROUPS for word in group]


def _skip_gram_pairs(repeats=8, negatives=4):
    """(target, [context, negatives...]) ids for every ordered pair inside a group."""
    rng = np.random.default_rng(0)
    targets, contexts = [], []
    for _ in range(repeats):
        for group in GROUPS:
            outside = [VOCABULARY.index(w) for w in VOCABULARY if w not in group]
            for target in group:
                for context in group:
                    if context != target:
                        targets.append(VOCABULARY.index(target))
                        sampled = rng.choice(outside, negatives, replace=False)
                        contexts.append([VOCABULARY.index(context), *sampled])
    contexts = np.array(contexts)
    labels = np.zeros(contexts.shape, "float32")
    labels[:, 0] = 1.0
    return np.array(targets), contexts, labels


def _model_with_random_vectors(seed=0):
    model = Word2Vec(VOCABULARY, embedding_dim=5)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def _cosines(vectors):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit @ unit.T


def test_training_lowers_loss_and_groups_words():
    targets, contexts, labels = _skip_gram_pairs()
    model = Word2Vec(VOCABULARY, embedding_dim=8, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=SkipGramLoss())
    losses = model.fit([targets, contexts], labels, epochs=6, batch_size=32, verbose=0).history["loss"]
    assert losses[-1] < 0.2 * losses[0]
    for group in GROUPS:
        for word in group:
            neighbours = {other for other, _ in model.most_similar(word, top_k=2)}
            assert neighbours == set(group) - {word}, (word, model.most_similar(word, top_k=3))


def test_most_similar_and_similarity_match_numpy_cosine():
    model = _model_with_random_vectors()
    vectors = model.vectors
    assert vectors.shape == (len(VOCABULARY), 5)
    cosines = _cosines(vectors)
    assert model.similarity("cat", "rome") == pytest.approx(cosines[3, 10], abs=1e-6)
    assert isinstance(model.similarity("cat", "rome"), float)

    result = model.most_similar("dog", top_k=4)
    row = cosines[4].copy()
    row[4] = -np.inf
    expected = np.argsort(-row)[:4]
    assert [word for word, _ in result] == [VOCABULARY[i] for i in expected]
    assert_allclose([cosine for _, cosine in result], row[expected], atol=1e-6)
    everything = model.most_similar("dog", top_k=100)
    assert len(everything) == len(VOCABULARY) - 1 and "dog" not in [w for w, _ in everything]


def test_unknown_words_and_bad_top_k_raise():
    model = _model_with_random_vectors()
    with pytest.raises(KeyError, match="'zebra' is not in the vocabulary"):
        model.most_similar("zebra")
    with pytest.raises(KeyError, match="'zebra'"):
        model.similarity("cat", "zebra")
    with pytest.raises(ValueError, match="top_k=0"):
        model.most_similar("cat", top_k=0)
    with pytest.warns(DeprecationWarning, match="`k` is deprecated.*use `top_k`"):
        assert model.most_similar("cat", k=2) == model.most_similar("cat", top_k=2)


def test_word2vec_format_is_read_by_gensim(tmp_path):
    from gensim.models import KeyedVectors

    model = _model_with_random_vectors()
    path = tmp_path / "vectors.txt"
    model.save_word2vec_format(path)
    assert path.read_text().splitlines()[0] == f"{len(VOCABULARY)} 5"
    keyed = KeyedVectors.load_word2vec_format(str(path))
    assert keyed.index_to_key == VOCABULARY
    np.testing.assert_array_equal(keyed.vectors, model.vectors)
    assert keyed.similarity("cat", "rome") == pytest.approx(model.similarity("cat", "rome"), abs=1e-6)


def test_word2vec_format_rejects_words_with_whitespace(tmp_path):
    model = Word2Vec(["new york", "paris"], embedding_dim=2)
    with pytest.raises(ValueError, match="'new york'"):
        model.save_word2vec_format(tmp_path / "vectors.txt")
    assert not (tmp_path / "vectors.txt").exists()


def test_keras_file_round_trip_keeps_vocabulary_and_vectors(tmp_path):
    model = _model_with_random_vectors()
    path = tmp_path / "word2vec.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert isinstance(restored, Word2Vec)
    assert restored.vocabulary == VOCABULARY
    np.testing.assert_array_equal(restored.vectors, model.vectors)
    targets, contexts, _ = _skip_gram_pairs(repeats=1)
    inputs = [targets, contexts]
    assert_allclose(restored.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    assert restored.most_similar("cow", top_k=3) == model.most_similar("cow", top_k=3)


@pytest.mark.parametrize(
    "vocabulary, message",
    [
        ([], r"vocabulary=\[\]"),
        ("abc", "vocabulary='abc'"),
        (["a", 3], r"vocabulary\[1\]=3"),
        (["a", "b", "a"], "'a' at ids 0 and 2"),
    ],
)
def test_bad_vocabulary_raises(vocabulary, message):
    with pytest.raises(ValueError, match=message):
        Word2Vec(vocabulary, embedding_dim=4)


def test_bad_embedding_dim_raises():
    with pytest.raises(ValueError, match="embedding_dim=0"):
        Word2Vec(["a", "b"], embedding_dim=0)

import keras
import numpy as np
import pytest

from kerasrnn.backend import kernel
from kerasrnn.data.skip_gram import negative_sampling_table
from kerasrnn.data.skip_gram import skip_gram_blocks
from kerasrnn.layers.skip_gram import SkipGramLoss
from kerasrnn.layers.skip_gram import SkipGramNegativeSampling
from kerasrnn.models.word2vec import Word2Vec
from kerasrnn.training import SkipGramTrainer
from tests.testing import assert_allclose
from tests.testing import to_numpy

GROUPS = [["red", "green", "blue"], ["cat", "dog", "cow"], ["one", "two", "three"], ["paris", "rome", "oslo"]]
VOCABULARY = [word for group in GROUPS for word in group]
WINDOW, NEGATIVES, BLOCK, DIM = 2, 3, 16, 6
OFFSETS = [o for o in range(-WINDOW, WINDOW + 1) if o]


def _grouped_stream(length, seed=0):
    """Runs of 6 words from one group, so group mates share contexts."""
    rng = np.random.default_rng(seed)
    runs = [rng.choice([VOCABULARY.index(w) for w in GROUPS[rng.integers(4)]], 6) for _ in range(length // 6)]
    return np.concatenate(runs).astype("int32")


def _random_tables(model, seed=0):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.3, size=w.shape).astype("float32") for w in model.get_weights()])
    return [w.copy() for w in model.get_weights()]


def _log1p_exp(z):
    return np.logaddexp(0.0, z)


def _reference_epoch(target, context, blocks, rate, end_rate):
    """word2vec's updates, pair by pair, from the vectors at the start of each block (NumPy)."""
    target, context, loss = target.astype("float64"), context.astype("float64"), 0.0
    for b in range(blocks.num_blocks):
        radius, rate_b = blocks.radius[b], rate + (end_rate - rate) * b / blocks.num_blocks
        d_target, d_context = np.zeros_like(target), np.zeros_like(context)
        for p in range(b * BLOCK, (b + 1) * BLOCK):
            outputs = blocks.outputs[p]
            for column, offset in enumerate(OFFSETS):
                if abs(offset) > radius or not blocks.weights[p, column]:
                    continue
                word = blocks.ids[WINDOW + p + offset]
                for k, output in enumerate(outputs):
                    label = 1.0 if k == 0 else 0.0
                    z = target[word] @ context[output]
                    loss += _log1p_exp(-z) if label else _log1p_exp(z)
                    g = (label - 1.0 / (1.0 + np.exp(-z))) * rate_b
                    d_target[word] += g * context[output]
                    d_context[output] += g * target[word]
        target, context = target + d_target, context + d_context
    return target, context, loss / blocks.num_pairs


def test_one_epoch_matches_word2vecs_updates_computed_in_numpy():
    ids = _grouped_stream(70, seed=1)  # 5 blocks, the last one partly padding
    model = Word2Vec(VOCABULARY, embedding_dim=DIM)
    target, context = _random_tables(model)
    trainer = SkipGramTrainer(
        model, window_size=WINDOW, num_negatives=NEGATIVES, subsample=None, block_size=BLOCK, seed=5
    )
    loss = trainer.train_epoch(ids, 0.05, 0.01)

    # The same blocks, drawn from the same seed.
    table = negative_sampling_table(np.bincount(ids, minlength=len(VOCABULARY)))
    blocks = skip_gram_blocks(ids, WINDOW, NEGATIVES, BLOCK, None, table, np.random.default_rng(5))
    expected_target, expected_context, expected_loss = _reference_epoch(target, context, blocks, 0.05, 0.01)
    assert_allclose(model.vectors, expected_target, atol=2e-5)
    assert_allclose(to_numpy(model.skip_gram.context_embedding.embeddings), expected_context, atol=2e-5)
    assert loss == pytest.approx(expected_loss, rel=1e-4)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the PyTorch fast path")
def test_the_torch_fast_path_matches_the_keras_ops_loop():
    ids = _grouped_stream(200, seed=4)
    models = [Word2Vec(VOCABULARY, embedding_dim=DIM) for _ in range(2)]
    trainers = [SkipGramTrainer(m, window_size=WINDOW, num_negatives=NEGATIVES, block_size=BLOCK, seed=1)
                for m in models]
    for model in models:
        _random_tables(model, seed=2)
    trainers[1]._compiled = kernel("compile_update")(trainers[1]._train_blocks)  # the loop JAX and TensorFlow compile
    import torch

    threads = torch.get_num_threads()
    losses = [trainer.train_epoch(ids, 0.05, 0.01) for trainer in trainers]
    assert torch.get_num_threads() == threads  # the fast path runs on one thread and restores the setting
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    for a, b in zip(*(model.get_weights() for model in models)):
        assert_allclose(a, b, atol=1e-5)


def test_the_loss_is_skip_gram_loss_of_the_layer_on_the_same_pairs():
    ids = _grouped_stream(30, seed=2)
    model = Word2Vec(VOCABULARY, embedding_dim=DIM)
    _random_tables(model, seed=3)
    layer_before = [w.copy() for w in model.get_weights()]
    trainer = SkipGramTrainer(
        model, window_size=WINDOW, num_negatives=NEGATIVES, subsample=None, block_size=32, seed=0
    )
    loss = trainer.train_epoch(ids, 0.0, 0.0)  # a zero learning rate: the loss at the current vectors
    for before, after in zip(layer_before, model.get_weights()):
        np.testing.assert_array_equal(before, after)

    table = negative_sampling_table(np.bincount(ids, minlength=len(VOCABULARY)))
    blocks = skip_gram_blocks(ids, WINDOW, NEGATIVES, 32, None, table, np.random.default_rng(0))
    words, outputs = [], []  # one (target word, [centre, negatives]) example per pair
    for p in range(blocks.num_kept):
        for column, offset in enumerate(OFFSETS):
            if abs(offset) <= blocks.radius[0] and blocks.weights[p, column]:
                words.append(blocks.ids[WINDOW + p + offset])
                outputs.append(blocks.outputs[p])
    labels = np.zeros((len(words), 1 + NEGATIVES), "float32")
    labels[:, 0] = 1.0
    logits = model.predict([np.array(words), np.array(outputs)], verbose=0)
    assert loss == pytest.approx(float(to_numpy(SkipGramLoss()(labels, logits))), rel=1e-5)


def test_training_groups_words_and_lowers_the_loss():
    ids = _grouped_stream(6000)
    model = Word2Vec(VOCABULARY, embedding_dim=16, seed=0)
    trainer = SkipGramTrainer(model, window_size=WINDOW, num_negatives=NEGATIVES, subsample=None,
                              block_size=64, seed=0)
    history = trainer.fit(ids, epochs=4)
    assert history["loss"][-1] < 0.9 * history["loss"][0]
    assert len(history["words_per_second"]) == 4 and min(history["words_per_second"]) > 0
    for group in GROUPS:
        for word in group:
            neighbours = {other for other, _ in model.most_similar(word, top_k=2)}
            assert neighbours == set(group) - {word}, (word, model.most_similar(word, k=3))


def test_a_trained_model_still_saves_and_loads(tmp_path):
    model = Word2Vec(VOCABULARY, embedding_dim=DIM, seed=0)
    SkipGramTrainer(model, window_size=WINDOW, subsample=None, block_size=BLOCK, compute_loss=False,
                    seed=0).fit(_grouped_stream(200), epochs=1)
    assert np.abs(model.vectors).max() > 0.5 / DIM  # trained: past the initial range
    path = tmp_path / "word2vec.keras"
    model.save(path)
    np.testing.assert_array_equal(keras.saving.load_model(path).vectors, model.vectors)


def test_a_layer_trains_too_and_compute_loss_false_returns_none():
    layer = SkipGramNegativeSampling(len(VOCABULARY), DIM, seed=0)
    trainer = SkipGramTrainer(layer, window_size=WINDOW, subsample=None, block_size=BLOCK, compute_loss=False)
    assert layer.built
    before = to_numpy(layer.context_embedding.embeddings).copy()
    assert trainer.train_epoch(_grouped_stream(100), 0.025, 0.02) is None
    assert not np.array_equal(to_numpy(layer.context_embedding.embeddings), before)
    assert trainer.fit(_grouped_stream(100), epochs=1).keys() == {"words_per_second"}


def test_rows_helpers_gather_and_add_with_repeats():
    take_rows, add_to_rows = kernel("take_rows"), kernel("add_to_rows")
    table = np.arange(12, dtype="float32").reshape(4, 3)
    indices = np.array([[2, 0], [2, 3]], dtype="int32")
    assert_allclose(take_rows(keras.ops.convert_to_tensor(table), keras.ops.convert_to_tensor(indices)),
                    table[indices])
    updates = np.ones((3, 3), "float32") * np.array([[1.0], [10.0], [100.0]], "float32")
    result = add_to_rows(keras.ops.convert_to_tensor(table), keras.ops.convert_to_tensor(np.array([1, 3, 1])),
                         keras.ops.convert_to_tensor(updates))
    expected = table.copy()
    expected[1] += 101.0
    expected[3] += 10.0
    assert_allclose(result, expected)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"block_size": 0}, "block_size=0"),
        ({"window_size": 2.5}, "window_size=2.5"),
        ({"num_negatives": -1}, "num_negatives=-1"),
        ({"learning_rate": -0.1}, "learning_rate=-0.1"),
        ({"subsample": -1}, "subsample=-1"),
        ({"seed": "x"}, "seed='x'"),
        ({"counts": np.ones(3)}, r"counts.*12 non-negative word counts.*\(3,\)"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SkipGramTrainer(Word2Vec(VOCABULARY, embedding_dim=DIM), **kwargs)


def test_bad_model_and_ids_raise():
    with pytest.raises(ValueError, match="must be a kerasrnn.models.Word2Vec.*received: Dense"):
        SkipGramTrainer(keras.layers.Dense(3))
    trainer = SkipGramTrainer(Word2Vec(VOCABULARY, embedding_dim=DIM))
    with pytest.raises(ValueError, match=r"token ids must be in \[0, 12\), received ids in \[0, 12\]"):
        trainer.train_epoch(np.array([0, 12, 3]), 0.025, 0.0)
    with pytest.raises(ValueError, match="epochs=0"):
        trainer.fit(np.array([0, 1, 2]), epochs=0)

import keras
import numpy as np
import pytest

from kerasrnn.data import make_masked_token_dataset
from kerasrnn.models.masked_word_model import MASKED_WORD_KINDS
from kerasrnn.models.masked_word_model import build_masked_word_model
from kerasrnn.metrics.masked_words import evaluate_masked_words

MASK_ID = 2


def _compile(model):
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="mean_with_sample_weight"),
    )
    return model


@pytest.mark.parametrize("cell_type", MASKED_WORD_KINDS)
def test_every_kind_gives_one_distribution_per_position(cell_type):
    model = build_masked_word_model(40, cell_type=cell_type, embedding_dim=6, hidden_units=8, bidirectional=True,
                                    num_layers=2, connectivity=0.5, seed=0)
    ids = np.random.default_rng(0).integers(0, 40, (3, 7)).astype("int32")
    assert model.predict_on_batch(ids).shape == (3, 7, 40)  # (batch, time, vocabulary)
    assert model.output_shape == (None, None, 40)


def test_unidirectional_model_reads_left_to_right_only():
    model = build_masked_word_model(30, cell_type="gru", embedding_dim=4, hidden_units=8)
    ids = np.array([[5, 6, 7, 8, 9, 10]], "int32")
    changed = ids.copy()
    changed[0, 4:] = [20, 21]  # change the right end only
    before, after = model.predict_on_batch(ids), model.predict_on_batch(changed)
    np.testing.assert_allclose(before[:, :4], after[:, :4], atol=1e-6)  # the left part cannot see it
    assert np.abs(before[:, 4:] - after[:, 4:]).max() > 1e-4
    bidirectional = build_masked_word_model(30, cell_type="gru", embedding_dim=4, hidden_units=8, bidirectional=True)
    assert np.abs(bidirectional.predict_on_batch(ids)[:, 0] - bidirectional.predict_on_batch(changed)[:, 0]).max() > 1e-5


def test_echo_state_trains_only_its_readout_and_draws_two_reservoirs():
    model = build_masked_word_model(30, cell_type="echo_state", embedding_dim=8, hidden_units=20, bidirectional=True,
                                    connectivity=0.3, seed=5)
    assert [w.path for w in model.trainable_weights] == ["logits/kernel", "logits/bias"]
    assert model.count_params() - sum(int(np.prod(w.shape)) for w in model.trainable_weights) == (
        30 * 8 + 2 * (8 * 20 + 20 * 20 + 20))  # fixed embedding + two reservoirs
    forward, backward = model.get_layer("bidirectional_0").forward_layer, model.get_layer("bidirectional_0").backward_layer
    assert backward.go_backwards and not forward.go_backwards
    assert not np.allclose(forward.reservoir_weights()[1], backward.reservoir_weights()[1])
    frozen = [np.array(w) for w in model.non_trainable_weights]
    ids = np.random.default_rng(1).integers(5, 30, 400).astype("int32")
    dataset = make_masked_token_dataset(ids, 8, MASK_ID, 16, seed=0)
    history = _compile(model).fit(dataset, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    for before, after in zip(frozen, model.non_trainable_weights):
        np.testing.assert_array_equal(before, np.array(after))
    same = build_masked_word_model(30, cell_type="echo_state", embedding_dim=8, hidden_units=20, bidirectional=True,
                                   connectivity=0.3, seed=5)
    for a, b in zip(frozen, same.non_trainable_weights):  # a seed gives the same fixed weights
        np.testing.assert_array_equal(a, np.array(b))


def test_bidirectional_model_learns_what_a_unidirectional_one_cannot():
    # Pairs (a, b) with b = a + 8 and a random: a hidden `b` follows from the word before it, a hidden
    # `a` only from the word after it. Windows start on a pair, so a left-to-right reader can name
    # the b's only (about 1/2 + 1/2 * 1/8 of the words); reading both ways names all of them.
    rng = np.random.default_rng(0)
    first = rng.integers(5, 13, 500)
    ids = np.stack([first, first + 8], axis=1).reshape(-1).astype("int32")
    train = make_masked_token_dataset(ids, 6, MASK_ID, 32, seed=0, stride=2)
    probe = make_masked_token_dataset(ids, 6, MASK_ID, 256, shuffle=False, seed=1, stride=2)
    accuracy = {}
    for bidirectional in (False, True):
        keras.utils.set_random_seed(0)
        model = _compile(build_masked_word_model(21, cell_type="gru", embedding_dim=8, hidden_units=16,
                                                 bidirectional=bidirectional))
        model.fit(train, epochs=12, verbose=0)
        accuracy[bidirectional] = evaluate_masked_words(model, probe)["accuracy"]
    assert accuracy[True] > 0.95, accuracy
    assert 0.45 < accuracy[False] < 0.75, accuracy


def test_save_and_load_give_the_same_logits(tmp_path):
    ids = np.random.default_rng(2).integers(0, 25, (2, 9)).astype("int32")
    for cell_type in ("layernorm_rnn", "echo_state"):
        model = build_masked_word_model(25, cell_type=cell_type, embedding_dim=4, hidden_units=6, bidirectional=True,
                                        connectivity=0.5, seed=1)
        path = tmp_path / f"{cell_type}.keras"
        model.save(path)
        restored = keras.saving.load_model(path)
        np.testing.assert_allclose(restored.predict_on_batch(ids), model.predict_on_batch(ids), atol=1e-6)
        assert [w.path for w in restored.weights] == [w.path for w in model.weights]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"cell_type": "transformer"}, "`cell_type` must be one of"),
        ({"hidden_units": 0}, "hidden_units=0"),
        ({"vocabulary_size": 2.5}, "vocabulary_size=2.5"),
        ({"dropout": 1.0}, "dropout=1.0"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    arguments = {"vocabulary_size": 20, **kwargs}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        build_masked_word_model(**arguments)

"""The recurrent stack the functional models share: layer names (saved weight paths) and what it computes."""

import keras
import numpy as np
import pytest

from kerasrnn.models._recurrent_stack import stack_recurrent_layers
from kerasrnn.models.language_model import build_language_model
from kerasrnn.models.masked_word_model import build_masked_word_model
from kerasrnn.models.sequence_classifier import build_sequence_classifier
from tests.testing import assert_allclose


def _gru(index):
    return keras.layers.GRU(3, return_sequences=True, name=f"gru_{index}")


def test_names_shapes_and_the_explicit_backward_layer():
    inputs = keras.Input((None, 4))

    def backward(index):
        return keras.layers.SimpleRNN(3, return_sequences=True, go_backwards=True, name=f"back_{index}")

    outputs = stack_recurrent_layers(inputs, _gru, 2, bidirectional=True, dropout=0.5, make_backward_layer=backward)
    model = keras.Model(inputs, outputs)
    assert [layer.name for layer in model.layers[1:]] == [
        "bidirectional_0", "dropout_0", "bidirectional_1", "dropout_1"]
    assert model.layers[1].backward_layer.name == "back_0" and model.layers[3].forward_layer.name == "forward_gru_1"
    assert tuple(model(np.ones((2, 6, 4), "float32")).shape) == (2, 6, 3 + 3)  # both directions concatenated
    # The directions are built outside the wrapper's scope, as load_model builds them.
    assert "forward_gru_0/gru_cell/kernel" in [weight.path for weight in model.weights]


def test_one_direction_without_dropout_is_the_plain_stack():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, 4))
    model = keras.Model(inputs, stack_recurrent_layers(inputs, _gru, 2))
    assert [layer.name for layer in model.layers[1:]] == ["gru_0", "gru_1"]
    x = np.random.default_rng(0).normal(size=(2, 6, 4)).astype("float32")
    assert_allclose(model(x), model.layers[2](model.layers[1](x)), atol=1e-6)


def test_the_models_keep_their_layer_names():
    # saved_models/ load by these names (tests/test_shipped_models.py); they must not change.
    def names(model):
        return [layer.name for layer in model.layers]

    assert names(build_language_model(20, cell_type="gru", hidden_units=4, num_layers=2, dropout=0.1)) == [
        "token_ids", "embedding", "gru_0", "dropout_0", "gru_1", "dropout_1", "logits"]
    classifier = build_sequence_classifier(20, 3, cell_type="lstm", hidden_units=4, num_layers=2)
    assert names(classifier) == ["token_ids", "embedding", "bidirectional_0", "bidirectional_1", "logits"]
    # Only the last layer returns one vector per sequence.
    assert [layer.forward_layer.return_sequences for layer in classifier.layers[2:4]] == [True, False]
    masked = build_masked_word_model(20, cell_type="echo_state", hidden_units=16, bidirectional=True, seed=1)
    assert names(masked) == ["token_ids", "embedding", "bidirectional_0", "logits"]
    assert [masked.layers[2].forward_layer.name, masked.layers[2].backward_layer.name] == [
        "forward_echo_state_0", "backward_echo_state_0"]
    assert [masked.layers[2].forward_layer.seed, masked.layers[2].backward_layer.seed] == [2, 3]


@pytest.mark.parametrize("build, default", [
    (lambda **kind: build_language_model(20, hidden_units=4, **kind), "lstm"),
    (lambda **kind: build_sequence_classifier(20, 3, hidden_units=4, **kind), "gru"),
    (lambda **kind: build_masked_word_model(20, hidden_units=4, **kind), "lstm"),
], ids=["language_model", "sequence_classifier", "masked_word_model"])
def test_cell_is_a_deprecated_alias_of_cell_type(build, default):
    other = "simple_rnn"
    with pytest.warns(DeprecationWarning, match="`cell` is deprecated .*use `cell_type`"):
        old = build(cell=other)
    new = build(cell_type=other)
    assert other in old.name and old.name == new.name
    assert [weight.path for weight in old.weights] == [weight.path for weight in new.weights]  # same layers
    chosen = "gru" if default == "lstm" else "lstm"  # both names, with other values than the default: an error
    with pytest.raises(ValueError, match=f"pass only `cell_type`, received: cell_type='{chosen}', cell='{other}'"):
        build(cell_type=chosen, cell=other)
    assert build().name.startswith((default, f"bi{default}"))  # the default kind is unchanged

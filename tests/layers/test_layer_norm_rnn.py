"""Tests for the LayerNorm SimpleRNN, LSTM and GRU cells and layers."""

import re

import keras
import numpy as np
import pytest

from kerasrnn.layers import LayerNormGRU
from kerasrnn.layers import LayerNormGRUCell
from kerasrnn.layers import LayerNormLSTM
from kerasrnn.layers import LayerNormLSTMCell
from kerasrnn.layers import LayerNormSimpleRNN
from kerasrnn.layers import LayerNormSimpleRNNCell
from tests.testing import assert_allclose, fit_loss_drop, run_layer_test, to_numpy

EPSILON = 1e-3


# --- NumPy references of the formulas ----------------------------------------------------------


def _layer_norm(x, gamma, beta=None):
    normalized = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + EPSILON) * gamma
    return normalized if beta is None else normalized + beta


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def numpy_simple_rnn(x, w):
    h = np.zeros((x.shape[0], w["recurrent_kernel"].shape[0]), "float32")
    outputs = []
    for t in range(x.shape[1]):
        h = np.tanh(_layer_norm(x[:, t] @ w["kernel"] + h @ w["recurrent_kernel"], w["gamma"], w["bias"]))
        outputs.append(h)
    return np.stack(outputs, 1), [h]


def numpy_lstm(x, w):
    units = w["recurrent_kernel"].shape[0]
    h = c = np.zeros((x.shape[0], units), "float32")
    outputs = []
    for t in range(x.shape[1]):
        z = _layer_norm(x[:, t] @ w["kernel"], w["input_gamma"], w["bias"])
        z = z + _layer_norm(h @ w["recurrent_kernel"], w["recurrent_gamma"])
        i, f, g, o = np.split(z, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(_layer_norm(c, w["cell_gamma"], w["cell_beta"]))
        outputs.append(h)
    return np.stack(outputs, 1), [h, c]


def numpy_gru(x, w):
    h = np.zeros((x.shape[0], w["recurrent_kernel"].shape[0]), "float32")
    outputs = []
    for t in range(x.shape[1]):
        x_proj = _layer_norm(x[:, t] @ w["kernel"], w["input_gamma"], w["bias"][0])
        h_proj = _layer_norm(h @ w["recurrent_kernel"], w["recurrent_gamma"], w["bias"][1])
        x_z, x_r, x_g = np.split(x_proj, 3, axis=-1)
        h_z, h_r, h_g = np.split(h_proj, 3, axis=-1)
        z, r = _sigmoid(x_z + h_z), _sigmoid(x_r + h_r)
        h = z * h + (1 - z) * np.tanh(x_g + r * h_g)
        outputs.append(h)
    return np.stack(outputs, 1), [h]


# kind: (layer class, cell class, Keras layer without LayerNorm, NumPy reference)
KINDS = {
    "simple_rnn": (LayerNormSimpleRNN, LayerNormSimpleRNNCell, keras.layers.SimpleRNN, numpy_simple_rnn),
    "lstm": (LayerNormLSTM, LayerNormLSTMCell, keras.layers.LSTM, numpy_lstm),
    "gru": (LayerNormGRU, LayerNormGRUCell, keras.layers.GRU, numpy_gru),
}


def _sequences(shape=(2, 4, 3), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _make(cls, units=5, **kwargs):
    """`cls(units, **kwargs)` with zero kernels, for tests that set the weights themselves.

    Random initializers would compile one kernel per weight shape on JAX, for nothing.
    """
    return cls(units, kernel_initializer="zeros", recurrent_initializer="zeros", **kwargs)


def _randomize(layer, seed=1):
    """Give every trainable weight random values (gains included); return them by name."""
    rng = np.random.default_rng(seed)
    weights = {}
    for weight in layer.trainable_weights:
        value = rng.normal(scale=0.5, size=weight.shape).astype("float32")
        weight.assign(value)
        weights[weight.name] = value
    return weights


def _built(layer, shape=(2, None, 3)):
    layer.build(shape)
    return layer


def _copy_weights(source, target):
    target.set_weights(source.get_weights())
    return target


# --- the formula ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_matches_numpy_formula(kind):
    layer_class, cell_class, _, reference = KINDS[kind]
    x = _sequences()
    paths = {
        # the whole sequence projected at once
        "layer": _make(layer_class, return_sequences=True, return_state=True),
        # the cell on its own, projecting step by step
        "cell": keras.layers.RNN(_make(cell_class), return_sequences=True, return_state=True),
    }
    for path, layer in paths.items():
        weights = _randomize(_built(layer))
        outputs, *states = layer(x)
        expected_outputs, expected_states = reference(x, weights)
        assert_allclose(outputs, expected_outputs, atol=2e-5, err_msg=path)
        assert len(states) == len(expected_states)
        for state, expected in zip(states, expected_states):
            assert_allclose(state, expected, atol=2e-5, err_msg=path)


@pytest.mark.parametrize("kind", KINDS)
def test_without_layer_norm_equals_keras(kind):
    layer_class, _, keras_class, _ = KINDS[kind]
    arguments = dict(return_sequences=True, return_state=True, unroll=True)
    reference = _built(_make(keras_class, **arguments))
    _randomize(reference)
    layer = _built(_make(layer_class, layer_norm=False, **arguments))
    assert [w.name for w in layer.weights] == [w.name for w in reference.weights]
    _copy_weights(reference, layer)
    x = _sequences()
    mask = np.array([[True, True, True, True], [True, True, False, False]])
    for got, expected in zip(layer(x, mask=mask), reference(x, mask=mask)):
        assert_allclose(got, expected, atol=1e-5)


# --- what users of keras.layers.SimpleRNN rely on -------------------------------------------------
# These use `unroll=True`: the same cell code, and JAX runs it eagerly without compiling a scan.


def test_return_sequences_state_go_backwards_and_unroll():
    x = _sequences()
    for kind, (layer_class, _, _, _) in KINDS.items():
        full = _built(_make(layer_class, return_sequences=True, return_state=True))
        _randomize(full)
        last_only = _copy_weights(full, _built(_make(layer_class, unroll=True)))
        unrolled = _copy_weights(full, _built(_make(layer_class, return_sequences=True, unroll=True)))
        backward = _make(layer_class, return_sequences=True, go_backwards=True, unroll=True)
        _copy_weights(full, _built(backward))
        outputs, *states = full(x)
        assert tuple(outputs.shape) == (2, 4, 5)
        assert len(states) == (2 if kind == "lstm" else 1)
        assert all(tuple(state.shape) == (2, 5) for state in states)
        assert_allclose(states[0], outputs[:, -1], err_msg=kind)
        assert_allclose(last_only(x), outputs[:, -1], err_msg=kind)
        assert_allclose(unrolled(x), outputs, err_msg=kind)
        assert_allclose(backward(x[:, ::-1]), outputs, err_msg=kind)


def test_stateful_continues_the_state():
    x = _sequences()
    for kind, (layer_class, _, _, _) in KINDS.items():
        whole = _built(_make(layer_class, unroll=True), shape=(2, None, 3))
        _randomize(whole)
        stateful = _built(_make(layer_class, stateful=True, unroll=True), shape=(2, None, 3))
        _copy_weights(whole, stateful)
        first_half = to_numpy(stateful(x[:, :2]))
        assert_allclose(stateful(x[:, 2:]), whole(x), err_msg=kind)
        stateful.reset_states()
        assert_allclose(stateful(x[:, :2]), first_half, err_msg=kind)


def test_padding_masked_by_embedding_is_skipped():
    tokens = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 3, embeddings_initializer="zeros", mask_zero=True)(tokens)
    final_states = [_make(layer_class)(embedded) for layer_class, _, _, _ in KINDS.values()]
    model = keras.Model(tokens, final_states)
    _randomize(model)
    unpadded = model(np.array([[3, 5, 2], [3, 5, 2]]))
    padded = model(np.array([[3, 5, 2, 0, 0], [0, 0, 3, 5, 2]]))  # at the end, at the front
    for kind, got, expected in zip(KINDS, padded, unpadded):
        assert_allclose(got, expected, err_msg=kind)


def test_bidirectional():
    x = _sequences()
    for kind, (layer_class, _, _, _) in KINDS.items():
        bidirectional = keras.layers.Bidirectional(_make(layer_class, return_sequences=True, unroll=True))
        outputs = bidirectional(x)  # (2, 4, 10)
        assert tuple(outputs.shape) == (2, 4, 10)
        assert isinstance(bidirectional.backward_layer, layer_class)
        assert bidirectional.backward_layer.go_backwards
        assert_allclose(outputs[..., :5], bidirectional.forward_layer(x), err_msg=kind)
        backward = np.flip(to_numpy(bidirectional.backward_layer(x)), axis=1)
        assert_allclose(outputs[..., 5:], backward, err_msg=kind)


def test_stacked_layers_equal_stacked_cells():
    x = _sequences()
    for kind, (layer_class, cell_class, _, _) in KINDS.items():
        cells = [_make(cell_class), _make(cell_class)]
        stacked = _built(keras.layers.RNN(cells, return_sequences=True, unroll=True))
        _randomize(stacked)
        first = _built(_make(layer_class, return_sequences=True, unroll=True))
        second = _built(_make(layer_class, return_sequences=True, unroll=True), shape=(2, None, 5))
        first.set_weights(cells[0].get_weights())
        second.set_weights(cells[1].get_weights())
        assert_allclose(second(first(x)), stacked(x), atol=2e-5, err_msg=kind)


# --- dropout ----------------------------------------------------------------------------------------


def test_input_dropout_mask_is_shared_by_all_steps():
    # Identity input projection and no recurrence: h_t = tanh(x_t * mask / (1 - rate)).
    layer = LayerNormSimpleRNN(
        4,
        use_bias=False,
        kernel_initializer="identity",
        recurrent_initializer="zeros",
        dropout=0.5,
        layer_norm=False,
        return_sequences=True,
        unroll=True,
        seed=7,
    )
    x = np.ones((8, 6, 4), "float32")
    training = to_numpy(layer(x, training=True))
    for t in range(1, 6):
        np.testing.assert_array_equal(training[:, t], training[:, 0])
    dropped = np.isclose(training, 0.0)
    kept = np.isclose(training, np.tanh(2.0))
    assert np.all(dropped | kept) and dropped.any() and kept.any()
    assert_allclose(layer(x), np.full((8, 6, 4), np.tanh(1.0)))


def test_dropout_of_the_layer_equals_dropout_of_the_cell():
    # Same seed, same masks: the projected sequence gets exactly the cell's step-by-step dropout.
    x = _sequences()
    for kind, (layer_class, cell_class, _, _) in KINDS.items():
        arguments = dict(dropout=0.3, recurrent_dropout=0.4, seed=11)
        layer = _built(_make(layer_class, return_sequences=True, **arguments))  # a compiled loop on JAX
        _randomize(layer)
        cell_rnn = keras.layers.RNN(_make(cell_class, **arguments), return_sequences=True, unroll=True)
        _copy_weights(layer, _built(cell_rnn))
        training = to_numpy(layer(x, training=True))
        assert_allclose(training, cell_rnn(x, training=True), err_msg=kind)
        assert not np.allclose(training, to_numpy(layer(x)), atol=1e-3), kind


# --- configuration and saving --------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_config_saving_and_training(kind):
    # `unroll=True`: the same cell code, and JAX runs it eagerly without compiling a scan.
    layer_class, cell_class, _, _ = KINDS[kind]
    arguments = dict(units=5, dropout=0.25, recurrent_dropout=0.5, layernorm_epsilon=1e-5, seed=3, use_bias=False)
    x = _sequences()
    run_layer_test(layer_class, dict(arguments, return_sequences=True, go_backwards=True, unroll=True), x,
                   expected_output_shape=(2, 4, 5))
    run_layer_test(cell_class, dict(arguments, layer_norm=False), x,
                   wrap=lambda cell: keras.layers.RNN(cell, return_sequences=True, unroll=True))


def test_layers_expose_their_cell_arguments():
    arguments = dict(dropout=0.25, recurrent_dropout=0.5, layernorm_epsilon=1e-5, seed=3, use_bias=False)
    for layer_class, _, _, _ in KINDS.values():
        layer = layer_class(5, **arguments)
        assert (layer.units, layer.dropout, layer.recurrent_dropout, layer.seed) == (5, 0.25, 0.5, 3)
        assert (layer.layer_norm, layer.layernorm_epsilon, layer.use_bias) == (True, 1e-5, False)
    lstm = LayerNormLSTM(3, unit_forget_bias=False, recurrent_activation="hard_sigmoid")
    assert not lstm.unit_forget_bias and lstm.recurrent_activation is keras.activations.hard_sigmoid


def test_weights_follow_keras_names():
    gains = {
        "simple_rnn": ["gamma"],
        "lstm": ["input_gamma", "recurrent_gamma", "cell_gamma", "cell_beta"],
        "gru": ["input_gamma", "recurrent_gamma"],
    }
    keras_names = ["kernel", "recurrent_kernel", "bias"]
    for kind, (layer_class, _, _, _) in KINDS.items():
        assert [w.name for w in _built(_make(layer_class)).weights] == keras_names + gains[kind]
        assert [w.name for w in _built(_make(layer_class, layer_norm=False)).weights] == keras_names
    # Keras' forget-gate bias of one, kept as the shift of the input normalization.
    bias = to_numpy(_built(_make(LayerNormLSTM, units=2)).cell.bias)
    np.testing.assert_array_equal(bias, [0, 0, 1, 1, 0, 0, 0, 0])


# --- training -----------------------------------------------------------------------------------


def test_learns_a_running_sum():
    # Dropout runs inside the compiled train step. One layer keeps the JAX compilation short;
    # the three cells share the projection and dropout code this exercises.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 5, 3)).astype("float32")
    y = x[:, :, :1].sum(axis=1) / np.sqrt(5)  # (48, 1), unit variance
    model = keras.Sequential(
        [
            keras.Input((5, 3)),
            LayerNormLSTM(8, dropout=0.05, recurrent_dropout=0.05, seed=2),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.03), loss="mse")
    first, last = fit_loss_drop(model, x, y, epochs=8, batch_size=16)
    assert last < 0.5 * first, (first, last)


# --- bad arguments ------------------------------------------------------------------------------

BAD_ARGUMENTS = [
    ("units", 0),
    ("units", -2),
    ("units", 2.5),
    ("dropout", 1.0),
    ("dropout", -0.1),
    ("recurrent_dropout", 1.5),
    ("layernorm_epsilon", 0.0),
]


def test_bad_arguments_raise():
    for layer_class, cell_class, _, _ in KINDS.values():
        for cls in (layer_class, cell_class):
            for name, value in BAD_ARGUMENTS:
                message = re.escape(f"`{name}` must be") + ".*" + re.escape(f"received: {name}={value!r}")
                with pytest.raises(ValueError, match=message):
                    cls(**{"units": 4, name: value})


# --- the fused recurrence of LayerNormSimpleRNN (JAX, torch) -------------------------------------

on_fused_backends = pytest.mark.skipif(
    keras.backend.backend() not in ("jax", "torch"), reason="the fused LayerNorm recurrence exists on JAX and torch"
)


def _spy_on_fused_recurrence(monkeypatch):
    """A list that gets one entry per call of the backend's fused LayerNorm recurrence."""
    import importlib

    module = importlib.import_module(f"kerasrnn.backend.{keras.backend.backend()}_fused_rnn")
    calls, real = [], module.layer_norm_simple_rnn

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)  # raises NotImplementedError where Keras' loop must run
        calls.append(1)
        return result

    monkeypatch.setattr(module, "layer_norm_simple_rnn", spy)
    return calls

FUSED_CASES = {
    "default": {},
    "no layer norm": {"layer_norm": False},
    "no bias": {"use_bias": False},
    "go_backwards, last output": {"go_backwards": True, "return_sequences": False},
}


@on_fused_backends
@pytest.mark.parametrize("case", FUSED_CASES)
def test_fused_recurrence_matches_the_step_loop(case, monkeypatch):
    # The fused recurrence (hand-written backward pass) against the cell's step loop (`unroll=True`
    # runs Keras' loop): same outputs, states and SGD step, and the fused recurrence ran.
    calls = _spy_on_fused_recurrence(monkeypatch)
    arguments = {"return_sequences": True, "return_state": True, **FUSED_CASES[case]}
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 7, 4)).astype("float32")
    y = rng.normal(size=(3, 5)).astype("float32")
    models = []
    for unroll in (False, True):
        inputs = keras.Input((7, 4))
        outputs, state = LayerNormSimpleRNN(5, unroll=unroll, **arguments)(inputs)[:2]
        pooled = keras.ops.mean(outputs, axis=1) if outputs.ndim == 3 else outputs
        model = keras.Model(inputs, [pooled + state, outputs])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss=["mse", None])
        models.append(model)
    models[0].set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in models[0].get_weights()])
    models[1].set_weights(models[0].get_weights())
    for training in (False, True):
        for got, expected in zip(models[0](x, training=training), models[1](x, training=training)):
            assert_allclose(got, expected, atol=1e-5)
    assert calls, "the fused recurrence did not run"
    before = models[0].get_weights()
    for model in models:
        model.train_on_batch(x, y)
    for got, expected, start in zip(models[0].get_weights(), models[1].get_weights(), before):
        assert not np.allclose(expected, start)  # every weight moved
        assert_allclose(got, expected, atol=1e-5)


@on_fused_backends
def test_fused_recurrence_is_skipped_where_it_does_not_apply(monkeypatch):
    calls = _spy_on_fused_recurrence(monkeypatch)
    x = np.ones((2, 3, 4), "float32")
    LayerNormSimpleRNN(5, activation="relu")(x)
    LayerNormSimpleRNN(5)(x, mask=np.array([[True, True, False]] * 2))
    LayerNormSimpleRNN(5, recurrent_dropout=0.5)(x, training=True)
    assert not calls
    LayerNormSimpleRNN(5)(x, training=True)
    assert calls
    calls.clear()
    LayerNormSimpleRNN(5, recurrent_dropout=0.5)(x, training=False)  # recurrent dropout only matters in training
    assert calls

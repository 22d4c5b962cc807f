"""Tests for kerasrnn.layers.fused_rnn: Keras' LSTM, GRU and SimpleRNN on fused recurrences.

Every test compares with the Keras layer of the same kind holding the same
weights, on every backend: on TensorFlow our layers are Keras' layers; on
PyTorch they run `torch._VF.*` when they can, on JAX scans with hand-written
backward passes (`kerasrnn.backend.jax_fused_rnn`, no masks), and must give
the same numbers and gradients.
"""

import sys

import keras
import numpy as np
import pytest

import kerasrnn
from kerasrnn.backend import kernel
from kerasrnn.layers import fused_rnn
from tests.testing import assert_allclose, backend, check_saved_model_round_trip, run_layer_test

# kind: (our layer, Keras' layer, torch._VF kernel it runs on the torch backend)
KINDS = {
    "lstm": (fused_rnn.LSTM, keras.layers.LSTM, "lstm"),
    "gru": (fused_rnn.GRU, keras.layers.GRU, "gru"),
    "simple_rnn": (fused_rnn.SimpleRNN, keras.layers.SimpleRNN, "rnn_tanh"),
}
UNITS = 5
# Right-padded: a full row, a shorter one, a single step.
RIGHT_PADDED = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [1, 0, 0, 0, 0, 0]], bool)
LEFT_PADDED = RIGHT_PADDED[:, ::-1]

on_torch_only = pytest.mark.skipif(backend() != "torch", reason="the torch._VF kernels exist on the torch backend only")
# TensorFlow runs its fused recurrences in training only (`FOR_INFERENCE = False`).
INFERENCE_FUSED = backend() != "tensorflow"
# Masked sequences run the fused kernels on torch only (JAX and TensorFlow cannot inspect a mask's
# values inside a compiled function).
MASKS_FUSED = backend() == "torch"
# The JAX and TensorFlow fused recurrences, by the name of the torch._VF kernel of the same kind.
BACKEND_KERNELS = {"lstm": "fused_lstm", "gru": "fused_gru", "rnn_tanh": "fused_simple_rnn"}


def _torch_or_representative(representative):
    """Run every case where fused kernels exist; elsewhere (Keras' own layers) one case per test."""
    if kernel("fused_gru") is None and not representative:
        pytest.skip(f"on {backend()} these layers are Keras' layers: the representative case checks that")


def _sequences(shape=(3, 6, 4), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _make(layer_class, **kwargs):
    # Zero initializers: random ones would compile one kernel per weight shape on JAX, for nothing.
    return layer_class(UNITS, kernel_initializer="zeros", recurrent_initializer="zeros", **kwargs)


def _randomize(model, seed=1):
    """Random values for every weight, biases included, so gate order and bias layout matter."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()])


def _pair(kind, shape=(3, 6, 4), **kwargs):
    """(ours, Keras') built with the same arguments and the same random weights."""
    ours_class, keras_class, _ = KINDS[kind]
    ours, reference = _make(ours_class, **kwargs), _make(keras_class, **kwargs)
    ours.build(shape)
    reference.build(shape)
    _randomize(reference)
    ours.set_weights(reference.get_weights())
    return ours, reference


def _initial_state(kind, batch=3, seed=2):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(batch, UNITS)).astype("float32") for _ in range(2 if kind == "lstm" else 1)]


def _assert_all_close(got, expected, atol=1e-5):
    got, expected = keras.tree.flatten(got), keras.tree.flatten(expected)
    assert len(got) == len(expected)
    for index, (actual, desired) in enumerate(zip(got, expected)):
        assert_allclose(actual, desired, atol=atol, err_msg=f"output {index}")


@pytest.fixture
def fused_calls(monkeypatch):
    """Counts the runs of each fused kernel, by torch._VF name (spies that call the real one).

    On torch, the `torch._VF` kernels; on JAX and TensorFlow, the backend
    module's `fused_*` functions, counted only when they return (they raise
    NotImplementedError for what they leave to Keras' loop).
    """
    if backend() == "torch":
        import torch

        module, names = torch._VF, {name: name for name in ("lstm", "gru", "rnn_tanh", "rnn_relu")}
    else:
        module = sys.modules[kernel("fused_gru").__module__]  # the backend's fused-RNN module
        names = {name: attribute for name, attribute in BACKEND_KERNELS.items() if kernel(attribute) is not None}

    counts = {}
    for name, attribute in names.items():
        real = getattr(module, attribute)

        def spy(*args, _real=real, _name=name, **kwargs):
            result = _real(*args, **kwargs)
            counts[_name] = counts.get(_name, 0) + 1
            return result

        monkeypatch.setattr(module, attribute, spy, raising=False)
    return counts


def _has_kernel(kind):
    """Whether this backend has a fused kernel of that kind, by torch._VF name (else Keras' loop runs)."""
    if backend() == "torch":
        return True
    return kernel(BACKEND_KERNELS[kind]) is not None


def _assert_fused(fused_calls, kernel, expected=True):
    expected = expected and _has_kernel(kernel)
    if fused_calls is not None:
        assert bool(fused_calls.get(kernel)) == expected, fused_calls


# --- same outputs and states as Keras ------------------------------------------------------------


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("kind", KINDS)
def test_matches_keras(kind, return_sequences, go_backwards, fused_calls):
    _torch_or_representative(return_sequences and not go_backwards)
    arguments = dict(return_sequences=return_sequences, return_state=True, go_backwards=go_backwards)
    ours, reference = _pair(kind, **arguments)
    x, state = _sequences(), _initial_state(kind)
    _assert_all_close(ours(x, initial_state=state), reference(x, initial_state=state))
    _assert_fused(fused_calls, KINDS[kind][2], expected=INFERENCE_FUSED)
    # In training (no dropout here): the same numbers, from the fused kernel on every backend.
    got = ours(x, initial_state=state, training=True)
    _assert_all_close(got, reference(x, initial_state=state, training=True))
    _assert_fused(fused_calls, KINDS[kind][2])
    # Without an initial state: zeros, and only the output.
    ours.return_state = reference.return_state = False
    _assert_all_close(ours(x), reference(x))


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_right_padded_mask_matches_keras(kind, go_backwards, fused_calls):
    _torch_or_representative(kind == "lstm" and not go_backwards)
    x, state = _sequences(), _initial_state(kind)
    for return_sequences in (True, False):
        for zero_output_for_mask in (False, True):
            ours, reference = _pair(
                kind, return_sequences=return_sequences, return_state=True, go_backwards=go_backwards
            )
            ours.zero_output_for_mask = reference.zero_output_for_mask = zero_output_for_mask
            got = ours(x, mask=RIGHT_PADDED, initial_state=state)
            _assert_all_close(got, reference(x, mask=RIGHT_PADDED, initial_state=state))
    _assert_fused(fused_calls, KINDS[kind][2], expected=MASKS_FUSED)
    # The final state is the one after each sequence's last real step.
    ours, _ = _pair(kind, return_state=True, go_backwards=go_backwards)
    lengths = RIGHT_PADDED.sum(axis=1)
    for row, length in enumerate(lengths):
        rows = slice(row, row + 1)
        one_state = [s[rows] for s in state]
        masked = ours(x[rows], mask=RIGHT_PADDED[rows], initial_state=one_state)
        _assert_all_close(masked[1:], ours(x[rows, :length], initial_state=one_state)[1:])


@pytest.mark.parametrize("kind", KINDS)
def test_bidirectional_matches_keras(kind, fused_calls):
    _torch_or_representative(kind == "gru")
    ours_class, keras_class, kernel = KINDS[kind]
    x, mask = _sequences(), RIGHT_PADDED
    arguments = dict(return_sequences=True, return_state=True)
    ours = keras.layers.Bidirectional(_make(ours_class, **arguments))
    reference = keras.layers.Bidirectional(_make(keras_class, **arguments))
    ours.build(x.shape)
    reference.build(x.shape)
    _randomize(reference)
    ours.set_weights(reference.get_weights())
    assert isinstance(ours.forward_layer, ours_class) and isinstance(ours.backward_layer, ours_class)
    _assert_all_close(ours(x), reference(x))
    _assert_all_close(ours(x, mask=mask), reference(x, mask=mask))
    _assert_fused(fused_calls, kernel, expected=INFERENCE_FUSED)
    _assert_all_close(ours(x, training=True), reference(x, training=True))
    _assert_fused(fused_calls, kernel)


# Other configurations the fused kernels run: (kind, layer arguments).
FUSED_VARIANTS = {
    "LSTM without bias": ("lstm", {"use_bias": False}),
    "GRU without bias": ("gru", {"use_bias": False}),
    "SimpleRNN without bias": ("simple_rnn", {"use_bias": False}),
    "LSTM implementation=1": ("lstm", {"implementation": 1}),
    "GRU float64": ("gru", {"dtype": "float64"}),
    "LSTM ops.tanh, ops.sigmoid": ("lstm", {"activation": keras.ops.tanh, "recurrent_activation": keras.ops.sigmoid}),
}


@pytest.mark.parametrize("case", FUSED_VARIANTS)
def test_variants_match_keras(case, fused_calls):
    _torch_or_representative(case == "GRU without bias")
    kind, arguments = FUSED_VARIANTS[case]
    ours, reference = _pair(kind, return_sequences=True, return_state=True, **arguments)
    x, state = _sequences(), _initial_state(kind)
    _assert_all_close(ours(x, initial_state=state), reference(x, initial_state=state))
    _assert_all_close(ours(x, mask=RIGHT_PADDED), reference(x, mask=RIGHT_PADDED))
    _assert_fused(fused_calls, KINDS[kind][2], expected=INFERENCE_FUSED)
    got = ours(x, initial_state=state, training=True)
    _assert_all_close(got, reference(x, initial_state=state, training=True))
    _assert_fused(fused_calls, KINDS[kind][2])


# --- same gradients ------------------------------------------------------------------------------


def _language_model(layer_class, go_backwards, masked=True):
    """Embedding (padding id 0 masked) -> recurrent layer -> Dense, one SGD step of size 1 = minus the gradient."""
    tokens = keras.Input((6,), dtype="int32")
    x = keras.layers.Embedding(7, 4, mask_zero=masked, embeddings_initializer="zeros")(tokens)
    x = _make(layer_class, return_sequences=True, go_backwards=go_backwards)(x)
    logits = keras.layers.Dense(7, kernel_initializer="zeros")(x)
    model = keras.Model(tokens, logits)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


@pytest.mark.parametrize("masked", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_gradients_match_keras(kind, go_backwards, masked, fused_calls):
    _torch_or_representative(kind == "lstm" and go_backwards and masked)
    ours_class, keras_class, kernel = KINDS[kind]
    ours = _language_model(ours_class, go_backwards, masked)
    reference = _language_model(keras_class, go_backwards, masked)
    _randomize(reference)
    ours.set_weights(reference.get_weights())
    rng = np.random.default_rng(3)
    tokens = rng.integers(1, 7, size=(4, 6))
    if masked:
        tokens[1, 4:] = tokens[2, 2:] = 0  # right padding, masked by the embedding
    targets = rng.integers(0, 7, size=(4, 6))
    before = reference.get_weights()
    losses = [model.train_on_batch(tokens, targets) for model in (ours, reference)]
    assert_allclose(losses[0], losses[1])
    for got, expected, start in zip(ours.get_weights(), reference.get_weights(), before):
        assert not np.allclose(expected, start)  # the step moved every weight
        assert_allclose(got, expected)
    _assert_fused(fused_calls, kernel, expected=MASKS_FUSED or not masked)


@pytest.mark.parametrize("kind", KINDS)
def test_stateful_training_matches_keras(kind, fused_calls):
    _torch_or_representative(kind == "simple_rnn")
    # The states are updated in place after each call: training must not break autograd.
    # (Keras 3.15's own torch LSTM/GRU loop fails here: the reference runs the generic one.)
    ours_class, keras_class, kernel = KINDS[kind]
    generic = {} if kind == "simple_rnn" else {"use_cudnn": False}
    models = []
    for layer_class, arguments in ((ours_class, {}), (keras_class, generic)):
        layer = _make(layer_class, stateful=True, **arguments)
        model = keras.Sequential([keras.Input(batch_shape=(3, 6, 4)), layer, keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        models.append(model)
    _randomize(models[1])
    models[0].set_weights(models[1].get_weights())
    x, y = _sequences(), np.ones((3, 1), "float32")
    for _ in range(2):
        losses = [model.train_on_batch(x, y) for model in models]
        assert_allclose(losses[0], losses[1])
    _assert_all_close(models[0].get_weights(), models[1].get_weights())
    _assert_all_close(models[0].layers[0].states, models[1].layers[0].states)
    _assert_fused(fused_calls, kernel)


# --- the generic loop for what the kernels cannot do ---------------------------------------------

FALLBACKS = {
    "left-padded mask": ("lstm", {}, LEFT_PADDED),
    "mask with a hole": ("gru", {}, np.array([[1, 0, 1, 1, 1, 1]] * 3, bool)),
    "empty sequence": ("simple_rnn", {}, np.array([[1] * 6, [0] * 6, [1] * 6], bool)),
    "custom activation": ("lstm", {"activation": "relu"}, None),
    "hard_sigmoid gates": ("gru", {"recurrent_activation": "hard_sigmoid"}, None),
    "GRU reset_after=False": ("gru", {"reset_after": False}, None),
    "unroll": ("lstm", {"unroll": True}, None),
    "use_cudnn=False": ("gru", {"use_cudnn": False}, None),
    "SimpleRNN linear": ("simple_rnn", {"activation": None}, None),
}


@pytest.mark.parametrize("case", FALLBACKS)
def test_unsupported_configurations_fall_back_and_match_keras(case, fused_calls):
    _torch_or_representative(case == "left-padded mask")
    kind, arguments, mask = FALLBACKS[case]
    ours, reference = _pair(kind, return_sequences=True, return_state=True, **arguments)
    x, state = _sequences(), _initial_state(kind)
    _assert_all_close(ours(x, mask=mask, initial_state=state), reference(x, mask=mask, initial_state=state))
    _assert_fused(fused_calls, KINDS[kind][2], expected=False)


@pytest.mark.parametrize("kind", KINDS)
def test_dropout_in_training_matches_keras(kind, fused_calls):
    _torch_or_representative(kind == "gru")
    x = _sequences()
    # Input dropout only: the fused kernel runs on the sequence times Keras' one-per-sequence mask.
    ours, reference = _pair(kind, return_sequences=True, dropout=0.3, seed=7)
    _assert_all_close(ours(x, training=True), reference(x, training=True))
    _assert_fused(fused_calls, KINDS[kind][2])
    # Recurrent dropout: the generic loop while training, the fused kernel at inference.
    if fused_calls is not None:
        fused_calls.clear()
    ours, reference = _pair(kind, return_sequences=True, dropout=0.3, recurrent_dropout=0.3, seed=7)
    _assert_all_close(ours(x, training=True), reference(x, training=True))
    _assert_fused(fused_calls, KINDS[kind][2], expected=False)
    _assert_all_close(ours(x, training=False), reference(x, training=False))
    _assert_fused(fused_calls, KINDS[kind][2], expected=INFERENCE_FUSED)


@on_torch_only
def test_relu_simple_rnn_runs_the_relu_kernel(fused_calls):
    ours, reference = _pair("simple_rnn", return_sequences=True, activation="relu")
    x = _sequences()
    _assert_all_close(ours(x, mask=RIGHT_PADDED), reference(x, mask=RIGHT_PADDED))
    _assert_fused(fused_calls, "rnn_relu")


@on_torch_only
def test_kernel_function_rejects_an_unknown_activation():
    from kerasrnn.backend import torch_fused_rnn

    ours, _ = _pair("simple_rnn")
    cell = ours.cell
    with pytest.raises(ValueError, match="activation='sigmoid'"):
        torch_fused_rnn.fused_simple_rnn(
            _sequences(), np.zeros((3, UNITS), "float32"), cell.kernel, cell.recurrent_kernel, cell.bias,
            activation="sigmoid",
        )


# --- Keras' configuration and weights ------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_config_and_weights_are_keras(kind, tmp_path):
    _torch_or_representative(kind == "lstm")
    ours_class, keras_class, _ = KINDS[kind]
    ours, reference = _make(ours_class, name="rnn"), _make(keras_class, name="rnn")
    assert ours.get_config() == reference.get_config()

    def model(layer_class):
        return keras.Sequential([keras.Input((6, 4)), _make(layer_class, name="rnn"), keras.layers.Dense(2)])

    x = _sequences()
    # Config and .keras round trips, and one training step, of ours.
    arguments = {"units": UNITS, "kernel_initializer": "zeros", "recurrent_initializer": "zeros"}
    run_layer_test(ours_class, arguments, x, expected_output_shape=(3, UNITS))
    # A Keras weights file loads into ours and ours into Keras' model.
    for source_class, target_class in ((keras_class, ours_class), (ours_class, keras_class)):
        source, target = model(source_class), model(target_class)
        _randomize(source)
        path = str(tmp_path / f"{source_class.__module__}.weights.h5")
        source.save_weights(path)
        target.load_weights(path)
        assert_allclose(target(x), source(x))


@pytest.mark.parametrize("kind", KINDS)
def test_saved_model_round_trip(kind, tmp_path):
    _torch_or_representative(kind == "gru")
    ours_class = KINDS[kind][0]
    inputs = keras.Input((6, 4))
    x = keras.layers.Bidirectional(_make(ours_class, return_sequences=True))(inputs)
    outputs = _make(ours_class)(x)
    model = keras.Model(inputs, outputs)
    _randomize(model)
    path = check_saved_model_round_trip(model, _sequences(), tmp_path)  # same outputs after a reload
    # Ours come back, not Keras' layers of the same name, inside Bidirectional too.
    loaded = keras.saving.load_model(path)
    assert type(loaded.layers[-1]) is ours_class
    assert type(loaded.layers[1].forward_layer) is ours_class


# --- the zoo builds these layers by default ------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_factory_builds_the_fused_layers(kind):
    layer = kerasrnn.layers.make_recurrent_layer(kind, UNITS)
    assert type(layer) is KINDS[kind][0]
    assert isinstance(layer, KINDS[kind][1])  # still Keras' layer for code that checks


def test_language_model_training_runs_the_fused_kernel(fused_calls):
    model = kerasrnn.models.build_language_model(11, cell_type="lstm", embedding_dim=4, hidden_units=UNITS,
                                                 num_layers=2)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ids = np.random.default_rng(0).integers(0, 11, size=(4, 9))
    model.train_on_batch(ids[:, :-1], ids[:, 1:])
    _assert_fused(fused_calls, "lstm")

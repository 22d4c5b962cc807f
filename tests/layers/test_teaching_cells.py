import keras
import numpy as np
import pytest

from kerasrnn.layers.teaching_cells import ElmanCell
from kerasrnn.layers.teaching_cells import JordanCell
from kerasrnn.layers.teaching_cells import OutputFeedbackCell
from kerasrnn.layers.teaching_cells import teacher_forcing_inputs
from tests.testing import assert_allclose
from tests.testing import run_layer_test
from tests.testing import to_numpy

BATCH, TIME, FEATURES, UNITS, OUTPUTS = 3, 5, 4, 6, 2


def _random_weights(layer, scale=0.5, seed=0):
    """Replace every weight of `layer` with N(0, scale^2) draws, biases included."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(scale=scale, size=w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


def _sequence(seed=1, features=FEATURES):
    return np.random.default_rng(seed).normal(size=(BATCH, TIME, features)).astype("float32")


def _rnn(cell, **kwargs):
    # Unrolled: on JAX an eager (uncompiled) scan is traced and compiled again on every call.
    return keras.layers.RNN(cell, unroll=True, **kwargs)


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# NumPy loops straight from the equations in the docstrings.


def elman_numpy(x, Wx, Wh, b, h):
    outputs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        outputs.append(h)
    return np.stack(outputs, axis=1)


def jordan_numpy(x, Wx, Wy, b, Wo, c, output_activation=lambda z: z):
    y = np.zeros((x.shape[0], Wo.shape[1]), "float32")
    outputs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + y @ Wy + b)
        y = output_activation(h @ Wo + c)
        outputs.append(y)
    return np.stack(outputs, axis=1)


def feedback_numpy(x, Wx, b, Wo, Wyy, c, previous_targets=None):
    """Free-running when `previous_targets` is None, else uses previous_targets[:, t] as y_{t-1}."""
    y = np.zeros((x.shape[0], Wo.shape[1]), "float32")
    outputs = []
    for t in range(x.shape[1]):
        y_previous = y if previous_targets is None else previous_targets[:, t]
        h = np.tanh(x[:, t] @ Wx + b)
        y = h @ Wo + y_previous @ Wyy + c
        outputs.append(y)
    return np.stack(outputs, axis=1)


def test_elman_equals_simple_rnn_with_copied_weights():
    x = _sequence()
    elman = _rnn(ElmanCell(UNITS), return_sequences=True, return_state=True)
    elman(x)
    weights = _random_weights(elman)
    simple = keras.layers.SimpleRNN(
        UNITS,
        kernel_initializer="zeros",  # overwritten below
        recurrent_initializer="zeros",
        return_sequences=True,
        return_state=True,
        unroll=True,
    )
    simple(x)
    simple.set_weights(weights)  # [Wx, Wh, b] == [kernel, recurrent_kernel, bias]
    elman_sequence, elman_state = elman(x)
    simple_sequence, simple_state = simple(x)
    assert_allclose(elman_sequence, simple_sequence)
    assert_allclose(elman_state, simple_state)


def test_elman_matches_the_from_scratch_formula():
    x = _sequence()
    h0 = np.random.default_rng(2).normal(size=(BATCH, UNITS)).astype("float32")
    rnn = _rnn(ElmanCell(UNITS), return_sequences=True)
    rnn(x)
    Wx, Wh, b = _random_weights(rnn)
    assert [w.name for w in rnn.weights] == ["Wx", "Wh", "b"]
    assert_allclose(rnn(x, initial_state=[h0]), elman_numpy(x, Wx, Wh, b, h0))


def test_elman_default_initialization_is_the_notebook_one():
    cell = ElmanCell(64, seed=3)
    cell.build((None, 64))
    Wx, Wh, b = (to_numpy(w) for w in cell.weights)
    assert abs(Wx.std() - 0.01) < 0.001 and abs(Wh.std() - 0.01) < 0.001
    assert not np.allclose(Wx, Wh)  # separate seeds
    np.testing.assert_array_equal(b, 0.0)
    again = ElmanCell(64, seed=3)
    again.build((None, 64))
    np.testing.assert_array_equal(to_numpy(again.weights[0]), Wx)


def test_cells_work_in_rnn_with_defaults():
    x = _sequence()
    assert keras.layers.RNN(ElmanCell(UNITS))(x).shape == (BATCH, UNITS)
    assert keras.layers.RNN(JordanCell(UNITS))(x).shape == (BATCH, UNITS)
    assert keras.layers.RNN(OutputFeedbackCell(UNITS))(x).shape == (BATCH, UNITS)


def test_jordan_matches_numpy_loop():
    x = _sequence()
    rnn = _rnn(JordanCell(UNITS, output_units=OUTPUTS), return_sequences=True)
    rnn(x)
    Wx, Wy, b, Wo, c = _random_weights(rnn)
    assert Wy.shape == (OUTPUTS, UNITS) and Wo.shape == (UNITS, OUTPUTS)
    assert_allclose(rnn(x), jordan_numpy(x, Wx, Wy, b, Wo, c))

    softmax_rnn = _rnn(
        JordanCell(UNITS, output_units=OUTPUTS, output_activation="softmax"), return_sequences=True
    )
    softmax_rnn(x)
    softmax_rnn.set_weights([Wx, Wy, b, Wo, c])
    assert_allclose(softmax_rnn(x), jordan_numpy(x, Wx, Wy, b, Wo, c, _softmax))


def test_teacher_forcing_inputs_shift_targets_right():
    x = _sequence()
    y = np.random.default_rng(3).normal(size=(BATCH, TIME, OUTPUTS)).astype("float32")
    combined = to_numpy(teacher_forcing_inputs(x, y))
    assert combined.shape == (BATCH, TIME, FEATURES + OUTPUTS)
    np.testing.assert_array_equal(combined[..., :FEATURES], x)
    np.testing.assert_array_equal(combined[:, 0, FEATURES:], 0.0)
    np.testing.assert_array_equal(combined[:, 1:, FEATURES:], y[:, :-1])
    start = np.ones((BATCH, OUTPUTS), "float32")
    np.testing.assert_array_equal(to_numpy(teacher_forcing_inputs(x, y, start))[:, 0, FEATURES:], start)


def test_teacher_forced_versus_free_running():
    x = _sequence()
    free = _rnn(OutputFeedbackCell(UNITS, output_units=OUTPUTS), return_sequences=True)
    free(x)
    Wx, b, Wo, Wyy, c = _random_weights(free)
    assert [w.name for w in free.weights] == ["Wx", "b", "Wo", "Wyy", "c"]
    free_outputs = to_numpy(free(x))
    assert_allclose(free_outputs, feedback_numpy(x, Wx, b, Wo, Wyy, c))  # fed its own outputs
    forced = _rnn(
        OutputFeedbackCell(UNITS, output_units=OUTPUTS, teacher_forcing=True), return_sequences=True
    )
    forced.build((None, TIME, FEATURES + OUTPUTS))
    forced.set_weights([Wx, b, Wo, Wyy, c])  # same shapes in both modes

    # Forced with arbitrary targets: every step uses the given y*_{t-1}, not its own output.
    targets = np.random.default_rng(4).normal(size=(BATCH, TIME, OUTPUTS)).astype("float32")
    forced_outputs = to_numpy(forced(teacher_forcing_inputs(x, targets)))
    previous_targets = np.concatenate([np.zeros_like(targets[:, :1]), targets[:, :-1]], axis=1)
    assert_allclose(forced_outputs, feedback_numpy(x, Wx, b, Wo, Wyy, c, previous_targets))
    assert np.abs(forced_outputs[:, 1:] - free_outputs[:, 1:]).min() > 1e-4
    assert_allclose(forced_outputs[:, 0], free_outputs[:, 0])  # both start from y_0 = 0

    # Forced with the free run's own outputs as targets: the two modes agree.
    assert_allclose(forced(teacher_forcing_inputs(x, free_outputs)), free_outputs)


def test_teacher_forcing_rejects_inputs_without_targets():
    rnn = _rnn(OutputFeedbackCell(UNITS, output_units=OUTPUTS, teacher_forcing=True))
    with pytest.raises(ValueError, match="teacher_forcing_inputs"):
        rnn(_sequence(features=OUTPUTS))


def _delay_data(samples=64):
    x = np.random.default_rng(5).uniform(-1, 1, size=(samples, 8, 1)).astype("float32")
    delayed = np.concatenate([np.zeros_like(x[:, :1]), x[:, :-1]], axis=1)  # y_t = x_{t-1}
    return x, delayed


def _smoothed_data(samples=64):
    x = np.random.default_rng(6).uniform(-1, 1, size=(samples, 8, 1)).astype("float32")
    y = np.zeros_like(x)
    previous = np.zeros_like(x[:, 0])
    for t in range(x.shape[1]):
        previous = 0.5 * previous + 0.5 * x[:, t]  # y_t = 0.5 y_{t-1} + 0.5 x_t
        y[:, t] = previous
    return x, y


def _fit(model, x, y):
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    losses = model.fit(x, y, epochs=8, batch_size=32, verbose=0).history["loss"]
    return losses[0], losses[-1]


def test_elman_learns_to_delay_its_input():
    x, y = _delay_data()
    inputs = keras.Input((None, 1))
    hidden = keras.layers.RNN(ElmanCell(UNITS, seed=0), return_sequences=True)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    first, last = _fit(model, x, y)
    assert last < 0.2 * first


def test_jordan_learns_a_smoothing_recurrence():
    x, y = _smoothed_data()
    inputs = keras.Input((None, 1))
    outputs = keras.layers.RNN(JordanCell(UNITS, output_units=1, seed=0), return_sequences=True)(inputs)
    first, last = _fit(keras.Model(inputs, outputs), x, y)
    assert last < 0.2 * first


def test_output_feedback_trains_teacher_forced_and_generates_free_running():
    x, y = _smoothed_data()
    x_in = keras.Input((None, 1))
    y_in = keras.Input((None, 1))
    forced = keras.layers.RNN(
        OutputFeedbackCell(UNITS, output_units=1, teacher_forcing=True, seed=0), return_sequences=True
    )
    model = keras.Model([x_in, y_in], forced(teacher_forcing_inputs(x_in, y_in)))
    first, last = _fit(model, [x, y], y)
    assert last < 0.2 * first

    free = _rnn(OutputFeedbackCell(UNITS, output_units=1), return_sequences=True)
    free.build((None, None, 1))
    free.set_weights(forced.get_weights())
    generated = to_numpy(free(x))
    assert np.mean((generated - y) ** 2) < 0.2 * np.mean(y**2)


@pytest.mark.parametrize(
    "cell_class, arguments, features",
    [
        (ElmanCell, dict(units=UNITS, activation="relu", stddev=0.2, seed=1), FEATURES),
        (JordanCell, dict(units=UNITS, output_units=OUTPUTS, output_activation="softmax", seed=2), FEATURES),
        (OutputFeedbackCell, dict(units=UNITS, output_units=OUTPUTS, teacher_forcing=True, stddev=0.5, seed=3),
         FEATURES + OUTPUTS),
    ],
    ids=["ElmanCell", "JordanCell", "OutputFeedbackCell"],
)
def test_config_saving_and_training(cell_class, arguments, features):
    # Saving on one backend and loading on another is the cross-backend suite's job (tests/cross_backend).
    model = run_layer_test(cell_class, arguments, _sequence(features=features),
                           wrap=lambda cell: _rnn(cell, return_sequences=True))
    config = model.layers[-1].cell.get_config()
    assert config["seed"] is not None and isinstance(config["stddev"], float)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: ElmanCell(0), "units=0"),
        (lambda: ElmanCell(2.5), "units=2.5"),
        (lambda: ElmanCell(4, stddev=0), "stddev=0"),
        (lambda: ElmanCell(4, seed="a"), "seed='a'"),
        (lambda: JordanCell(-1), "units=-1"),
        (lambda: JordanCell(4, output_units=0), "output_units=0"),
        (lambda: OutputFeedbackCell(True), "units=True"),
        (lambda: OutputFeedbackCell(4, teacher_forcing="yes"), "teacher_forcing='yes'"),
    ],
)
def test_bad_arguments_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make()

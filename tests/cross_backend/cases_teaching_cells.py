"""Cross-backend cases for the teaching cells, each inside `keras.layers.RNN`."""

import keras
import numpy as np

from kerasrnn.layers.teaching_cells import ElmanCell
from kerasrnn.layers.teaching_cells import JordanCell
from kerasrnn.layers.teaching_cells import OutputFeedbackCell
from kerasrnn.layers.teaching_cells import teacher_forcing_inputs

BATCH, TIME, FEATURES, UNITS, OUTPUTS = 2, 5, 3, 4, 2
# Larger than the notebook's 0.01 so outputs are far from zero and differences show.
STDDEV = 0.4


def _rnn(cell, features):
    # Build the cell before wrapping it: a cell built inside `keras.layers.RNN` gets the weight
    # paths "rnn/<cell>/..." but "<cell>/..." once the model is reloaded (a Keras quirk, the same
    # for `keras.layers.SimpleRNNCell`), and the harness matches gradients by weight path.
    cell.build((None, features))
    return keras.layers.RNN(cell, return_sequences=True)


def _sequence(features=FEATURES, seed=0):
    return np.random.default_rng(seed).normal(size=(BATCH, TIME, features)).astype("float32")


def build_elman():
    inputs = keras.Input((TIME, FEATURES))
    outputs = _rnn(ElmanCell(UNITS, stddev=STDDEV, seed=0), FEATURES)(inputs)
    return keras.Model(inputs, outputs), _sequence()


def build_jordan():
    inputs = keras.Input((TIME, FEATURES))
    cell = JordanCell(UNITS, output_units=OUTPUTS, output_activation="softmax", stddev=STDDEV, seed=1)
    outputs = _rnn(cell, FEATURES)(inputs)
    return keras.Model(inputs, outputs), _sequence()


def build_output_feedback_free_running():
    inputs = keras.Input((TIME, FEATURES))
    cell = OutputFeedbackCell(UNITS, output_units=OUTPUTS, stddev=STDDEV, seed=2)
    outputs = _rnn(cell, FEATURES)(inputs)
    return keras.Model(inputs, outputs), _sequence()


def build_output_feedback_teacher_forced():
    inputs = keras.Input((TIME, FEATURES))
    targets = keras.Input((TIME, OUTPUTS))
    cell = OutputFeedbackCell(UNITS, output_units=OUTPUTS, teacher_forcing=True, stddev=STDDEV, seed=3)
    outputs = _rnn(cell, FEATURES + OUTPUTS)(teacher_forcing_inputs(inputs, targets))
    return keras.Model([inputs, targets], outputs), [_sequence(), _sequence(features=OUTPUTS, seed=1)]


CASES = {
    "elman_cell": build_elman,
    "jordan_cell": build_jordan,
    "output_feedback_cell_free_running": build_output_feedback_free_running,
    "output_feedback_cell_teacher_forced": build_output_feedback_teacher_forced,
}

"""Training helpers: NaN handling keeps the last good model; atomic checkpoints; clipping on by default."""

import os

import numpy as np
import pytest

import keras

from kerasrnn.training import NaNLossError
from kerasrnn.training import StopOnNaN
from kerasrnn.training import check_no_nan
from kerasrnn.training import recurrent_optimizer
from kerasrnn.training import standard_callbacks


class PoisonWeights(keras.callbacks.Callback):
    """Set the first kernel to NaN at the start of `epoch` (a learning rate gone wrong, made certain)."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            kernel = self.model.layers[-1].kernel
            kernel.assign(np.full(kernel.shape, np.nan, "float32"))


def test_nan_stops_the_run_keeps_the_best_model_and_drops_the_backup(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = x @ rng.normal(size=(4, 1)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=recurrent_optimizer(1e-2), loss="mse")
    callbacks = standard_callbacks(tmp_path)
    history = model.fit(x, y, validation_data=(x, y), epochs=5, batch_size=16, verbose=0,
                        callbacks=callbacks + [PoisonWeights(epoch=2)])
    assert len(history.history["loss"]) == 3  # stopped in the third epoch
    stop = next(c for c in callbacks if isinstance(c, StopOnNaN))
    assert stop.nan_at == (2, 0)
    with pytest.raises(NaNLossError, match=r"epoch 3, batch 0: lower --learning-rate.*best\.keras"):
        check_no_nan(callbacks, tmp_path)
    assert not (tmp_path / "backup").exists()  # a rerun starts afresh, not from NaN weights
    best = keras.saving.load_model(tmp_path / "checkpoints" / "best.keras")
    assert all(np.all(np.isfinite(w)) for w in best.get_weights())
    assert [f for f in os.listdir(tmp_path / "checkpoints") if f != "best.keras"] == []  # no temp files left


def test_no_nan_no_error(tmp_path):
    callbacks = standard_callbacks(tmp_path)
    check_no_nan(callbacks, tmp_path)


def test_gradient_clipping_is_on_by_default():
    assert recurrent_optimizer().clipnorm == 1.0
    assert recurrent_optimizer(clipnorm=None).clipnorm is None

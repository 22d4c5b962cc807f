"""Training helpers: NaN handling keeps the last good model; atomic checkpoints; clipping on by default."""

import os

import numpy as np
import pytest

import keras

from kerasrnn.training import DIVERGENCE_FACTOR
from kerasrnn.training import EpochTimer
from kerasrnn.training import LastWeights
from kerasrnn.training import NaNLossError
from kerasrnn.training import StopOnNaN
from kerasrnn.training import check_loss
from kerasrnn.training import check_no_nan
from kerasrnn.training import loss_diverged
from kerasrnn.training import recurrent_optimizer
from kerasrnn.training import standard_callbacks


class PoisonWeights(keras.callbacks.Callback):
    """Set the last kernel to `value` before `batch` of `epoch` (a learning rate gone wrong, made certain)."""

    def __init__(self, epoch, value=np.nan, batch=0):
        super().__init__()
        self.epoch, self.batch, self.value = epoch, batch, value

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if (self._epoch, batch) == (self.epoch, self.batch):
            kernel = self.model.layers[-1].kernel
            kernel.assign(np.full(kernel.shape, self.value, "float32"))


def _fit_and_poison(tmp_path, value, epoch=2, batch=0):
    """A regression fit whose weights become `value` before `batch` of `epoch` (from 0); it must stop there."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = x @ rng.normal(size=(4, 1)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=recurrent_optimizer(1e-2), loss="mse")
    callbacks = standard_callbacks(tmp_path)
    history = model.fit(x, y, validation_data=(x, y), epochs=5, batch_size=16, verbose=0, shuffle=False,
                        callbacks=callbacks + [PoisonWeights(epoch, value, batch)])
    assert len(history.history["loss"]) == epoch + 1  # stopped in that epoch
    stop = next(c for c in callbacks if isinstance(c, StopOnNaN))
    assert stop.nan_at == (epoch, batch)
    return callbacks, stop, history, x, y


@pytest.mark.parametrize(
    "value, shown", [(np.nan, r"NaN"), (1e12, r"\d\.\d+e\+\d\d \(from [\d.]+ at the start\)")], ids=["nan", "finite"]
)
def test_divergence_stops_the_run_keeps_the_best_model_and_drops_the_backup(tmp_path, value, shown):
    # NaN weights give a NaN loss; weights of 1e12 a finite loss of about 1e25, far past DIVERGENCE_FACTOR.
    callbacks, stop, history, _, _ = _fit_and_poison(tmp_path, value)
    with pytest.raises(NaNLossError, match=rf"^the loss became {shown} at epoch 3, batch 0: lower --learning-rate"
                                           rf".*best\.keras"):
        check_no_nan(callbacks, tmp_path)
    assert not (tmp_path / "backup").exists()  # a rerun starts afresh, not from the diverged weights
    best = keras.saving.load_model(tmp_path / "checkpoints" / "best.keras")
    # The checkpoint holds epoch 2's model, not the diverged one (whose val_loss may still be finite).
    assert min(history.history["val_loss"][:2]) < 100
    assert all(np.all(np.abs(w) < 100) for w in best.get_weights())
    assert [f for f in os.listdir(tmp_path / "checkpoints") if f != "best.keras"] == []  # no temp files left


def test_finite_divergence_is_measured_against_the_first_batch_loss(tmp_path):
    _, stop, _, x, y = _fit_and_poison(tmp_path, 1e12)
    # The first logged loss is batch 0 of epoch 1 (16 rows), before any update; the run's later losses
    # are over 1e6 times it only after the poisoning.
    assert 0 < stop.start_loss < 100
    assert stop.loss > DIVERGENCE_FACTOR * max(1.0, stop.start_loss)
    kernel_loss = float(np.mean((x[:16] @ np.full((4, 1), 1e12) - y[:16]) ** 2))  # the poisoned model, bias aside
    np.testing.assert_allclose(stop.loss, kernel_loss, rtol=1e-3)


def test_a_finite_divergence_in_the_first_epoch_saves_no_model(tmp_path):
    # The diverged epoch ends with a finite val_loss of about 1e25, better than no model at all: the
    # checkpoint must still not keep it.
    callbacks, _, history, _, _ = _fit_and_poison(tmp_path, 1e12, epoch=0, batch=2)
    assert np.isfinite(history.history["val_loss"][0])
    with pytest.raises(NaNLossError, match=r"at epoch 1, batch 2: lower --learning-rate \(or keep gradient clipping on\)$"):
        check_no_nan(callbacks, tmp_path)
    assert not (tmp_path / "checkpoints" / "best.keras").exists()
    assert not (tmp_path / "backup").exists()


def test_loss_diverged_bounds():
    assert DIVERGENCE_FACTOR == 1e6
    assert loss_diverged(float("nan"), 4.0) and loss_diverged(float("inf"), 4.0) and loss_diverged(-np.inf, 4.0)
    assert not loss_diverged(4e6, 4.0) and loss_diverged(4.0001e6, 4.0)  # 1e6 x the start
    assert not loss_diverged(1e6, 1e-3) and loss_diverged(1.0001e6, 1e-3)  # the floor: 1e6 x 1
    assert not loss_diverged(1e30, float("nan"))  # no usable start: only NaN/inf count
    assert not loss_diverged(np.float32(3.5), 4.0)


def test_check_loss_messages():
    check_loss(2.0, 4.0, "epoch 1")  # fine: no error
    with pytest.raises(NaNLossError, match=r"^the loss became NaN at epoch 2 \(per epoch: \[1, nan\]\): lower x$"):
        check_loss(float("nan"), 4.0, "epoch 2 (per epoch: [1, nan])", advice="lower x")
    with pytest.raises(NaNLossError, match=r"^the loss became infinite at epoch 1, batch 5: lower --learning-rate "
                                           r"\(or keep gradient clipping on\); kept$"):
        check_loss(float("inf"), 4.0, "epoch 1, batch 5", detail="; kept")
    with pytest.raises(NaNLossError, match=r"^the loss became 1\.47e\+31 \(from 4\.09 at the start\) at epoch 1, "
                                           r"batch 1: lower --learning-rate"):
        check_loss(1.47e31, 4.09, "epoch 1, batch 1")


def test_no_nan_no_error(tmp_path):
    callbacks = standard_callbacks(tmp_path)
    check_no_nan(callbacks, tmp_path)


def test_gradient_clipping_is_on_by_default():
    assert recurrent_optimizer().clipnorm == 1.0
    assert recurrent_optimizer(clipnorm=None).clipnorm is None


def test_weight_decay_gives_adamw_with_clipping():
    optimizer = recurrent_optimizer(1e-3, weight_decay=0.01)
    assert isinstance(optimizer, keras.optimizers.AdamW)
    assert optimizer.weight_decay == 0.01 and optimizer.clipnorm == 1.0
    plain = recurrent_optimizer(1e-3, weight_decay=0.0)  # a backend's own Adam subclass on torch
    assert isinstance(plain, keras.optimizers.Adam) and not isinstance(plain, keras.optimizers.AdamW)


def _regression_fit(callbacks, epochs, initial_epoch=0):
    """A small linear regression fitted with `callbacks`; returns the model and its `History`."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = x @ rng.normal(size=(4, 1)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=recurrent_optimizer(1e-2), loss="mse", metrics=["mae"])
    history = model.fit(x, y, validation_data=(x, y), epochs=epochs, initial_epoch=initial_epoch, batch_size=16,
                        verbose=0, callbacks=callbacks)
    return model, history


def _fit_with_standard_callbacks(output_dir, epochs):
    return _regression_fit(standard_callbacks(output_dir), epochs)[1]


def test_history_csv_has_one_row_per_epoch_and_a_resumed_run_appends(tmp_path):
    import csv

    output_dir = tmp_path / "run"  # created by standard_callbacks
    history = _fit_with_standard_callbacks(output_dir, epochs=3)
    with open(output_dir / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    assert {"loss", "mae", "val_loss", "val_mae"} <= set(rows[0])
    np.testing.assert_allclose([float(row["val_loss"]) for row in rows], history.history["val_loss"], rtol=1e-5)

    (output_dir / "backup").mkdir()  # what an interrupted run leaves: the next run resumes and appends
    _fit_with_standard_callbacks(output_dir, epochs=1)
    with open(output_dir / "history.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == 4
    _fit_with_standard_callbacks(output_dir, epochs=2)  # the backup is gone: a fresh run starts a new file
    with open(output_dir / "history.csv", newline="") as f:
        assert [row["epoch"] for row in csv.DictReader(f)] == ["0", "1"]


class RecordWeights(keras.callbacks.Callback):
    """Every epoch's end-of-epoch weights, for comparison."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def test_epoch_timer_counts_each_epoch_once_and_a_resumed_run_keeps_the_earlier_ones(tmp_path):
    timer = EpochTimer(tmp_path / "backup")
    _regression_fit([timer], epochs=3)
    assert len(timer.seconds) == 3 and all(seconds > 0 for seconds in timer.seconds)
    resumed = EpochTimer(tmp_path / "backup")  # a new process finds the record
    np.testing.assert_allclose(resumed.seconds, timer.seconds)
    _regression_fit([resumed], epochs=4, initial_epoch=2)  # redoes epoch 3, adds epoch 4
    assert len(resumed.seconds) == 4
    assert resumed.seconds[:2] == pytest.approx(timer.seconds[:2])
    assert resumed.seconds[2] != timer.seconds[2]


def test_epoch_timer_without_validation(tmp_path):
    timer = EpochTimer(tmp_path)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 2), "float32"), np.ones((8, 1), "float32"), epochs=2, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 2


def test_last_weights_average_the_last_epochs_and_survive_a_restart(tmp_path):
    last, record = LastWeights(2, tmp_path / "backup"), RecordWeights()
    model, _ = _regression_fit([last, record], epochs=3)
    assert len(last.kept) == 2
    expected = [(a + b) / 2 for a, b in zip(record.weights[1], record.weights[2])]
    for got, want in zip(last.average(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert not np.allclose(last.average()[0], model.get_weights()[0])  # the mean differs from the last epoch's
    restarted = LastWeights(2, tmp_path / "backup")
    for got, want in zip(restarted.average(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_last_weights_rejects_a_bad_count_and_an_empty_average(tmp_path):
    with pytest.raises(ValueError, match=r"count must be an integer >= 1, received 0"):
        LastWeights(0, tmp_path)
    with pytest.raises(ValueError, match=r"no weights kept yet"):
        LastWeights(2, tmp_path).average()

"""Training helpers shared by the recipes: callbacks, divergence checks, model cards and training curves."""

import contextlib
import csv
import json
import math
import os
import time

import keras
import numpy as np

from kerasrnn.io_utils import atomic_path
from kerasrnn.io_utils import atomic_write_json
from kerasrnn.io_utils import save_figure
from kerasrnn.utils.validation import check_choice


DIVERGENCE_FACTOR = 1e6
"""How far above its start a finite loss may climb before training counts as diverged.

A loss over `DIVERGENCE_FACTOR * max(1, start)` stops the run as a NaN does.
Cross-entropy starts near `ln(classes)` (4.1 for 60 characters) and goes
down: a million times that puts probability `e^-4e6` on the right class,
i.e. the logits have blown up. A mean squared error starts near the targets'
variance: a million times that is predictions a thousand times the targets'
spread. A run that is learning reaches neither, however noisy its batches;
the floor of 1 keeps a run that starts near a perfect fit (a tiny loss) from
being stopped by noise. (`--learning-rate 1e30` gives a loss of about 1e31.)
"""

DIVERGENCE_ADVICE = "lower --learning-rate (or keep gradient clipping on)"


class NaNLossError(RuntimeError):
    """Training produced a NaN, infinite or diverging loss (see `loss_diverged`) and was stopped."""


def loss_diverged(loss, start):
    """Whether `loss` says training diverged: NaN, infinite, or over `DIVERGENCE_FACTOR * max(1, start)`.

    Args:
        loss: the loss now (a float).
        start: the loss the run started from (its first batch's, or the
            untrained model's); a NaN or infinite `start` leaves only the
            NaN/inf test.

    Example:

    ```python
    loss_diverged(float("nan"), 4.1)  # True
    loss_diverged(1.5e31, 4.1)  # True: over 4.1e6
    loss_diverged(2e6, 4.1)  # False
    ```
    """
    loss, start = float(loss), float(start)
    if not math.isfinite(loss):
        return True
    return math.isfinite(start) and loss > DIVERGENCE_FACTOR * max(1.0, abs(start))


def check_loss(loss, start, where, advice=DIVERGENCE_ADVICE, detail=""):
    """Raise `NaNLossError` with a one-line message if `loss_diverged(loss, start)`.

    The message reads `the loss became <NaN | infinite | 1.5e+31 (from 4.1 at
    the start)> at <where>: <advice><detail>`. Training loops that do not use
    `fit` (e.g. `SkipGramTrainer`) call it on each epoch's loss; `fit` runs
    get it through `StopOnNaN` and `check_no_nan`.

    Args:
        loss: the loss now; start: the loss the run started from.
        where: where it happened, e.g. `"epoch 3, batch 0"`.
        advice: what to do. Defaults to `DIVERGENCE_ADVICE`.
        detail: text appended to the message. Defaults to `""`.

    Example:

    ```python
    check_loss(1.5e31, 4.1, "epoch 1, batch 3")
    # NaNLossError: the loss became 1.5e+31 (from 4.1 at the start) at epoch 1, batch 3: lower --learning-rate ...
    ```
    """
    if not loss_diverged(loss, start):
        return
    loss = float(loss)
    if math.isnan(loss):
        value = "NaN"
    elif math.isinf(loss):
        value = "infinite"
    else:
        value = f"{loss:.3g} (from {float(start):.3g} at the start)"
    raise NaNLossError(f"the loss became {value} at {where}: {advice}{detail}")


class StopOnNaN(keras.callbacks.Callback):
    """Stop training at the first batch whose loss diverged and remember where it happened.

    Like `keras.callbacks.TerminateOnNaN`, but it also stops a loss that stays
    finite while exploding (`loss_diverged`, measured against the first
    batch's loss of the run), and it keeps the epoch, batch and loss so the
    recipe can raise `NaNLossError` (`check_no_nan`) with a message that says
    what to do. Keras logs the epoch's running mean loss, which is what is
    tested.

    Example:

    ```python
    stop = StopOnNaN()
    model.fit(x, y, callbacks=[stop])
    stop.nan_at  # None, or (epoch, batch), both from 0
    ```
    """

    def __init__(self):
        super().__init__()
        self.nan_at = None
        self.loss = None  # the loss that diverged
        self.start_loss = None  # the first batch's loss

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if self.start_loss is None:
            self.start_loss = loss
        if loss_diverged(loss, self.start_loss):
            self.nan_at = (self._epoch, batch)
            self.loss = loss
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch


class ResumeDataOrder(keras.callbacks.Callback):
    """Give a resumed run the batches an uninterrupted run would have seen.

    The pipelines in `kerasrnn.data` reshuffle (and redraw masks) on every
    pass with a seeded `tf.data` op whose state advances each time an
    iterator is created, so a fresh process would replay epoch 1's order
    after a resume. Placed after `keras.callbacks.BackupAndRestore`, this
    callback creates (and drops) one iterator per completed epoch, so epoch
    `k` of the resumed run sees exactly the data of epoch `k` of an
    uninterrupted one.

    Args:
        dataset: the training `tf.data.Dataset` passed to `fit`.
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset

    def on_train_begin(self, logs=None):
        for _ in range(int(getattr(self.model, "_initial_epoch", None) or 0)):
            iter(self.dataset)


class EpochTimer(keras.callbacks.Callback):
    """Seconds each epoch spends training, its validation excluded, kept across a resume.

    The list lives in `backup_dir/epoch_seconds.json` (the folder of
    `keras.callbacks.BackupAndRestore`), so a run that is interrupted and
    resumed still reports every epoch's time. `seconds[k]` is epoch `k + 1`'s.

    Example:

    ```python
    timer = EpochTimer(os.path.join(output_dir, "backup"))
    model.fit(train, validation_data=validation, epochs=10, callbacks=standard_callbacks(output_dir) + [timer])
    training_seconds = sum(timer.seconds)  # every epoch's, those before a resume included
    ```
    """

    def __init__(self, backup_dir):
        super().__init__()
        self.path = os.path.join(os.fspath(backup_dir), "epoch_seconds.json")
        self.seconds, self.started = [], None
        if os.path.exists(self.path):
            with open(self.path) as f:
                self.seconds = [float(value) for value in json.load(f)]

    def on_epoch_begin(self, epoch, logs=None):
        self.seconds, self.started = self.seconds[:epoch], time.perf_counter()

    def _stop_clock(self):
        if self.started is not None:
            self.seconds.append(time.perf_counter() - self.started)
            self.started = None

    def on_test_begin(self, logs=None):
        self._stop_clock()  # validation starts: the epoch's training is over

    def on_epoch_end(self, epoch, logs=None):
        self._stop_clock()  # an epoch without validation
        atomic_write_json(self.path, self.seconds)


class LastWeights(keras.callbacks.Callback):
    """The weights at the end of each of the last `count` epochs, for checkpoint averaging, kept across a resume.

    They live in `backup_dir/last_weights.npz`, so a resumed run averages the
    same epochs an uninterrupted one would. `average()` is the element-wise
    mean of the kept weights, ready for `model.set_weights`.

    Example:

    ```python
    last = LastWeights(3, os.path.join(output_dir, "backup"))
    model.fit(train, epochs=10, callbacks=standard_callbacks(output_dir) + [last])
    model.set_weights(last.average())  # the mean of epochs 8, 9 and 10
    ```
    """

    def __init__(self, count, backup_dir):
        super().__init__()
        if int(count) != count or count < 1:
            raise ValueError(f"count must be an integer >= 1, received {count!r}")
        self.count, self.kept = int(count), []
        self.path = os.path.join(os.fspath(backup_dir), "last_weights.npz")
        if os.path.exists(self.path):
            with np.load(self.path) as saved:
                self.kept = [[saved[f"{k}_{i}"] for i in range(int(saved[f"{k}_count"]))]
                             for k in range(int(saved["count"]))]

    def on_epoch_end(self, epoch, logs=None):
        self.kept = (self.kept + [self.model.get_weights()])[-self.count:]
        arrays = {"count": len(self.kept)}
        for k, weights in enumerate(self.kept):
            arrays[f"{k}_count"] = len(weights)
            arrays.update({f"{k}_{i}": weight for i, weight in enumerate(weights)})
        with atomic_path(self.path) as temporary, open(temporary, "wb") as f:
            np.savez(f, **arrays)

    def average(self):
        if not self.kept:
            raise ValueError("no weights kept yet: average() needs at least one finished epoch")
        return [sum(weights) / len(weights) for weights in zip(*self.kept)]


class AtomicBestCheckpoint(keras.callbacks.Callback):
    """Save the model with the best `monitor` value, atomically (temp file, then rename).

    A run killed while saving leaves the previous best file intact. With
    `stop_on_nan` (a `StopOnNaN`), nothing is saved at the end of the epoch in
    which it stopped the run: those weights diverged, even where the
    monitored value is still finite.
    """

    def __init__(self, filepath, monitor="val_loss", mode="min", stop_on_nan=None):
        super().__init__()
        self.stop_on_nan = stop_on_nan
        check_choice(mode, "mode", ("min", "max"))
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.mode = mode
        self.best = math.inf if mode == "min" else -math.inf

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(float(value)):
            return
        if self.stop_on_nan is not None and self.stop_on_nan.nan_at is not None:
            return
        better = value < self.best if self.mode == "min" else value > self.best
        if better:
            self.best = float(value)
            with atomic_path(self.filepath) as tmp:
                self.model.save(tmp)


def standard_callbacks(output_dir, monitor="val_loss", mode="min", backup=True, tensorboard=False, train_data=None):
    """The callbacks every recipe uses.

    * `keras.callbacks.BackupAndRestore` in `output_dir/backup`: a run that is
      interrupted resumes from the last completed epoch when the same command
      is run again (the backup is deleted when training completes); with
      `train_data` (the `tf.data.Dataset` given to `fit`) also
      `ResumeDataOrder`, so the resumed run ends with the same weights as an
      uninterrupted one;
    * `AtomicBestCheckpoint` of the best validation model in
      `output_dir/checkpoints/best.keras`;
    * `StopOnNaN` (the checkpoint saves nothing in the epoch it stops);
    * `keras.callbacks.CSVLogger` in `output_dir/history.csv`: one row per
      epoch (the epoch from 0, then every loss and metric). A resumed run (one
      that finds a backup) appends to the rows of the interrupted one; a run
      that starts afresh writes a new file;
    * optionally `keras.callbacks.TensorBoard` in `output_dir/logs`.
    """
    os.makedirs(output_dir, exist_ok=True)
    callbacks = []
    backup_dir = os.path.join(output_dir, "backup")
    resuming = backup and os.path.isdir(backup_dir)
    if backup:
        callbacks.append(keras.callbacks.BackupAndRestore(backup_dir, delete_checkpoint=True))
        if train_data is not None:
            callbacks.append(ResumeDataOrder(train_data))
    stop_on_nan = StopOnNaN()
    best = os.path.join(output_dir, "checkpoints", "best.keras")
    callbacks.append(AtomicBestCheckpoint(best, monitor, mode, stop_on_nan=stop_on_nan))
    callbacks.append(stop_on_nan)
    callbacks.append(keras.callbacks.CSVLogger(os.path.join(output_dir, "history.csv"), append=resuming))
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(os.path.join(output_dir, "logs")))
    return callbacks


def check_no_nan(callbacks, output_dir):
    """Raise `NaNLossError` (see `check_loss`) if a `StopOnNaN` in `callbacks` stopped the run.

    Example:

    ```python
    callbacks = standard_callbacks(output_dir)
    model.fit(train, callbacks=callbacks)
    check_no_nan(callbacks, output_dir)  # "the loss became NaN at epoch 3, batch 0: lower --learning-rate ..."
    ```
    """
    for callback in callbacks:
        if isinstance(callback, StopOnNaN) and callback.nan_at is not None:
            epoch, batch = callback.nan_at
            # BackupAndRestore saved the diverged weights at the end of that epoch: drop them, so the
            # next run (with a lower learning rate) starts afresh instead of resuming from them.
            import shutil

            shutil.rmtree(os.path.join(output_dir, "backup"), ignore_errors=True)
            with contextlib.suppress(FileNotFoundError):  # the diverged epochs' rows: the run left nothing
                os.remove(os.path.join(output_dir, "history.csv"))
            best = os.path.join(output_dir, "checkpoints", "best.keras")
            kept = f"; the last good model is in {best}" if os.path.exists(best) else ""
            check_loss(callback.loss, callback.start_loss, f"epoch {epoch + 1}, batch {batch}", detail=kept)


def full_history(history, output_dir):
    """Every epoch's logs of a run, resumed ones included: `output_dir/history.csv` when present, else `history`.

    `model.fit` returns a `History` of the epochs it ran itself; after a
    resume from `BackupAndRestore` the earlier epochs are only in the CSV log
    that `standard_callbacks` keeps. Returns a dict of lists (name -> one
    float per epoch), the form `plot_history` also takes.
    """
    path = os.path.join(output_dir, "history.csv")
    logs = dict(history.history if hasattr(history, "history") else history)
    if not os.path.exists(path):
        return logs
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) < len(next(iter(logs.values()), [])):
        return logs  # a CSV log from something else
    return {name: [float(row[name]) for row in rows] for name in rows[0] if name != "epoch"} if rows else logs


def plot_history(history, path, title=None):
    """Plot training and validation curves of a `History` (or its dict) to a PNG, atomically."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    logs = history.history if hasattr(history, "history") else dict(history)
    metrics = [name for name in logs if not name.startswith("val_") and name != "learning_rate"]
    figure, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.5), squeeze=False)
    for axis, name in zip(axes[0], metrics):
        epochs = np.arange(1, len(logs[name]) + 1)
        axis.plot(epochs, logs[name], marker="o", label="training")
        if f"val_{name}" in logs:
            axis.plot(epochs, logs[f"val_{name}"], marker="o", label="validation")
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    save_figure(figure, path)
    return path


def write_card(path, **fields):
    """Write a model card (JSON) atomically; NumPy values are converted."""
    card = {"written": time.strftime("%Y-%m-%d %H:%M:%S")}
    card.update(fields)
    atomic_write_json(path, card)
    return card


def recurrent_optimizer(learning_rate=2e-3, clipnorm=1.0, decay_steps=None, final_fraction=0.05, weight_decay=None):
    """Adam (AdamW with `weight_decay`) with gradient-norm clipping (on by default for recurrent models).

    Args:
        learning_rate: peak learning rate. Defaults to 2e-3.
        clipnorm: clip each gradient to this norm; None turns clipping off.
            Defaults to 1.0.
        decay_steps: when given, the learning rate follows a cosine decay
            from `learning_rate` to `final_fraction * learning_rate` over this
            many steps (use `epochs * steps_per_epoch`). Defaults to None
            (constant).
        final_fraction: see `decay_steps`. Defaults to 0.05.
        weight_decay: decoupled weight decay (Loshchilov and Hutter, 2019);
            `None` or 0 for plain Adam. Defaults to None.
    """
    schedule = learning_rate
    if decay_steps:
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, int(decay_steps), alpha=final_fraction)
    if weight_decay:
        return keras.optimizers.AdamW(learning_rate=schedule, weight_decay=weight_decay, clipnorm=clipnorm)
    return keras.optimizers.Adam(learning_rate=schedule, clipnorm=clipnorm)


def restore_best(model, output_dir):
    """Load the best checkpoint written by `standard_callbacks` into `model`, if there is one."""
    best = os.path.join(output_dir, "checkpoints", "best.keras")
    if os.path.exists(best):
        model.load_weights(best)
        return True
    return False


def copy_best_model(output_dir, model_name, best_name="best"):
    """Copy `output_dir/model_name` (without backups/checkpoints/logs) to `output_dir/best_name`.

    The copy is made under a temporary name and swapped in, so `best/` is
    always a complete model directory.
    """
    import shutil

    best_dir = os.path.join(output_dir, best_name)
    staging = best_dir + ".tmp"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(os.path.join(output_dir, model_name), staging,
                    ignore=shutil.ignore_patterns("backup", "checkpoints", "logs"))
    shutil.rmtree(best_dir, ignore_errors=True)
    os.replace(staging, best_dir)
    return best_dir

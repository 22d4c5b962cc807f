"""Training helpers shared by the recipes: callbacks, model cards and training curves."""

import math
import os
import time

import keras
import numpy as np

from kerasrnn.io_utils import atomic_path
from kerasrnn.io_utils import atomic_write_json
from kerasrnn.io_utils import save_figure


class NaNLossError(RuntimeError):
    """Training produced a NaN or infinite loss and was stopped."""


class StopOnNaN(keras.callbacks.Callback):
    """Stop training at the first NaN/inf batch loss and remember where it happened.

    Like `keras.callbacks.TerminateOnNaN`, but it keeps the epoch and batch so
    the recipe can raise `NaNLossError` with a message that says what to do.
    """

    def __init__(self):
        super().__init__()
        self.nan_at = None

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.nan_at = (self._epoch, batch)
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


class AtomicBestCheckpoint(keras.callbacks.Callback):
    """Save the model with the best `monitor` value, atomically (temp file, then rename).

    A run killed while saving leaves the previous best file intact.
    """

    def __init__(self, filepath, monitor="val_loss", mode="min"):
        super().__init__()
        if mode not in ("min", "max"):
            raise ValueError(f"`mode` must be 'min' or 'max', received: mode={mode!r}")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.mode = mode
        self.best = math.inf if mode == "min" else -math.inf

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(float(value)):
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
    * `StopOnNaN`;
    * optionally `keras.callbacks.TensorBoard` in `output_dir/logs`.
    """
    callbacks = []
    if backup:
        callbacks.append(keras.callbacks.BackupAndRestore(os.path.join(output_dir, "backup"), delete_checkpoint=True))
        if train_data is not None:
            callbacks.append(ResumeDataOrder(train_data))
    callbacks.append(AtomicBestCheckpoint(os.path.join(output_dir, "checkpoints", "best.keras"), monitor, mode))
    callbacks.append(StopOnNaN())
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(os.path.join(output_dir, "logs")))
    return callbacks


def check_no_nan(callbacks, output_dir):
    """Raise `NaNLossError` if a `StopOnNaN` in `callbacks` fired."""
    for callback in callbacks:
        if isinstance(callback, StopOnNaN) and callback.nan_at is not None:
            epoch, batch = callback.nan_at
            # BackupAndRestore saved the NaN weights at the end of that epoch: drop them, so the
            # next run (with a lower learning rate) starts afresh instead of resuming from NaN.
            import shutil

            shutil.rmtree(os.path.join(output_dir, "backup"), ignore_errors=True)
            best = os.path.join(output_dir, "checkpoints", "best.keras")
            kept = f"; the last good model is in {best}" if os.path.exists(best) else ""
            raise NaNLossError(
                f"the loss became NaN at epoch {epoch + 1}, batch {batch}: lower --learning-rate "
                f"(or keep gradient clipping on){kept}"
            )


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
            axis.plot(epochs, logs[f"val_{name}"], marker="o", label="held-out")
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


def recurrent_optimizer(learning_rate=2e-3, clipnorm=1.0, decay_steps=None, final_fraction=0.05):
    """Adam with gradient-norm clipping (on by default for recurrent models).

    Args:
        learning_rate: peak learning rate. Defaults to 2e-3.
        clipnorm: clip each gradient to this norm; None turns clipping off.
            Defaults to 1.0.
        decay_steps: when given, the learning rate follows a cosine decay
            from `learning_rate` to `final_fraction * learning_rate` over this
            many steps (use `epochs * steps_per_epoch`). Defaults to None
            (constant).
        final_fraction: see `decay_steps`. Defaults to 0.05.
    """
    schedule = learning_rate
    if decay_steps:
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, int(decay_steps), alpha=final_fraction)
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

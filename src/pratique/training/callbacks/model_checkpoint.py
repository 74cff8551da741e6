"""ModelCheckpoint: save the model each epoch (or every N batches), or only when it improves."""
from __future__ import annotations

import os
import re
import string

from ...core.errors import PratiqueError
from ._monitor import better, monitor_mode, read, resolve_mode, worst
from .base import Callback


class ModelCheckpoint(Callback):
    """Save the model at the end of epochs (Keras' ModelCheckpoint).

    Args:
        filepath: where to save; may hold `{epoch}`, `{batch}` and any log key, e.g.
            "ckpt-{epoch:02d}-{val_loss:.3f}.pratique". `.pratique` saves the whole model,
            `.safetensors` (or `save_weights_only=True`) only the weights.
        monitor: the log key compared between saves.
        save_best_only: only save when `monitor` improves (NaN never does).
        save_weights_only: write only the weights.
        mode: "auto", "min" or "max".
        save_freq: "epoch", or an int: save every that many batches, counted across epochs
            (with save_best_only, the monitored key must be in the batch logs: "loss").
        verbose: 1 prints each save.
        initial_value_threshold: with save_best_only, the value the first save must beat.

    As Keras, when `monitor` is not in the logs, save_best_only warns and saves anyway.

    Example:
        >>> ModelCheckpoint("best.pratique", monitor="val_accuracy", save_best_only=True)
    """

    rank_zero_only = True  # writes files or prints: rank 0 only when data-parallel
    float_batch_logs = False  # with save_freq=N, reads the logs every N batches only

    def __init__(self, filepath, monitor: str = "val_loss", save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", save_freq="epoch",
                 verbose: int = 0, initial_value_threshold: float | None = None):
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = monitor_mode(monitor, mode)
        self.verbose = verbose
        self.initial_value_threshold = initial_value_threshold
        self.best = None if initial_value_threshold is None else float(initial_value_threshold)
        if save_freq != "epoch" and (not isinstance(save_freq, int) or save_freq < 1):
            raise PratiqueError(f"save_freq must be 'epoch' or a positive int. Received: {save_freq!r}")
        self.save_freq = save_freq
        self._batches, self._epoch = 0, 0
        if save_freq != "epoch":  # only then does the loop call a batch hook for us
            self.on_train_batch_end = self._on_batch_end

    def on_train_begin(self, logs=None):
        """Check the filepath's {keys} now, not with a KeyError after the first epoch."""
        if self.save_best_only:  # the direction matters only then
            self.mode = resolve_mode(self.monitor, self.mode, self.model, "ModelCheckpoint")
            if self.best is None:
                self.best = worst(self.mode)
        fields = {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(self.filepath)
                  if f}
        unknown = sorted(k for k in fields if not _will_be_logged(self.model, self.params, k))
        if unknown:
            raise PratiqueError(
                f"ModelCheckpoint's filepath {self.filepath!r} uses {', '.join(unknown)}, which "
                f"will not be logged. Expected keys among: epoch, batch, {', '.join(_logged(self.model, self.params))}. "
                "Fix the template (val_* keys need validation data).")

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _on_batch_end(self, batch, logs=None):
        self._batches += 1
        if self._batches % self.save_freq == 0:
            logs = {k: float(v) for k, v in (logs or {}).items()}
            self._save(self._epoch, logs, batch=batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs or {})

    def _save(self, epoch: int, logs: dict, batch: int | None = None) -> None:
        if self.save_best_only:
            value = read(logs, self.monitor, "ModelCheckpoint")  # absent: a warning, and save (Keras)
            if value is not None:
                if not better(self.mode, value, self.best):
                    return
                self.best = value
        path = self.filepath.format(epoch=epoch + 1, batch=batch, **logs)
        if self.save_weights_only or path.endswith(".safetensors"):
            self.model.save_weights(path)
        else:
            self.model.save(path)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved model to {path}")

    def state_dict(self) -> dict:
        return {"best": self.best, "batches": self._batches}

    def load_state_dict(self, state: dict) -> None:
        self.best = state["best"]
        self._batches = state.get("batches", 0)


def _logged(model, params: dict) -> list[str]:
    """The log keys this fit will produce: loss, each metric (per-class ones as name_<i>), their
    val_ versions when there is validation data, and learning_rate (LR callbacks add it)."""
    names = ["loss", *(m.name + ("_<i>" if getattr(m, "per_class", False) else "")
                       for m in model.metrics)]
    if params.get("do_validation", True):
        names += [f"val_{n}" for n in names]
    return [*names, "learning_rate"]


def _will_be_logged(model, params: dict, key: str) -> bool:
    if key in ("epoch", "batch"):
        return True
    # a user's callback may add its own keys: with one, unknown keys cannot be ruled out
    if params.get("custom_logs", False):
        return True
    pattern = "|".join(re.escape(n).replace("_<i>", r"_\d+") for n in _logged(model, params))
    return re.fullmatch(pattern, key) is not None

"""ModelCheckpoint: save the model each epoch, or only when the monitored value improves."""
from __future__ import annotations

import math
import os

from ..._errors import PratiqueError
from .base import Callback


def monitor_mode(monitor: str, mode: str) -> str:
    """Resolve Keras' mode "auto": accuracies and similar go up, everything else goes down."""
    if mode not in ("auto", "min", "max"):
        raise PratiqueError(f"mode must be 'auto', 'min' or 'max'. Received: mode={mode!r}")
    if mode != "auto":
        return mode
    ups = ("acc", "accuracy", "auc", "precision", "recall", "f1", "top")
    return "max" if any(u in monitor for u in ups) else "min"


class ModelCheckpoint(Callback):
    """Save the model at the end of epochs (Keras' ModelCheckpoint).

    Args:
        filepath: where to save; may hold `{epoch}` and any log key, e.g.
            "ckpt-{epoch:02d}-{val_loss:.3f}.pratique". `.pratique` saves the whole model,
            `.safetensors` (or `save_weights_only=True`) only the weights.
        monitor: the log key compared between epochs.
        save_best_only: only save when `monitor` improves.
        save_weights_only: write only the weights.
        mode: "auto", "min" or "max".

    Example:
        >>> ModelCheckpoint("best.pratique", monitor="val_accuracy", save_best_only=True)
    """

    def __init__(self, filepath, monitor: str = "val_loss", save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", verbose: int = 0):
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = monitor_mode(monitor, mode)
        self.verbose = verbose
        self.best = math.inf if self.mode == "min" else -math.inf

    def _improved(self, value: float) -> bool:
        return value < self.best if self.mode == "min" else value > self.best

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = logs.get(self.monitor)
            if value is None:
                raise PratiqueError(
                    f"ModelCheckpoint monitors {self.monitor!r}, which is not in the logs. "
                    f"Available: {', '.join(sorted(logs))}. Set monitor= to one of them "
                    "(val_* keys need validation data).")
            if not self._improved(value):
                return
            self.best = value
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_weights_only or path.endswith(".safetensors"):
            self.model.save_weights(path)
        else:
            self.model.save(path)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved model to {path}")

    def state_dict(self) -> dict:
        return {"best": self.best}

    def load_state_dict(self, state: dict) -> None:
        self.best = state["best"]

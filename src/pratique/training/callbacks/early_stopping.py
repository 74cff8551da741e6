"""EarlyStopping: stop when a monitored value has stopped improving (Keras' semantics)."""
from __future__ import annotations

from ._monitor import better, monitor_mode, read, resolve_mode
from .base import Callback


class EarlyStopping(Callback):
    """Stop training when `monitor` has not improved for `patience` epochs.

    Args:
        monitor: the log key to watch, e.g. "val_loss" or "val_accuracy".
        min_delta: a change smaller than this is not an improvement.
        patience: epochs without improvement before stopping.
        verbose: 1 prints when training stops and weights are restored.
        mode: "auto", "min" or "max".
        baseline: until `monitor` beats this value, epochs count towards `patience` even when
            they improve on the best (an improving epoch never stops training itself).
        restore_best_weights: at the end, load the weights of the best epoch.
        start_from_epoch: epochs to wait before watching at all (warm-up).

    Example:
        >>> EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.verbose, self.baseline = verbose, baseline
        self.mode = monitor_mode(monitor, mode)
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self._reset()

    def _reset(self):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = None  # as Keras: the first watched value is the first best
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.mode = resolve_mode(self.monitor, self.mode, self.model, "EarlyStopping")
        if self.__dict__.pop("_resumed", False):  # state just restored by resume: keep it
            return
        self._reset()

    def _snapshot(self) -> dict:
        return {k: v.detach().clone() for k, v in self.model.module.state_dict().items()}

    def on_epoch_end(self, epoch, logs=None):
        current = read(logs, self.monitor, "EarlyStopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self._snapshot()  # Keras: the first watched epoch is the fallback
            self.best_epoch = epoch
        self.wait += 1
        if better(self.mode, current, self.best, self.min_delta):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self._snapshot()
            # as Keras: an improving epoch never stops; wait restarts only once past the baseline
            if self.baseline is None or better(self.mode, current, self.baseline, self.min_delta):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.module.load_state_dict(self.best_weights)

    def state_dict(self) -> dict:
        return {"wait": self.wait, "stopped_epoch": self.stopped_epoch, "best": self.best,
                "best_epoch": self.best_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state: dict) -> None:
        self.wait, self.stopped_epoch = state["wait"], state["stopped_epoch"]
        self.best, self.best_epoch = state["best"], state["best_epoch"]
        self.best_weights = state.get("best_weights")
        self._resumed = True

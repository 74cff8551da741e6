"""ReduceLROnPlateau: multiply the learning rate by `factor` when a value stops improving."""
from __future__ import annotations

from ._monitor import better, get_lr, monitor_mode, read, resolve_mode, set_lr
from .base import Callback


class ReduceLROnPlateau(Callback):
    """Reduce the LR when `monitor` has not improved for `patience` epochs (Keras' semantics).

    Args:
        monitor: the log key to watch.
        factor: new_lr = lr * factor (< 1).
        patience: epochs without improvement before reducing.
        verbose: 1 prints each reduction.
        mode: "auto", "min" or "max".
        min_delta: threshold for a significant improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the LR never goes below this.

    Example:
        >>> ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-5)
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0,
                 min_lr: float = 0.0):
        from ...core.errors import PratiqueError

        if factor >= 1.0:
            raise PratiqueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received: factor={factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.mode = monitor_mode(monitor, mode)
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.wait, self.cooldown_counter, self.best = 0, 0, None

    def on_train_begin(self, logs=None):
        self.mode = resolve_mode(self.monitor, self.mode, self.model, "ReduceLROnPlateau")
        if self.__dict__.pop("_resumed", False):  # state just restored by resume: keep it
            return
        self.wait, self.cooldown_counter, self.best = 0, 0, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = get_lr(optimizer)
        current = read(logs, self.monitor, "ReduceLROnPlateau")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if better(self.mode, current, self.best, self.min_delta):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = get_lr(optimizer)
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    set_lr(optimizer, new)
                    if self.verbose:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new:.4g}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0

    def state_dict(self) -> dict:
        return {"wait": self.wait, "cooldown_counter": self.cooldown_counter, "best": self.best}

    def load_state_dict(self, state: dict) -> None:
        self.wait, self.cooldown_counter, self.best = state["wait"], state["cooldown_counter"], state["best"]
        self._resumed = True

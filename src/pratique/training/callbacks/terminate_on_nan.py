"""TerminateOnNaN: stop at the first non-finite loss, before that batch updates the weights."""
from __future__ import annotations

from ..interrupts import NonFiniteLoss
from .base import Callback


class NonFiniteLossError(NonFiniteLoss, RuntimeError):
    """TerminateOnNaN(raise_error=True): a RuntimeError, as Keras raises."""


class TerminateOnNaN(Callback):
    """Stop training when a batch's loss is NaN or infinite.

    Unlike Keras, which checks after the update, the loop checks the loss before backward and
    the optimizer step: the weights stay those of the last good batch, and checkpoints saved
    by the monitor (NaN never counts as an improvement) keep the last good model.
    This costs one host sync per batch, only when this callback is used.

    Args:
        raise_error: False (default) stops training gracefully, as `stop_training` does;
            True raises a RuntimeError ("NaN or Inf loss encountered at batch N") at once, so
            `on_train_end` is not called and a BackupAndRestore backup is kept (Keras).

    Example:
        >>> model.fit(x, y, callbacks=[TerminateOnNaN()])
    """

    checks_finite_loss = True

    def __init__(self, raise_error: bool = False):
        self.raise_error = bool(raise_error)
        self.terminated_at: tuple[int, int] | None = None  # (epoch, batch)
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_invalid_loss(self, batch, loss):
        self.terminated_at = (self._epoch, batch)
        if self.raise_error:
            raise NonFiniteLossError(
                f"NaN or Inf loss encountered at batch {batch} (epoch {self._epoch + 1}): loss="
                f"{float(loss)}. Training stopped before this update. Expected a finite loss; try a "
                "lower learning rate, gradient clipping, or check this batch's inputs for NaN/inf.")
        print(f"Epoch {self._epoch + 1}, batch {batch + 1}: Invalid loss {float(loss)}, "
              "terminating training")

    def state_dict(self) -> dict:
        return {"terminated_at": self.terminated_at}

    def load_state_dict(self, state: dict) -> None:
        self.terminated_at = state["terminated_at"]

"""TerminateOnNaN: stop at the first non-finite loss, before that batch updates the weights."""
from __future__ import annotations

from .base import Callback


class TerminateOnNaN(Callback):
    """Stop training when a batch's loss is NaN or infinite.

    Unlike Keras, which checks after the update, the loop checks the loss before backward and
    the optimizer step: the weights stay those of the last good batch, and checkpoints saved
    by the monitor (NaN never counts as an improvement) keep the last good model.
    This costs one host sync per batch, only when this callback is used.

    Example:
        >>> model.fit(x, y, callbacks=[TerminateOnNaN()])
    """

    checks_finite_loss = True

    def __init__(self):
        self.terminated_at: tuple[int, int] | None = None  # (epoch, batch)
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_invalid_loss(self, batch, loss):
        self.terminated_at = (self._epoch, batch)
        print(f"Epoch {self._epoch + 1}, batch {batch + 1}: Invalid loss {float(loss)}, "
              "terminating training")

    def state_dict(self) -> dict:
        return {"terminated_at": self.terminated_at}

    def load_state_dict(self, state: dict) -> None:
        self.terminated_at = state["terminated_at"]

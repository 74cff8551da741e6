"""LearningRateScheduler: set the LR at the start of each epoch from `schedule(epoch, lr)`."""
from __future__ import annotations

import math
import numbers

from ...core.errors import PratiqueError
from ._monitor import get_lr, set_lr
from .base import Callback


class LearningRateScheduler(Callback):
    """Set the learning rate each epoch to `schedule(epoch, lr)` (Keras' semantics).

    Args:
        schedule: a function `(epoch: int, lr: float) -> float` (epoch counts from 0), or
            `(epoch) -> float` (tried when the two-argument call raises TypeError, as Keras).
        verbose: 1 prints each new rate.

    Example:
        >>> LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5)
    """

    def __init__(self, schedule, verbose: int = 0):
        if not callable(schedule):
            raise PratiqueError("LearningRateScheduler takes a function (epoch, lr) -> lr. "
                                f"Received: {type(schedule).__name__}.")
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        try:
            lr = self.schedule(epoch, get_lr(self.model.optimizer))
        except TypeError:  # as Keras: a one-argument schedule(epoch) is accepted too
            lr = self.schedule(epoch)
        if not isinstance(lr, numbers.Real) or isinstance(lr, bool) or math.isnan(lr):
            raise PratiqueError(f"The schedule must return a float learning rate. Received: {lr!r}")
        set_lr(self.model.optimizer, float(lr))
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr:.4g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_lr(self.model.optimizer)

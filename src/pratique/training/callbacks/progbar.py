"""ProgbarLogger: one line per epoch with time and metrics, like Keras' `verbose=2`."""
from __future__ import annotations

import sys
import time

from .base import Callback


class ProgbarLogger(Callback):
    """Print progress: `Epoch 3/5 - 1.2s - loss: 0.1234 - accuracy: 0.9650 - ...`."""

    def __init__(self, verbose: int = 1, stream=None):
        self.verbose = verbose
        self.stream = stream or sys.stdout

    def on_train_begin(self, logs=None):
        self.epochs = self.model._fit_epochs

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if not self.verbose:
            return
        took = time.perf_counter() - self._t0
        parts = [f"Epoch {epoch + 1}/{self.epochs}", f"{took:.1f}s"]
        parts += [f"{k}: {v:.4f}" for k, v in (logs or {}).items()]
        print(" - ".join(parts), file=self.stream, flush=True)

"""ProgbarLogger: a live progress bar on a terminal, one plain line per epoch elsewhere."""
from __future__ import annotations

import sys
import time

from ._running import running_metrics
from .base import Callback


class ProgbarLogger(Callback):
    """Print progress like Keras' `verbose`.

    verbose=1 on a terminal: a rich progress bar per epoch with ETA, the batch loss and the
    running value of each compiled metric (`loss: 0.1234 - accuracy: 0.9650`). The numbers are
    read from the device every `refresh_seconds` (0.5) only, not once per batch.
    verbose=2, or any verbose when the stream is not a terminal: one line per epoch,
    `Epoch 3/5 - 1.2s - loss: 0.1234 - accuracy: 0.9650 - ...`.

    Args:
        verbose: 0 silent, 1 progress bar, 2 one line per epoch.
        stream: where to print (default: stdout).

    Example:
        >>> model.fit(x, y, verbose=2)  # adds ProgbarLogger(2)
    """

    rank_zero_only = True  # writes files or prints: rank 0 only when data-parallel
    float_batch_logs = False  # reads the loss and metrics every refresh_seconds only
    refresh_seconds = 0.5  # how often the live numbers cost a device sync

    def __init__(self, verbose: int = 1, stream=None):
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self._bar = None
        live = verbose == 1 and hasattr(self.stream, "isatty") and self.stream.isatty()
        if live:  # only then is there a batch hook for the loop to call
            self.on_train_batch_end = self._on_batch_end

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()
        if "on_train_batch_end" in vars(self):
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(TextColumn(f"Epoch {epoch + 1}/{self.params['epochs']}"), BarColumn(),
                                 MofNCompleteColumn(), TimeRemainingColumn(), TextColumn("{task.fields[info]}"),
                                 console=Console(file=self.stream), transient=True)
            self._task = self._bar.add_task("train", total=self.params.get("steps"), info="")
            self._bar.start()
            self._last = 0.0

    def _on_batch_end(self, batch, logs=None):
        if self._bar is None:
            return
        now = time.perf_counter()
        info = None
        if now - self._last >= self.refresh_seconds:  # the only place floats are read from the device
            self._last = now
            info = self.live_info(logs)
        self._bar.update(self._task, completed=batch + 1, **({"info": info} if info else {}))

    def live_info(self, logs) -> str:
        """`loss: 0.1234 - accuracy: 0.9650`: this batch's loss, the metrics so far this epoch."""
        values = {"loss": float(logs["loss"]), **running_metrics(self.model)}
        return " - ".join(f"{k}: {v:.4f}" for k, v in values.items())

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if not self.verbose:
            return
        took = time.perf_counter() - self._t0
        parts = [f"Epoch {epoch + 1}/{self.params['epochs']}", f"{took:.1f}s"]
        parts += [f"{k}: {v:.4f}" for k, v in (logs or {}).items() if isinstance(v, (int, float))]
        print(" - ".join(parts), file=self.stream, flush=True)

"""CSVLogger: one row per epoch, full float precision."""
from __future__ import annotations

import csv
import os

from .base import Callback


class CSVLogger(Callback):
    """Stream epoch results to a CSV file (Keras' CSVLogger).

    Args:
        filename: the CSV file.
        separator: the field separator.
        append: append to an existing file (resume) instead of overwriting it.

    Example:
        >>> model.fit(x, y, callbacks=[CSVLogger("metrics.csv")])
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self.keys: list[str] | None = None

    def on_train_begin(self, logs=None):
        if self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0:
            with open(self.filename, newline="") as f:
                header = next(csv.reader(f, delimiter=self.separator), None)
            self.keys = header[1:] if header else None
        else:
            self.keys = None
            open(self.filename, "w").close()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        write_header = self.keys is None
        if write_header:
            self.keys = sorted(logs)
        with open(self.filename, "a", newline="") as f:
            writer = csv.writer(f, delimiter=self.separator)
            if write_header:
                writer.writerow(["epoch", *self.keys])
            writer.writerow([epoch, *(repr(float(logs[k])) if k in logs else "" for k in self.keys)])
            f.flush()
            os.fsync(f.fileno())

    def state_dict(self) -> dict:
        return {"keys": self.keys}

    def load_state_dict(self, state: dict) -> None:
        self.keys = state["keys"]

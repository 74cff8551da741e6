"""CSVLogger: one row per epoch, full float precision."""
from __future__ import annotations

import csv
import io
import os

from ...core.io import atomic_write
from .base import Callback


class CSVLogger(Callback):
    """Stream epoch results to a CSV file (Keras' CSVLogger); "NA" where an epoch has no value
    (e.g. no validation that epoch, with `fit(validation_freq=...)`), as Keras writes.

    Args:
        filename: the CSV file.
        separator: the field separator.
        append: append to an existing file (resume) instead of overwriting it.

    Example:
        >>> model.fit(x, y, callbacks=[CSVLogger("metrics.csv")])
    """

    rank_zero_only = True  # writes files or prints: rank 0 only when data-parallel

    def __init__(self, filename, separator: str = ",", append: bool = False):
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self.keys: list[str] | None = None
        self.rows = 0  # data rows written by this run and the runs it resumes
        self._lines: list[list[str]] = []  # those rows as written: the checkpoint carries them
        self._resumed = False

    def on_train_begin(self, logs=None):
        if self._resumed and len(self._lines) == self.rows:
            self._rewrite()  # from the checkpoint: a truncated or lost file comes back whole
        elif self._resumed:  # a checkpoint without its rows (older): drop rows written after it
            self._keep_rows(self.rows)
        elif self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0:
            with open(self.filename, newline="") as f:
                rows = list(csv.reader(f, delimiter=self.separator))
            self.keys = rows[0][1:] if rows else None
            self.rows = max(len(rows) - 1, 0)
            self._lines = rows[1:]
        else:
            self.keys, self._lines = None, []
            atomic_write(self.filename, lambda f: None)

    def _rewrite(self) -> None:
        """Write the header and the checkpoint's rows atomically, whatever the file holds now."""
        text = io.StringIO()
        if self.keys is not None:
            csv.writer(text, delimiter=self.separator).writerows([["epoch", *self.keys], *self._lines])
        atomic_write(self.filename, lambda f: f.write(text.getvalue().encode()))

    def _keep_rows(self, n: int) -> None:
        """Rewrite the file atomically with its header and first `n` data rows."""
        rows = []
        if os.path.exists(self.filename):
            with open(self.filename, newline="") as f:
                rows = list(csv.reader(f, delimiter=self.separator))
        self.keys = rows[0][1:] if rows else None
        self._lines = rows[1:n + 1]
        text = io.StringIO()
        csv.writer(text, delimiter=self.separator).writerows(rows[:n + 1])
        atomic_write(self.filename, lambda f: f.write(text.getvalue().encode()))

    def state_dict(self) -> dict:
        return {"rows": self.rows, "keys": self.keys, "lines": [list(r) for r in self._lines]}

    def load_state_dict(self, state: dict) -> None:
        self.rows, self._resumed = int(state["rows"]), True
        self.keys = state.get("keys")
        self._lines = [list(r) for r in state.get("lines") or []]

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        write_header = self.keys is None
        if write_header:
            self.keys = sorted(logs)
            if self.params.get("do_validation", False) and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]  # validation_freq > 1: as Keras
        with open(self.filename, "a", newline="") as f:
            writer = csv.writer(f, delimiter=self.separator)
            if write_header:
                writer.writerow(["epoch", *self.keys])
            row = [str(epoch), *(repr(float(logs[k])) if k in logs else "NA" for k in self.keys)]
            writer.writerow(row)
            f.flush()
            os.fsync(f.fileno())
        self.rows += 1
        self._lines.append(row)

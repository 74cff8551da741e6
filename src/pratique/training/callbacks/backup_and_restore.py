"""BackupAndRestore: back up training state; an interrupted fit resumes from it (Keras' name)."""
from __future__ import annotations

import contextlib
import glob
import os

from ...core.errors import PratiqueError
from .resume_checkpoint import ResumeCheckpoint


class BackupAndRestore(ResumeCheckpoint):
    """Resume an interrupted `fit` where it stopped (Keras' BackupAndRestore).

    A thin front over the resume engine (`training/resume.py`): the model, optimizer, LR
    scheduler, data order, every RNG and every callback's `state_dict()` go atomically to
    `backup_dir/latest.ckpt`; when `fit` starts and that file exists, all of it is restored and
    training continues exactly where the backup was taken (mid-epoch included).

    Args:
        backup_dir: directory for the backup (use a different one per run).
        save_freq: "epoch" or an int (every that many batches).
        delete_checkpoint: delete the backup (and `backup_dir`, when nothing else is in it)
            once training ends normally (Keras' default). A fit stopped by a NaN/inf loss
            (`TerminateOnNaN`) keeps it: it holds the last good epoch.

    The epoch's backup is written even when another callback's `on_epoch_end` raises: a
    failing callback does not lose the epoch.

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[BackupAndRestore("backup/")])
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint: bool = True):
        if not backup_dir:
            raise PratiqueError("BackupAndRestore needs a backup_dir. Received an empty path.")
        self.backup_dir = os.fspath(backup_dir)
        super().__init__(os.path.join(self.backup_dir, "latest.ckpt"), save_freq, auto_resume=True)
        self.delete_checkpoint = delete_checkpoint
        self._invalid_loss = False

    def on_train_begin(self, logs=None):
        self._invalid_loss = False

    def on_invalid_loss(self, batch, loss):
        self._invalid_loss = True

    def on_train_end(self, logs=None):  # reached only when fit ends without an error
        if not self.delete_checkpoint or self._invalid_loss:
            return
        for path in glob.glob(glob.escape(self.resume_path) + "*"):  # .prev, .resumed copies
            os.remove(path)
        with contextlib.suppress(OSError):  # a user's own files there are left alone
            os.rmdir(self.backup_dir)

"""BackupAndRestore: back up training state each epoch; an interrupted fit resumes from it."""
from __future__ import annotations

import os

import torch

from ..._errors import PratiqueError
from ..checkpoint import load_checkpoint, save_checkpoint
from .base import Callback


class BackupAndRestore(Callback):
    """Resume an interrupted `fit` where it stopped (Keras' BackupAndRestore).

    At each save the model, optimizer, LR scheduler, epoch, RNG and every callback's
    `state_dict()` go atomically to `backup_dir/latest.ckpt`. When `fit` starts and that
    file exists, all of it is restored and training continues at the next epoch.

    Args:
        backup_dir: directory for the backup (use a different one per run).
        save_freq: "epoch" or an int (every that many batches).
        delete_checkpoint: delete the backup once training ends normally.

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[BackupAndRestore("backup/")])
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint: bool = True):
        if not backup_dir:
            raise PratiqueError("BackupAndRestore needs a backup_dir. Received an empty path.")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or save_freq < 1):
            raise PratiqueError(f"save_freq must be 'epoch' or a positive int. Received: {save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.path = os.path.join(self.backup_dir, "latest.ckpt")
        self.save_freq, self.delete_checkpoint = save_freq, delete_checkpoint
        self._pending: dict | None = None
        self._epoch, self._batches = 0, 0
        if save_freq != "epoch":
            self.on_train_batch_end = self._on_batch_end

    def _callbacks(self):
        return [cb for cb in getattr(self.model, "_active_callbacks", []) if cb is not self]

    def on_train_begin(self, logs=None):
        if not os.path.exists(self.path):
            return
        state = load_checkpoint(self.path)
        model = self.model
        model.module.load_state_dict(state["module"])
        model.optimizer.load_state_dict(state["optimizer"])
        if model.scheduler is not None and state.get("scheduler"):
            model.scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"])
        gen = getattr(getattr(model, "_train_batches", None), "generator", None)
        if gen is not None and state.get("batches_rng") is not None:
            gen.set_state(state["batches_rng"])  # the next epoch shuffles as it would have
        model.epoch = model.initial_epoch = state["epoch"]
        self._pending = state["callbacks"]  # applied once every on_train_begin has run

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        if self._pending is not None:
            for i, cb in enumerate(self._callbacks()):
                key = f"{i}:{type(cb).__name__}"
                if key in self._pending:
                    cb.load_state_dict(self._pending[key])
            self._pending = None

    def _backup(self, epoch: int) -> None:
        model = self.model
        save_checkpoint({
            "module": model.module.state_dict(), "optimizer": model.optimizer.state_dict(),
            "scheduler": model.scheduler.state_dict() if model.scheduler is not None else None,
            "epoch": epoch, "rng": torch.get_rng_state(), "batches_rng": self._batches_rng(),
            "callbacks": {f"{i}:{type(cb).__name__}": cb.state_dict()
                          for i, cb in enumerate(self._callbacks())},
        }, self.path)

    def _batches_rng(self):
        gen = getattr(getattr(self.model, "_train_batches", None), "generator", None)
        return gen.get_state() if gen is not None else None

    def _on_batch_end(self, batch, logs=None):
        self._batches += 1
        if self._batches % self.save_freq == 0:
            self._backup(self._epoch)  # resumes at the start of this epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._backup(epoch + 1)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.path):
            os.remove(self.path)

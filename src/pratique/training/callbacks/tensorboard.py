"""TensorBoard: epoch scalars (losses, metrics, learning rate) as TensorBoard event files."""
from __future__ import annotations

import os

from .base import Callback


class TensorBoard(Callback):
    """Write logs for TensorBoard (`tensorboard --logdir DIR`).

    Args:
        log_dir: where the event files go; train and validation scalars share one run.
        update_freq: "epoch" (default) or "batch" or an int number of batches.

    Example:
        >>> model.fit(x, y, callbacks=[TensorBoard("runs/logs")])
    """

    def __init__(self, log_dir="logs", update_freq="epoch"):
        self.log_dir = os.fspath(log_dir)
        self.update_freq = update_freq
        self.writer = None
        self._step = 0

    def on_train_begin(self, logs=None):
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(self.log_dir)

    def on_epoch_end(self, epoch, logs=None):
        for k, v in (logs or {}).items():
            tag = f"epoch/{k[4:]}/val" if k.startswith("val_") else f"epoch/{k}/train"
            self.writer.add_scalar(tag, v, epoch)
        optimizer = self.model.optimizer
        if optimizer is not None:
            self.writer.add_scalar("epoch/learning_rate", optimizer.param_groups[0]["lr"], epoch)
        self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()

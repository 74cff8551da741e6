"""ResumeCheckpoint: the callback that turns on the resume engine (training/resume.py) for a fit."""
from __future__ import annotations

import os

from ...core.errors import PratiqueError
from .base import Callback


class ResumeCheckpoint(Callback):
    """Write a full resume checkpoint to `path` every `save_freq` batches and/or each epoch.

    The engine behind Keras' `BackupAndRestore`: any callback with `resume_path`, `save_freq`
    and `auto_resume` attributes configures it. The previous file is kept as `path.prev`;
    nothing is deleted when training ends.

    Args:
        path: e.g. "runs/train/last.ckpt".
        save_freq: "epoch", or an int: every that many batches (and at each epoch end).
        auto_resume: when `path` (or `path.prev`) exists, resume from it at the start of fit.

    Example:
        >>> model.fit(x, y, epochs=4, callbacks=[ResumeCheckpoint("last.ckpt", save_freq=50)])
    """

    def __init__(self, path, save_freq="epoch", auto_resume: bool = False):
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)
                                     or save_freq < 1):
            raise PratiqueError(f"save_freq must be 'epoch' or an int >= 1 (batches). "
                                f"Received: save_freq={save_freq!r}")
        self.resume_path = os.fspath(path)
        self.save_freq = save_freq
        self.auto_resume = auto_resume

"""A tiny, fully deterministic training set-up shared by the reliability tests (and run as a script
by the SIGKILL tests): an MLP with dropout on 256 random 8x8 "images", Adam + onecycle."""
from __future__ import annotations

import os
import sys

import numpy as np
import torch
from torch import nn


def data(n: int = 192):
    rng = np.random.default_rng(0)
    x = rng.random((n, 1, 8, 8), dtype=np.float32)
    y = (x.reshape(n, -1).mean(1) > 0.5).astype(np.int64) + 2 * (x[:, 0, 0, 0] > 0.5)
    return x, y


def model():
    import pratique as pq

    torch.manual_seed(0)
    module = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 4))
    return pq.Model(module, accelerator="cpu").compile(optimizer="adam", lr=1e-2, schedule="onecycle")


def fit(m, run_dir: str, epochs: int = 4, save_freq="epoch", resume_from=None, extra=()):
    from pratique.training.callbacks import CSVLogger
    from pratique.training.resume import ResumeCheckpoint

    x, y = data()
    callbacks = [CSVLogger(os.path.join(run_dir, "metrics.csv")), *extra,
                 ResumeCheckpoint(os.path.join(run_dir, "last.ckpt"), save_freq=save_freq)]
    return m.fit(x, y, epochs=epochs, batch_size=16, validation_split=0.25, callbacks=callbacks,
                 seed=1, verbose=0, resume_from=resume_from)


if __name__ == "__main__":  # python _tiny.py RUN_DIR [resume]: save every batch, for kill tests
    run_dir = sys.argv[1]
    resume = os.path.join(run_dir, "last.ckpt") if len(sys.argv) > 2 else None
    m = model()
    fit(m, run_dir, epochs=int(os.environ.get("EPOCHS", "4")), save_freq=1, resume_from=resume)
    torch.save(m.module.state_dict(), os.path.join(run_dir, "final.pt"))

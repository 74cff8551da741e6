"""Fit a small mlp on `devices` CPU processes; each rank saves its weights and history.

Usage: python ddp_fit.py OUT_DIR DEVICES [EPOCHS]  (run by test_ddp.py; re-launched per rank by Fabric)
"""
import os
import sys

import torch

import pratique as pq
from pratique.models.registry import create_model
from pratique.tasks.model import Model
from pratique.training.callbacks import CSVLogger
from pratique.training.resume import ResumeCheckpoint

out, devices = sys.argv[1], int(sys.argv[2])
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 2
(x, y), _ = pq.datasets.load_data("mnist5k")
x, y = x[:256], y[:256]
torch.manual_seed(0)
module = create_model("mlp", num_classes=10, in_channels=1)
model = Model(module, accelerator="cpu", devices=devices, strategy="ddp" if devices > 1 else "auto")
model.compile(optimizer="sgd", lr=0.1, momentum=0.9, metrics=["accuracy"])
last = os.path.join(out, "last.ckpt")
callbacks = [CSVLogger(os.path.join(out, "metrics.csv"), append=True),
             ResumeCheckpoint(last, auto_resume=True)]
history = model.fit(x, y, epochs=epochs, batch_size=32, seed=0, verbose=0, callbacks=callbacks)
fabric = model._trainer.fabric
torch.save({"state": module.state_dict(), "history": history.history, "world": fabric.world_size},
           os.path.join(out, f"rank{fabric.global_rank}.pt"))

"""Learning-rate schedules by name, stepped once per batch."""
from __future__ import annotations

import torch

from .._errors import unknown_name

_SCHEDULES = ("onecycle", "cosine", "constant")


def check_name(name) -> None:
    if name is not None and name not in _SCHEDULES:
        raise unknown_name("schedule", name, _SCHEDULES)


def build(name: str | None, optimizer, total_steps: int):
    """A per-batch LR scheduler over `total_steps`, or None for a constant rate.

    "onecycle" is fastai's fit_one_cycle shape (warm up to the compiled lr, then anneal);
    "cosine" anneals from the compiled lr to zero.
    """
    check_name(name)
    if name in (None, "constant") or total_steps < 1:
        return None
    if name == "onecycle":
        max_lr = [g.get("max_lr", g["lr"]) for g in optimizer.param_groups]
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=total_steps)
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)

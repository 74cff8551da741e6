"""Learning-rate schedules by name, with their arguments, stepped once per batch.

`compile(schedule="cosine")` or `compile(schedule=schedules.get("step", step_size=2, gamma=0.5))`.
Every schedule multiplies the compiled LR of each parameter group (discriminative LRs keep
their ratios) by a factor of the batch index, through one `LambdaLR`.
"""
from __future__ import annotations

import math

import torch

from ..core.errors import PratiqueError, unknown_name
from ..core.registry import Registry

__all__ = ["SCHEDULES", "Schedule", "build", "check_name", "get", "list_schedules"]


def _constant(step, total, per_epoch):
    return 1.0


def _step(step, total, per_epoch, step_size: int = 1, gamma: float = 0.1):
    """Multiply by `gamma` every `step_size` epochs (torch's StepLR, counted in epochs)."""
    return gamma ** ((step // max(per_epoch, 1)) // step_size)


def _cosine(step, total, per_epoch, min_factor: float = 0.0):
    """Anneal from 1 to `min_factor` along half a cosine over the whole fit."""
    t = min(step / max(total, 1), 1.0)
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * t))


def _warmup(step, total, per_epoch, warmup: float = 0.1, then: str = "cosine"):
    """Linear warm-up over the first `warmup` (fraction of steps, or an int of steps), then
    "cosine" annealing to zero or "constant"."""
    n = int(warmup * total) if isinstance(warmup, float) else int(warmup)
    if step < n:
        return (step + 1) / n
    if then == "constant":
        return 1.0
    return _cosine(step - n, total - n, per_epoch)


def _onecycle(step, total, per_epoch, pct_start: float = 0.25, div_factor: float = 25.0,
              final_div_factor: float = 1e5):
    """fastai's fit_one_cycle: cosine from lr/div_factor up to lr over `pct_start` of the
    steps, then cosine down to lr/(div_factor*final_div_factor)."""
    up = max(int(pct_start * total), 1)
    lo, end = 1 / div_factor, 1 / (div_factor * final_div_factor)
    if step < up:
        return lo + (1 - lo) * 0.5 * (1 - math.cos(math.pi * step / up))
    t = min((step - up) / max(total - up - 1, 1), 1.0)  # the last batch runs at the floor
    return end + (1 - end) * 0.5 * (1 + math.cos(math.pi * t))


# name -> factor(step, total, per_epoch, **kwargs); SCHEDULES.get(name, **kwargs) is a Schedule
SCHEDULES = Registry("schedule", build=lambda name, factor, **kwargs: Schedule(name, **kwargs))
for _name, _factor in {"constant": _constant, "step": _step, "cosine": _cosine, "warmup": _warmup,
                       "onecycle": _onecycle, "one_cycle": _onecycle}.items():
    SCHEDULES.add(_name, _factor)


class Schedule:
    """A named schedule and its arguments; `build(optimizer, total_steps, steps_per_epoch)`."""

    def __init__(self, name: str, **kwargs):
        check_name(name)
        self.name, self.kwargs = name, kwargs
        import inspect

        allowed = list(inspect.signature(SCHEDULES[name]).parameters)[3:]
        if set(kwargs) - set(allowed):  # wrong argument names fail here, at compile time
            raise PratiqueError(f"Bad arguments for schedule {name!r}. Expected some of: "
                                f"{', '.join(allowed) or 'none'}. Received: {kwargs}")

    def factor(self, step: int, total: int, per_epoch: int) -> float:
        return SCHEDULES[self.name](step, total, per_epoch, **self.kwargs)

    def build(self, optimizer, total_steps: int, steps_per_epoch: int = 1):
        return torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: self.factor(step, total_steps, steps_per_epoch))

    def __repr__(self) -> str:
        return f"Schedule({self.name!r}, {self.kwargs})"


def list_schedules(glob: str | None = None) -> list[str]:
    """Registered schedule names, sorted, optionally matching a glob."""
    return SCHEDULES.list(glob)


def check_name(name) -> None:
    if name is not None and not isinstance(name, Schedule) and name not in SCHEDULES:
        raise unknown_name("schedule", name, SCHEDULES)


def get(name, **kwargs) -> Schedule | None:
    """A schedule by name with its arguments: "constant", "step" (step_size epochs, gamma),
    "cosine" (min_factor), "warmup" (warmup, then), "onecycle" (pct_start, div_factor,
    final_div_factor).

    Example:
        >>> model.compile(optimizer="sgd", lr=0.1, schedule=get("step", step_size=2, gamma=0.5))
    """
    if name is None or isinstance(name, Schedule):
        return name
    return SCHEDULES.get(name, **kwargs)


def build(name, optimizer, total_steps: int, steps_per_epoch: int = 1):
    """A per-batch LR scheduler over `total_steps`, or None for a constant rate."""
    schedule = get(name)
    if schedule is None or schedule.name == "constant" or total_steps < 1:
        return None
    return schedule.build(optimizer, total_steps, steps_per_epoch)

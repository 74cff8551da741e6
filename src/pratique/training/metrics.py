"""Metrics that accumulate over an epoch as tensors; one sync at the end, not one per batch."""
from __future__ import annotations

import torch

from .._errors import unknown_name


class Metric:
    """Accumulates over batches: `update(outputs, targets)`, then `compute()` -> float."""

    name = "metric"

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, outputs: torch.Tensor, targets: torch.Tensor) -> None:
        raise NotImplementedError

    def compute(self) -> float:
        raise NotImplementedError


class Accuracy(Metric):
    """Fraction of samples whose arg-max output equals the integer target."""

    name = "accuracy"

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.correct = torch.zeros((), dtype=torch.long)
        self.total = 0

    def update(self, outputs, targets) -> None:
        hit = (outputs.argmax(dim=-1) == targets).sum()
        self.correct = self.correct.to(hit.device) + hit
        self.total += targets.shape[0]

    def compute(self) -> float:
        return float(self.correct) / max(self.total, 1)


_METRICS = {"accuracy": Accuracy, "acc": Accuracy}


def get(name) -> Metric:
    """A fresh metric by name (`"accuracy"`), or the `Metric` instance given."""
    if isinstance(name, Metric):
        return name
    if name not in _METRICS:
        raise unknown_name("metric", name, _METRICS)
    return _METRICS[name]()

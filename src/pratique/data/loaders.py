"""Batches for the loop. The in-memory fast path slices a shuffled index: no per-sample collate."""
from __future__ import annotations

import math

import torch


class InMemoryBatches:
    """Batches of `(x, y)` sliced from tensors held in memory.

    Each epoch draws one permutation from `generator` (when `shuffle`) and yields slices of it;
    `x` is converted by `transform` (e.g. uint8 -> float in [0, 1]) one batch at a time.

    Example:
        >>> batches = InMemoryBatches(x, y, batch_size=64, shuffle=True, seed=0)
        >>> for xb, yb in batches: ...
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None, batch_size: int = 32,
                 shuffle: bool = False, seed: int | None = None, transform=None, drop_last=False):
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.transform = transform
        self.drop_last = drop_last
        self.generator = torch.Generator()
        self.generator.manual_seed(seed if seed is not None else torch.seed() % 2**63)
        self.epoch_order: torch.Tensor | None = None

    def __len__(self) -> int:
        n = len(self.x) / self.batch_size
        return math.floor(n) if self.drop_last else math.ceil(n)

    @property
    def num_samples(self) -> int:
        return len(self.x)

    def __iter__(self):
        n = len(self.x)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else None
        self.epoch_order = order
        for i in range(len(self)):
            if order is None:
                xb = self.x[i * self.batch_size:(i + 1) * self.batch_size]
                yb = None if self.y is None else self.y[i * self.batch_size:(i + 1) * self.batch_size]
            else:
                idx = order[i * self.batch_size:(i + 1) * self.batch_size]
                xb = self.x[idx]
                yb = None if self.y is None else self.y[idx]
            if self.transform is not None:
                xb = self.transform(xb)
            yield xb, yb

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
        self.position = 0  # batches handed out in the current epoch
        self._epoch_rng: torch.Tensor | None = None  # generator state before this epoch's shuffle
        self._skip = 0

    def __len__(self) -> int:
        n = len(self.x) / self.batch_size
        return math.floor(n) if self.drop_last else math.ceil(n)

    @property
    def num_samples(self) -> int:
        return len(self.x)

    def __iter__(self):
        n = len(self.x)
        self._epoch_rng = self.generator.get_state()
        order = torch.randperm(n, generator=self.generator) if self.shuffle else None
        self.epoch_order = order
        start, self._skip = self._skip, 0
        self.position = start
        for i in range(start, len(self)):
            if order is None:
                xb = self.x[i * self.batch_size:(i + 1) * self.batch_size]
                yb = None if self.y is None else self.y[i * self.batch_size:(i + 1) * self.batch_size]
            else:
                idx = order[i * self.batch_size:(i + 1) * self.batch_size]
                xb = self.x[idx]
                yb = None if self.y is None else self.y[idx]
            if self.transform is not None:
                xb = self.transform(xb)
            self.position = i + 1
            yield xb, yb
        self._epoch_rng, self.position = None, 0

    def state_dict(self) -> dict:
        """Where the data order stands: the generator state at the start of the current epoch
        and the batches already handed out in it (0 between epochs)."""
        if self._epoch_rng is None:
            return {"generator": self.generator.get_state(), "position": 0}
        return {"generator": self._epoch_rng.clone(), "position": self.position}

    def load_state_dict(self, state: dict) -> None:
        """The next epoch draws the same order as the saved one and skips the batches done."""
        self.generator.set_state(state["generator"])
        self._skip = int(state["position"])
        self._epoch_rng, self.position = None, 0

"""`fit(steps_per_epoch=N)`: epochs of N batches, as Keras 3 cuts them."""
from __future__ import annotations

import warnings


class StepsPerEpoch:
    """Batches `N` at a time. As in Keras 3, an epoch continues where the last one stopped;
    the data restarts (reshuffled) after an epoch that used it up, and an epoch that runs out
    of data ends early with a warning."""

    def __init__(self, batches, steps: int):
        self.batches, self.steps = batches, steps
        self._it, self._seen = None, 0

    def __len__(self) -> int:
        return self.steps

    def __iter__(self):
        if self._it is None:
            self._it, self._seen = iter(self.batches), 0
        for _ in range(self.steps):
            try:
                batch = next(self._it)
            except StopIteration:
                warnings.warn(f"Your input ran out of data: steps_per_epoch={self.steps} but the data "
                              f"holds {len(self.batches)} batches. The epoch ended early; pass "
                              "steps_per_epoch <= the number of batches.", UserWarning, stacklevel=2)
                self._it = None
                return
            self._seen += 1
            yield batch
        if self._seen >= len(self.batches):
            self._it = None

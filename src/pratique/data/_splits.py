"""The batches of a data object's splits, shared by ImageData and SeriesData: each keeps its
splits in `self.splits` and makes batches with `self._batches(split, train, seed)`."""
from __future__ import annotations

from ..core.errors import PratiqueError


class SplitBatches:
    """train / val / test / eval batches over `self.splits`."""

    def train_batches(self, seed: int | None = None):
        """Shuffled, augmented batches of the training split; `len()` is the number of batches."""
        return self._batches("train", True, self.seed if seed is None else seed)

    def val_batches(self):
        return self._batches("val", False) if "val" in self.splits else None

    def test_batches(self):
        return self._batches("test", False) if "test" in self.splits else None

    def eval_batches(self, split: str | None = None):
        """The test split, or the validation split when there is no test split (or None);
        `split` ("train", "val", "test") picks one: in order, unaugmented, as for evaluation."""
        if split is None:
            return self.test_batches() or self.val_batches()
        if split not in self.splits:
            raise PratiqueError(f"This {type(self).__name__} has no {split!r} split. Expected one of: "
                                f"{', '.join(self.splits)}. Received: split={split!r}.")
        return self._batches(split, False)

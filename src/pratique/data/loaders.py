"""Batches for the loop. The in-memory fast path slices a shuffled index (no per-sample collate,
augmentation on whole batches); the streaming path decodes batches in DataLoader workers, so its
memory is O(batch), not O(dataset)."""
from __future__ import annotations

import math

import torch

from .preprocess import Preprocessing, mark_model_input


class _ResumableOrder:
    """`state_dict` / `load_state_dict` of a seeded data order, for exact mid-epoch resume.

    Subclasses keep `generator`, `_epoch_rng` (its state before the current epoch's draws, None
    between epochs), `position` (batches handed out in the epoch) and `_skip` (batches the next
    epoch leaves out)."""

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


class InMemoryBatches(_ResumableOrder):
    """Batches of `(x, y)` sliced from tensors held in memory.

    Each epoch draws one permutation from `generator` (when `shuffle`) and yields slices of it;
    `x` is converted by `transform` (e.g. uint8 -> float in [0, 1]) one batch at a time.

    Example:
        >>> batches = InMemoryBatches(x, y, batch_size=64, shuffle=True, seed=0)
        >>> for xb, yb in batches: ...
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None, batch_size: int = 32,
                 shuffle: bool = False, seed: int | None = None, transform=None, drop_last=False,
                 batch_transform=None, weights: torch.Tensor | None = None, model_inputs: bool = False):
        self.x, self.y = x, y
        self.model_inputs = model_inputs  # x is preprocessed already (its batches get marked)
        self.batch_transform = batch_transform  # (x, y, generator) -> (x, y), e.g. a BatchPipeline
        self.weights = weights  # per-sample sampling weights: draws with replacement
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.transform = transform
        self.drop_last = drop_last
        self.generator = torch.Generator()
        self.generator.manual_seed(_seed(seed, shuffle or weights is not None or batch_transform is not None))
        self.epoch_order: torch.Tensor | None = None
        self.position = 0  # batches handed out in the current epoch
        self._epoch_rng: torch.Tensor | None = None  # generator state before this epoch's shuffle
        self._skip = 0
        self.rank, self.world_size = 0, 1

    def shard(self, rank: int, world_size: int) -> InMemoryBatches:
        """Yield only this rank's slice of every global batch (data-parallel training).

        Every rank must draw the same permutation, so the generator must be seeded (or its
        state copied) identically on all ranks; the global batch `batch_size` is split into
        `world_size` near-equal parts, so ranks together see each sample once per epoch and
        the averaged gradients equal a single process's with batch `batch_size` (exactly when
        `batch_size` is divisible by `world_size`). Returns self.

        Example:
            >>> batches.shard(fabric.global_rank, fabric.world_size)
        """
        if not 0 <= rank < world_size:
            from ..core.errors import PratiqueError

            raise PratiqueError(f"rank must be in [0, world_size). Received: rank={rank}, "
                                f"world_size={world_size}. Pass fabric.global_rank, fabric.world_size.")
        self.rank, self.world_size = rank, world_size
        return self

    def __len__(self) -> int:
        n = len(self.x) / self.batch_size
        return math.floor(n) if self.drop_last else math.ceil(n)

    @property
    def num_samples(self) -> int:
        return len(self.x)

    def __iter__(self):
        n = len(self.x)
        self._epoch_rng = self.generator.get_state()
        order = epoch_order(n, self.shuffle, self.weights, self.generator)
        self.epoch_order = order
        start, self._skip = self._skip, 0
        self.position = start
        for i in range(start, len(self)):
            lo, hi = i * self.batch_size, min((i + 1) * self.batch_size, n)
            if self.world_size > 1:  # this rank's part of the global batch [lo, hi)
                lo, hi = _part(lo, hi, self.rank, self.world_size)
            if order is None:
                xb = self.x[lo:hi]
                yb = None if self.y is None else self.y[lo:hi]
            else:
                idx = order[lo:hi]
                xb = self.x[idx]
                yb = None if self.y is None else self.y[idx]
            if self.transform is not None:
                xb = self.transform(xb)
            if self.batch_transform is not None:
                xb, yb = self.batch_transform(xb, yb, self.generator)
            self.position = i + 1
            if self.transform is not None or self.batch_transform is not None or self.model_inputs:
                mark_model_input(xb)  # predict/evaluate given it back do not normalize it again
            yield xb, yb
        self._epoch_rng, self.position = None, 0


def _part(lo: int, hi: int, rank: int, world_size: int) -> tuple[int, int]:
    """Rank's contiguous part of [lo, hi) when split into world_size near-equal parts
    (the first `(hi - lo) % world_size` parts one longer, as `torch.tensor_split`)."""
    size, extra = divmod(hi - lo, world_size)
    start = lo + rank * size + min(rank, extra)
    return start, start + size + (rank < extra)


def epoch_order(n: int, shuffle: bool, weights, generator) -> torch.Tensor | None:
    """One epoch's sample order: weighted draws with replacement, a permutation, or None (in order)."""
    if weights is not None:
        return torch.multinomial(weights.double(), n, replacement=True, generator=generator)
    return torch.randperm(n, generator=generator) if shuffle else None


class Fetcher:
    """Sample i as uint8 (C, H, W) at `size`: from image files (`Preprocessing.read`, the one path
    prediction takes too), or from a torch Dataset; `as_is`: the Dataset's own float tensor,
    untouched (already a model input)."""

    def __init__(self, sources, color_mode: str, size, as_is: bool = False):
        self.sources, self.color_mode, self.size, self.as_is = sources, color_mode, size, as_is
        self.pre = Preprocessing({"color_mode": color_mode, "image_size": size})

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, i: int) -> torch.Tensor:
        src = self.sources[i]
        if isinstance(src, str):
            return self.pre.read(src)
        if self.as_is:
            return src[0]
        from .sources import to_uint8_image  # a torch Dataset item (image, label)

        return to_uint8_image(src[0], self.color_mode, self.size)


class _BatchDataset(torch.utils.data.Dataset):
    """Item = (seed, indices) -> one finished batch, built inside a worker."""

    def __init__(self, fetcher: Fetcher, y, batch_transform):
        self.fetcher, self.y, self.batch_transform = fetcher, y, batch_transform

    def __len__(self) -> int:
        return len(self.fetcher)

    def __getitem__(self, item):
        seed, idx = item
        x = torch.stack([self.fetcher[i] for i in idx])  # uint8 (N, C, H, W)
        y = None if self.y is None else self.y[idx]
        if self.batch_transform is not None:
            x, y = self.batch_transform(x, y, torch.Generator().manual_seed(seed))
        return x, y if y is not None else torch.empty(0)


class _EpochSampler:
    def __init__(self):
        self.items: list = []

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class StreamingBatches(_ResumableOrder):
    """Batches decoded from files (or a torch Dataset) by DataLoader workers, with pinned memory
    and persistent workers; each batch is augmented whole, seeded per batch so results do not
    depend on the number of workers. `state_dict()` resumes the order (and the augmentation)
    exactly, mid-epoch too.

    Example:
        >>> batches = StreamingBatches(Fetcher(paths, "rgb", (224, 224)), labels, 32, shuffle=True)
    """

    def __init__(self, fetcher: Fetcher, y, batch_size: int = 32, shuffle: bool = False,
                 seed: int | None = None, batch_transform=None, num_workers: int = 0,
                 weights=None, drop_last: bool = False):
        self.fetcher, self.y, self.batch_size = fetcher, y, batch_size
        self.shuffle, self.weights, self.drop_last = shuffle, weights, drop_last
        self.generator = torch.Generator().manual_seed(
            _seed(seed, shuffle or weights is not None or batch_transform is not None))
        self._sampler = _EpochSampler()
        self.loader = torch.utils.data.DataLoader(
            _BatchDataset(fetcher, y, batch_transform), batch_size=None, sampler=self._sampler,
            num_workers=num_workers, pin_memory=torch.cuda.is_available(),
            persistent_workers=num_workers > 0, prefetch_factor=4 if num_workers > 0 else None)
        self._epoch_rng: torch.Tensor | None = None  # see _ResumableOrder
        self.position, self._skip = 0, 0

    def __len__(self) -> int:
        n = len(self.fetcher) / self.batch_size
        return math.floor(n) if self.drop_last else math.ceil(n)

    @property
    def num_samples(self) -> int:
        return len(self.fetcher)

    def __iter__(self):
        self._epoch_rng = self.generator.get_state()
        order = epoch_order(len(self.fetcher), self.shuffle, self.weights, self.generator)
        order = torch.arange(len(self.fetcher)) if order is None else order
        seeds = torch.randint(2**62, (len(self),), generator=self.generator).tolist()
        b = self.batch_size
        start, self._skip = self._skip, 0  # a resumed epoch: the same draws, minus the batches done
        self._sampler.items = [(seeds[i], order[i * b:(i + 1) * b].tolist()) for i in range(start, len(self))]
        self.position = start
        for x, y in self.loader:
            self.position += 1  # counted as handed out, whatever the workers prefetched
            if self.loader.dataset.batch_transform is not None:
                mark_model_input(x)
            yield x, (y if self.y is not None else None)
        self._epoch_rng, self.position = None, 0


def decode_all(fetcher: Fetcher, num_workers: int = 0, batch_size: int = 64) -> torch.Tensor:
    """Decode every sample once into one uint8 tensor (N, C, H, W), in parallel workers."""
    batches = StreamingBatches(fetcher, None, batch_size, num_workers=num_workers)
    out = [x for x, _ in batches]
    batches.loader = None  # let the workers go
    return torch.cat(out) if out else torch.empty(0, dtype=torch.uint8)


def _seed(seed: int | None, random: bool) -> int:
    """The batches' generator seed: `seed`, else drawn from torch's global generator (so that
    torch.manual_seed makes a fit reproducible), never reseeding it; batches that draw nothing
    random (predict, evaluate) leave the global stream untouched."""
    if seed is not None:
        return seed
    return int(torch.randint(2**62, (1,))) if random else 0

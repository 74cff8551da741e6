"""The pieces of `_frozen.py`: batches of computed-once embeddings in the data's own order, the
path from an embedding to the model's output, and the check that this path is the model's.

The training batches draw each epoch's order from the data's own generator, exactly as iterating
the data would (`draw_order`), so the frozen epochs see the same batches in the same order, and
the epochs after them (or a resume) find the generator where the plain fit leaves it.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..data.loaders import InMemoryBatches, StreamingBatches, epoch_order

ORDERED = (InMemoryBatches, StreamingBatches)  # the batch kinds whose order draw_order replays


def draw_order(source) -> torch.Tensor | None:
    """One epoch's sample order, drawn from `source.generator` as iterating `source` draws it
    (None: in order)."""
    if isinstance(source, InMemoryBatches):  # the batch transform (no augmentation) draws nothing
        return epoch_order(len(source.x), source.shuffle, source.weights, source.generator)
    order = epoch_order(len(source.fetcher), source.shuffle, source.weights, source.generator)
    torch.randint(2**62, (len(source),), generator=source.generator)  # its per-batch augmentation seeds
    return order


def order_refusal(source, phased: bool) -> str | None:
    """Why the batches of `source` cannot be replayed from computed-once outputs (None: they can)."""
    if not isinstance(source, ORDERED):
        return "the data's batches are of a kind whose order is not known here"
    if isinstance(source, StreamingBatches):
        if not isinstance(source.fetcher.sources, (list, tuple)):
            return "the images come from a torch Dataset, whose transform may draw at random"
        if phased and source.loader.persistent_workers:  # its first iterator would draw twice
            return "the images are streamed by worker processes across the unfreezing"
    return None


def replay_loader_seed(source, seeded: bool) -> bool:
    """Draw what iterating `source` would draw from the global RNG (the one dropout draws
    from): a new DataLoader iterator takes its workers' base seed there, every epoch without
    persistent workers, the first epoch with them. Returns whether a persistent one has drawn."""
    loader = getattr(source, "loader", None)
    if loader is None or (loader.persistent_workers and (seeded or loader._iterator is not None)):
        return seeded
    torch.empty((), dtype=torch.int64).random_(generator=loader.generator)
    return True


class FeatureBatches:
    """Training batches: in frozen epochs `(embeddings[idx], y[idx])` for the samples `source`
    would yield, in its order; in the others `source`'s own batches (images). `source`'s data
    position (`state_dict`, resume) moves as if it had been iterated."""

    def __init__(self, part, source, emb: torch.Tensor, y: torch.Tensor):
        self.part, self.source, self.emb, self.y = part, source, emb, y
        self._loader_seeded = False

    def __len__(self) -> int:
        return len(self.source)

    def _replay_loader_seed(self) -> None:
        self._loader_seeded = replay_loader_seed(self.source, self._loader_seeded)

    @property
    def num_samples(self) -> int:
        return self.source.num_samples

    def state_dict(self) -> dict:
        return self.source.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.source.load_state_dict(state)

    def __iter__(self):
        if not self.part.frozen():
            yield from self.source
            return
        src = self.source
        src._epoch_rng = src.generator.get_state()
        order = draw_order(src)
        self._replay_loader_seed()
        start, src._skip = src._skip, 0  # a resumed epoch: the same draws, minus the batches done
        src.position = start
        n, b = len(self.emb), src.batch_size
        for i in range(start, len(src)):
            lo, hi = i * b, min((i + 1) * b, n)
            idx = torch.arange(lo, hi) if order is None else order[lo:hi]
            src.position = i + 1
            yield self.emb[idx], self.y[idx]
        src._epoch_rng, src.position = None, 0


class FeatureValBatches:
    """Validation batches: the embeddings, cut as `source` cuts its batches, in frozen epochs;
    `source`'s own batches in the others."""

    def __init__(self, part, source, emb: torch.Tensor, y: torch.Tensor):
        self.part, self.source, self.emb, self.y = part, source, emb, y
        self._loader_seeded = False

    def __len__(self) -> int:
        return len(self.source)

    def __iter__(self):
        if not self.part.frozen():
            yield from self.source
            return
        self._loader_seeded = replay_loader_seed(self.source, self._loader_seeded)
        b = self.source.batch_size
        for lo in range(0, len(self.emb), b):
            yield self.emb[lo:lo + b], self.y[lo:lo + b]


def head_forward(split):
    """The model's forward from the head's input (an embedding, (N, D)) to its output, with
    whatever stochastic layer sits between them (timm's `drop_rate` dropout, a Sequential's
    Dropout before its last Linear), so that the head trains as it does in the whole model."""
    module, head = split.module, split.head
    if hasattr(module, "forward_features") and hasattr(module, "forward_head"):  # timm

        def timm_head(e: torch.Tensor) -> torch.Tensor:
            p = float(getattr(module, "drop_rate", 0.0) or 0.0)  # forward_head's dropout
            return head(F.dropout(e, p, module.training) if p else e)

        return timm_head
    if isinstance(module, nn.Sequential):
        cut = list(module._modules).index(split.head_name)
        while cut > 0 and isinstance(module[cut - 1], nn.modules.dropout._DropoutNd):
            cut -= 1  # in eval mode a Dropout passes its input on: the embedding is the same
        return module[cut:]
    return head


@torch.no_grad()
def faithful(split, head_fn, x: torch.Tensor) -> bool:
    """Whether `head_fn(embedding in eval mode)` gives what the whole module gives in training
    with its backbone frozen (BatchNorm in eval, as `set_trainable(False)` holds it), with the
    same random draws: a backbone with dropout or batch statistics in training does not."""
    module = split.module
    modes = [(m, m.training) for m in module.modules()]
    saved = [(b, b.detach().clone()) for b in module.buffers()]
    frozen_bn = [m for layer in split.backbone_layers() for m in layer.modules()
                 if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    try:
        module.eval()
        emb = split.embed(x)
        module.train()
        for m in frozen_bn:
            m.eval()
        outs = []
        for run in (lambda: module(x), lambda: head_fn(emb)):
            with torch.random.fork_rng(devices=[x.device] if x.device.type == "cuda" else []):
                torch.manual_seed(20)
                outs.append(run())
        full, fast = (o.float() for o in outs)
        scale = float(full.abs().max()) + 1.0
        return full.shape == fast.shape and bool(torch.allclose(full, fast, rtol=1e-4, atol=1e-5 * scale))
    except Exception:  # noqa: BLE001  (a model this cannot run takes the plain path)
        return False
    finally:
        for b, value in saved:
            b.copy_(value)
        for m, mode in modes:
            m.training = mode

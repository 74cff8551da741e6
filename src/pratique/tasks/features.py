"""The "features" fine-tuning strategy: embed once with the frozen backbone, cache, train the head."""
from __future__ import annotations

import contextlib
import hashlib
import os

import torch

from ..training.checkpoint import load_checkpoint, save_checkpoint
from ..training.optimizers import rebuild


def _digest(h, t: torch.Tensor) -> None:
    h.update(str(tuple(t.shape)).encode())
    t = t.detach().cpu().contiguous().reshape(-1)
    h.update(str(t.dtype).encode())
    h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")


def backbone_key(split) -> str:
    """A hash of the backbone's weights and buffers (the head is left out: it is what trains)."""
    head = {id(t) for t in list(split.head.parameters()) + list(split.head.buffers())}
    h = hashlib.sha1()
    for name, t in split.module.state_dict(keep_vars=True).items():
        if id(t) not in head:
            h.update(name.encode())
            _digest(h, t)
    return h.hexdigest()[:16]


@torch.no_grad()
def embed_batches(split, batches, device, prepare=None, autocast=None) -> tuple[torch.Tensor, torch.Tensor, str]:
    """(embeddings (N, D), targets (N,), hash of the inputs) over `batches`, backbone in eval mode.

    `prepare(x)` puts a batch on the device in the trainer's layout (default: `x.to(device)`);
    `autocast()` is the precision's context (mixed precision: the backbone's numbers in training)."""
    was = split.module.training
    split.module.eval()
    outs, ys, h = [], [], hashlib.sha1()
    try:
        for x, y in batches:
            _digest(h, x)
            _digest(h, y)
            x = x.to(device) if prepare is None else prepare(x)
            with autocast() if autocast is not None else contextlib.nullcontext():
                outs.append(split.embed(x).float().cpu())
            ys.append(y)
    finally:
        split.module.train(was)
    return torch.cat(outs), torch.cat(ys), h.hexdigest()[:16]


def cached_embeddings(split, batches, device, cache_dir: str, prepare=None, autocast=None, tag: str = ""):
    """Embeddings from `cache_dir` when the backbone and the inputs are the same, else computed
    and written there (atomically). Returns (embeddings, targets, hit).

    The key hashes the backbone's tensors and the inputs (one cheap pass over the batches,
    without the backbone), so new weights or new data never reuse stale embeddings; `tag` names
    how they were computed (layout, precision) when that is not the default.
    """
    name = f"{backbone_key(split)}-{_inputs_hash(batches)}" + (f"-{tag}" if tag else "")
    path = os.path.join(cache_dir, f"{name}.pt")
    if os.path.exists(path):
        state = load_checkpoint(path)
        return state["embeddings"], state["targets"], True
    emb, y, _ = embed_batches(split, batches, device, prepare, autocast)
    save_checkpoint({"embeddings": emb, "targets": y}, path)
    return emb, y, False


def _inputs_hash(batches) -> str:
    h = hashlib.sha1()
    for x, y in batches:
        _digest(h, x)
        _digest(h, y)
    return h.hexdigest()[:16]


def features_dir(cache_dir=None) -> str:
    """Where embeddings are kept (made if missing): `cache_dir`, else features/ under the data
    cache directory ($PRATIQUE_DATA, default ~/.cache/pratique)."""
    from ..data._readers import default_root

    cache_dir = os.fspath(cache_dir or os.path.join(default_root(), "features"))
    os.makedirs(cache_dir, exist_ok=True)
    return cache_dir


def fit_head_on_features(model, split, data, epochs: int, cache_dir: str | None, **fit_kwargs):
    """Train `split.head` (in place, inside `model.module`) on cached backbone embeddings."""
    from .model import Model

    cache_dir = features_dir(cache_dir)
    batch_size = fit_kwargs.pop("batch_size", 32)
    validation_data = fit_kwargs.pop("validation_data", None)
    x, y = (data, None) if hasattr(data, "train_batches") else data
    train, val = model._fit_batches(x, y, 256, validation_data, fit_kwargs.pop("validation_split", 0.0),
                                    False, 0)
    device = model._trainer.fabric.device
    split.module.to(device)
    emb, targets, hit = cached_embeddings(split, train, device, cache_dir)
    val_data = None
    if val is not None:
        val_data = cached_embeddings(split, val, device, cache_dir)[:2]
    head = Model(split.head, accelerator=model.accelerator, devices=model.devices)
    opt = model.optimizer
    head.optimizer = rebuild(opt, split.head.parameters(), lr=opt.param_groups[-1]["lr"])
    head.loss_fn, head.metrics, head._trainer = model.loss_fn, model.metrics, model._trainer
    head.schedule, head._loss_name = model.schedule, getattr(model, "_loss_name", None)
    # callbacks see the head's fit; what they save must be the whole model (the head trains in
    # place inside it), or ModelCheckpoint writes a file holding the head's weights alone
    head.save, head.save_weights = model.save, model.save_weights
    model.features_cache_hit = hit
    model.history = head.fit(emb, targets, epochs=epochs, batch_size=batch_size,
                             validation_data=val_data, **fit_kwargs)
    return model.history

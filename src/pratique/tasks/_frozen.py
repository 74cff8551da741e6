"""`finetune`'s frozen epochs at the speed of the machine.

A frozen backbone gives the same outputs for an image every epoch, unless the image changes.
So when the data has no augmentation, its outputs are computed once per image (the "features"
machinery: kept on disk under a hash of the backbone's weights and the inputs) and the frozen
epochs train the head on them; with augmentation, the frozen backbone runs without autograd
and only the head gets gradients. The choice is made here, automatically, and printed in one
line. Either way the model trained is the one the plain frozen fit gives: the same batches in
the same order (drawn from the data's own generator), the same dropout draws in the head, the
callbacks of one fit and one history (tests/tasks/test_frozen_once.py).

How: `Model.fit` hands its batches to `FrozenPart.batches`, which wraps them
(`_frozen_batches.py`); during the fit the module's `forward` sends a 2-D input (an
embedding: images are never 2-D) through the head. `close()` puts everything back.
"""
from __future__ import annotations

import math
import time

import torch

from ..training.callbacks import Callback
from . import _frozen_batches as fb
from .features import backbone_key, cached_embeddings, features_dir


def frozen_epochs(name: str, arg) -> float:
    """Epochs < this train with the whole backbone frozen, under strategy `name`."""
    if name == "freeze":
        return math.inf
    if name == "freeze_unfreeze":
        return arg
    if name == "unfreeze_milestones":
        return arg[0][0]
    return 0


class FrozenPart(Callback):
    """Decides how `finetune`'s frozen epochs run, and runs them that way (see the module)."""

    def __init__(self, split, name: str, until: float, data, cache_dir, fit_kwargs: dict):
        self.split, self.name, self.until, self.data = split, name, until, data
        self.cache_dir, self.fit_kwargs = cache_dir, fit_kwargs
        self.epoch = fit_kwargs.get("initial_epoch", 0)
        self.features = False  # the frozen epochs read computed-once embeddings
        self.timing: dict = {}
        self._undo: list = []
        self._key = None  # the embedded backbone's hash, checked at the first epoch

    # -- the callback: which epoch is running, and a check that the backbone is the one embedded
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        if self.features and self._key is not None:  # once, after resume / BackupAndRestore restored
            key, self._key = self._key, None
            if backbone_key(self.split) != key:
                self.features = False  # the source's own batches from now on: the plain fit
                self._say("the backbone's weights changed before the first epoch (a restored "
                          "checkpoint): it runs each epoch instead")

    def frozen(self) -> bool:
        return self.features and self.epoch < self.until

    # -- Model.fit's hook ----------------------------------------------------------------------
    def batches(self, model, train, val):
        """(train, val) for the fit: wrapped to read embeddings in the frozen epochs, when that
        gives the same model; else as they are, with the frozen backbone run without autograd."""
        if self.until <= self.epoch:
            return train, val
        reason = self._refusal(model, train, val)
        if reason is None:
            with torch.random.fork_rng(devices=None if torch.cuda.is_available() else []):
                reason = self._embed(model, train, val)
            if not isinstance(reason, str):
                return reason
        self._no_grad(model.module)
        self._say(f"the backbone is frozen and {reason}: it runs each epoch without gradients "
                  f"(BatchNorm in eval) and only the head trains{self._span()}")
        return train, val

    def _span(self) -> str:
        if self.until == math.inf:
            return ""
        return f" for the first {self.until} epoch{'s' if self.until != 1 else ''}"

    def _refusal(self, model, train, val) -> str | None:
        """Why the frozen epochs cannot read computed-once outputs (None: they can)."""
        spec = getattr(self.data, "spec", None)
        if spec is not None:
            from ..data.transforms import is_identity

            if not is_identity(spec):
                return "the data is augmented"
        elif not isinstance(self.data, (tuple, list)):
            return "the data is neither an ImageData nor arrays"
        from ..training.callbacks.base import overrides

        kf, phased = self.fit_kwargs, self.until != math.inf
        if (model._trainer.fabric.world_size > 1 or getattr(model, "_compiled", None) is not None
                or (model._compile_args or {}).get("precision") == "64"):
            return "this fit is distributed, compiled or in float64"
        if any(overrides(cb, "transform_train_batch") for cb in kf.get("callbacks") or ()):
            return "a callback transforms the training batches"
        if kf.get("steps_per_epoch") is not None and phased:
            return "steps_per_epoch cuts epochs across the unfreezing"
        return fb.order_refusal(train, phased) or (None if val is None else fb.order_refusal(val, phased))

    def _embed(self, model, train, val):
        """The wrapped (train, val), or why not."""
        split, fabric = self.split, model._trainer.fabric
        device = fabric.device
        split.module.to(device)
        inorder = self._in_order(train)
        if getattr(inorder, "y", None) is None or not torch.equal(inorder.y, train.y):
            return "the data's order could not be matched"
        x0, _ = next(iter(inorder))
        if x0.dim() <= 2:
            return "the inputs are vectors, not images"  # the head's route could not tell them apart
        prepare = self._prepare(model, device)
        head_fn = fb.head_forward(split)
        if not fb.faithful(split, head_fn, prepare(x0[:4])):
            return "the layers before the head draw at random or use batch statistics in training"
        n = len(train.y) + (0 if val is None else len(val.y))
        self._say(f"the backbone is frozen and the data has no augmentation: its outputs are "
                  f"computed once ({n} images) and the head trains on them{self._span()}", end="")
        started = time.perf_counter()
        cache, tag = features_dir(self.cache_dir), self._tag(model)
        emb, y, hit = cached_embeddings(split, inorder, device, cache, prepare, fabric.autocast, tag)
        parts = [fb.FeatureBatches(self, train, emb.to(device), y), val]
        if val is not None:
            emb_v, y_v, hit_v = cached_embeddings(split, val, device, cache, prepare, fabric.autocast, tag)
            parts[1] = fb.FeatureValBatches(self, val, emb_v.to(device), y_v)
            hit = hit and hit_v
        seconds = time.perf_counter() - started
        self._say(" (read from the cache)" if hit else f" ({seconds:.1f} s)", prefix=False)
        self.timing = {"features_seconds": round(seconds, 4), "features_images": n, "features_cache_hit": hit}
        model.features_cache_hit = hit
        self.features, self._key = True, backbone_key(split)
        self._route(split.module, head_fn, emb.dim())
        return tuple(parts)

    def _in_order(self, train):
        """The training samples in order, as the model takes them (no shuffling)."""
        if hasattr(self.data, "eval_batches"):  # an ImageData: its own unaugmented pass
            return self.data.eval_batches("train")
        return fb.InMemoryBatches(train.x, train.y, train.batch_size, seed=0, transform=train.transform,
                                  batch_transform=train.batch_transform, model_inputs=train.model_inputs)

    @staticmethod
    def _prepare(model, device):
        trainer = model._trainer

        def prepare(x: torch.Tensor) -> torch.Tensor:  # the device and layout the fit gives a batch
            x = x.to(device)
            return trainer._layout(model.module, x) if x.dim() == 4 else x

        return prepare

    @staticmethod
    def _tag(model) -> str:
        from ..training import _layout

        precision = (model._compile_args or {}).get("precision", "32")
        tags = [t for t in ("cl" if _layout.decided(model.module) else "",
                            precision if precision != "32" else "") if t]
        return "-".join(tags)

    # -- what the fit runs ---------------------------------------------------------------------
    def _route(self, module, head_fn, dim: int) -> None:
        """During the fit, a `dim`-D input (an embedding) goes through the head only."""
        forward = module.forward

        def route(x, *args, **kwargs):
            if isinstance(x, torch.Tensor) and x.dim() == dim and not args and not kwargs:
                return head_fn(x)
            return forward(x, *args, **kwargs)

        own = module.__dict__.get("forward")
        module.forward = route
        self._undo.append(lambda: setattr(module, "forward", own) if own is not None else delattr(module, "forward"))

    def _no_grad(self, module) -> None:
        """In frozen training epochs, the backbone's part of the forward records no graph: grad
        mode is off from the module's entry to the head's."""
        outer: list[bool] = []
        head = self.split.head

        def enter(m, args):
            if m.training and self.epoch < self.until:
                outer.append(torch.is_grad_enabled())
                torch.set_grad_enabled(False)

        def at_head(m, args):
            if outer:
                torch.set_grad_enabled(outer[-1])

        def leave(m, args, out):
            if outer:
                torch.set_grad_enabled(outer.pop())

        # first among the hooks: the user's own hooks on the head see the grad mode it trains in
        handles = [module.register_forward_pre_hook(enter), head.register_forward_pre_hook(at_head, prepend=True),
                   module.register_forward_hook(leave, prepend=True, always_call=True)]
        self._undo.extend(h.remove for h in handles)

    def close(self) -> None:
        """Put the module back as it was (its forward, no hooks)."""
        while self._undo:
            self._undo.pop()()
        self.features = False

    def _say(self, text: str, end: str = "\n", prefix: bool = True) -> None:
        if self.fit_kwargs.get("verbose", 1):
            print(f"{self.name}: {text}" if prefix else text, end=end, flush=True)

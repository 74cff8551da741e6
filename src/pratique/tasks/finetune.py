"""Fine-tuning with Lightning Flash's strategies, on our loop.

`finetune(model, data, epochs, strategy)` with strategy one of:
  "no_freeze"                 train everything;
  "freeze"                    train the head only; the backbone's BatchNorm stays in eval mode;
  ("freeze_unfreeze", N)      head only until epoch N, then everything ("freeze_unfreeze": N=1);
  ("unfreeze_milestones", ((m1, m2), k))  head only, the last k backbone layers from epoch m1,
                              everything from epoch m2;
  "features"                  backbone embeddings computed once (cached on disk), head trained on them.
The backbone learns at `backbone_lr_factor` x the head's rate (discriminative learning rates).
The epochs with the whole backbone frozen are fast (tasks/_frozen.py): without augmentation the
backbone's outputs are computed once per image and the head trains on them, with augmentation
the backbone runs without autograd; the model is the same as the plain frozen fit's.
"""
from __future__ import annotations

import warnings

from torch import nn

from ..config import FINETUNE_STRATEGIES
from ..core.errors import PratiqueError
from ..training.callbacks import Callback
from ..training.optimizers import rebuild
from ..training.split import split_backbone_head

__all__ = ["discriminative_optimizer", "finetune", "set_trainable", "split_backbone_head"]

_STRATEGIES = FINETUNE_STRATEGIES


def _parse(strategy):
    name, arg = (strategy, None) if isinstance(strategy, str) else tuple(strategy)
    if name not in _STRATEGIES:
        from ..core.errors import unknown_name

        raise unknown_name("strategy", name, _STRATEGIES)
    if name == "freeze_unfreeze":
        arg = 1 if arg is None else arg
    if name == "unfreeze_milestones":
        if arg is None:
            arg = ((5, 10), 5)
        (m1, m2), k = arg
        if not 0 <= m1 <= m2 or k < 1:
            raise PratiqueError("unfreeze_milestones takes ((m1, m2), num_layers) with 0 <= m1 <= m2 "
                                f"and num_layers >= 1. Received: {arg!r}")
    return name, arg


def set_trainable(modules, trainable: bool) -> None:
    """requires_grad on every parameter; BatchNorm layers of frozen modules run in eval mode,
    even after the loop's `module.train()`, so their running statistics stay as they are
    (Keras' BatchNormalization with trainable=False)."""
    for module in modules:
        for p in module.parameters():
            p.requires_grad_(trainable)
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                _hold_in_eval(m, not trainable)
                m.train(trainable)


def _keep_eval(module, args) -> None:
    module.training = False  # a forward pre-hook: frozen BatchNorm uses its running statistics


def _hold_in_eval(bn: nn.Module, hold: bool) -> None:
    hooks = bn._forward_pre_hooks
    for key in [k for k, fn in hooks.items() if fn is _keep_eval]:
        del hooks[key]
    if hold:
        bn.register_forward_pre_hook(_keep_eval)


class FreezeSchedule(Callback):
    """Applies a strategy's freezing at each epoch start (after the loop's `module.train()`)."""

    def __init__(self, split, name: str, arg):
        self.split, self.name, self.arg = split, name, arg

    def on_epoch_begin(self, epoch, logs=None):
        layers = self.split.backbone_layers()
        if self.name == "freeze" or (self.name == "freeze_unfreeze" and epoch < self.arg):
            set_trainable(layers, False)
        elif self.name == "unfreeze_milestones":
            (m1, m2), k = self.arg
            set_trainable(layers, epoch >= m2)
            if m1 <= epoch < m2:  # the last k layers as Flash counts them (a ReLU is one)
                set_trainable(self.split.flash_layers()[-k:], True)
        else:
            set_trainable(layers, True)


def discriminative_optimizer(optimizer, split, backbone_lr_factor: float):
    """The same optimizer class and settings, with two groups: backbone at `lr * factor`, head at `lr`."""
    head_ids = {id(p) for p in split.head.parameters()}
    # the head's group holds the user's rate; a second finetune must not read the backbone's
    # (already scaled) rate, or the rate shrinks by the factor on every call
    group = next((g for g in optimizer.param_groups if any(id(p) in head_ids for p in g["params"])),
                 optimizer.param_groups[0])
    lr = group.get("initial_lr", group["lr"])
    backbone = [p for p in split.module.parameters() if id(p) not in head_ids]
    groups = [{"params": backbone, "lr": lr * backbone_lr_factor}, {"params": list(split.head.parameters()), "lr": lr}]
    return rebuild(optimizer, groups, lr=lr)


def finetune(model, data, epochs: int = 1, strategy="freeze_unfreeze", backbone_lr_factor: float = 0.1,
             cache_dir: str | None = None, **fit_kwargs):
    """Fine-tune a compiled `Model` (e.g. a pretrained ImageClassifier) on `data`.

    Args:
        model: the compiled model; its module is split with `split_backbone_head`.
        data: an `ImageData` or `(x, y)`.
        epochs: epochs to train.
        strategy: see the module docstring, e.g. "freeze", ("freeze_unfreeze", 2).
        backbone_lr_factor: the backbone's LR relative to the head's (1.0 disables).
        cache_dir: where "features" and the frozen epochs keep their embeddings (default
            features/ under $PRATIQUE_DATA, else ~/.cache/pratique/features).
        **fit_kwargs: passed to `fit` (callbacks, batch_size, validation_data, verbose, seed...).

    Example:
        >>> model.finetune((x, y), epochs=3, strategy="freeze")
    """
    model._require_compiled("finetune")
    name, arg = _parse(strategy)
    if name != "no_freeze":
        _warn_random_backbone(model, name)
    split = split_backbone_head(model.module)
    if name == "features":
        from .features import fit_head_on_features

        return fit_head_on_features(model, split, data, epochs, cache_dir, **fit_kwargs)
    if backbone_lr_factor != 1.0:
        model.optimizer = discriminative_optimizer(model.optimizer, split, backbone_lr_factor)
    callbacks = [FreezeSchedule(split, name, arg), *(fit_kwargs.pop("callbacks", None) or [])]
    x, y = (data, None) if hasattr(data, "train_batches") else _pair(data)
    part = _frozen_part(split, name, arg, data, cache_dir, {**fit_kwargs, "callbacks": callbacks})
    if part is not None:
        callbacks.insert(1, part)  # after FreezeSchedule: it knows the epoch before the batches do
    model._frozen_part = part  # Model.fit hands it its batches
    try:
        history = model.fit(x, y, epochs=epochs, callbacks=callbacks, **fit_kwargs)
        if part is not None:
            history.timing.update(part.timing)  # the features pass: seconds, images, cache hit
        return history
    finally:
        model._frozen_part = None
        if part is not None:
            part.close()
        set_trainable(split.backbone_layers(), True)
        model.module.train()


def _frozen_part(split, name: str, arg, data, cache_dir, fit_kwargs: dict):
    """The frozen epochs' fast path (tasks/_frozen.py), for strategies that freeze the backbone."""
    from ._frozen import FrozenPart, frozen_epochs

    until = frozen_epochs(name, arg)
    return FrozenPart(split, name, until, data, cache_dir, fit_kwargs) if until > 0 else None


def _warn_random_backbone(model, strategy: str) -> None:
    """Once per model: freezing a backbone that was never trained leaves the head to learn on
    random features, which Flash users (whose `pretrained` defaults to True) do not expect."""
    random_backbone = getattr(model, "has_random_backbone", None)
    if random_backbone is None or not random_backbone() or model.__dict__.get("_warned_random"):
        return
    model._warned_random = True
    name = (getattr(model, "architecture", None) or {}).get("name", "the model")
    warnings.warn(
        f"finetune(strategy={strategy!r}) freezes the backbone of {name!r}, whose weights are random "
        "(built with pretrained=False): only the head will learn, on random features. Build it with "
        f"pretrained=True (ImageClassifier({name!r}, pretrained=True, num_classes=...)), or train "
        "everything with strategy='no_freeze'.", UserWarning, stacklevel=3)


def _pair(data):
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return data[0], data[1]
    raise PratiqueError(f"finetune takes an ImageData or a tuple (x, y). Received: {type(data).__name__}.")


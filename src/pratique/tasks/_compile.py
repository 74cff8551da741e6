"""compile()'s optimizer: its learning rate under either name, over the module's parameters."""
from __future__ import annotations

import torch
from torch import nn

from ..core.errors import PratiqueError
from ..training import optimizers


def _learning_rate(lr, optimizer_kwargs: dict):
    """`lr`, or Keras' and Flash's `learning_rate=` (taken out of the optimizer's kwargs)."""
    if "learning_rate" not in optimizer_kwargs:
        return lr
    other = optimizer_kwargs.pop("learning_rate")
    if lr is not None and lr != other:
        raise PratiqueError(f"compile() received lr={lr!r} and learning_rate={other!r}, two names for "
                            "the same setting. Pass one of them.")
    return other


def _build_optimizer(optimizer, module: nn.Module, lr, kwargs: dict):
    """The optimizer over the module's parameters; None for a module without any (Keras compiles
    such a model: there is nothing to optimize)."""
    if next(module.parameters(), None) is None and not isinstance(optimizer, torch.optim.Optimizer):
        return None
    return optimizers.get(optimizer, module.parameters(), lr=lr, **kwargs)


def _group_lr(optimizer, lr):
    return optimizer.param_groups[0]["lr"] if optimizer is not None else lr

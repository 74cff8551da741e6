"""Losses by name: `get(name, **kwargs)` returns a callable `(logits, targets) -> scalar`."""
from __future__ import annotations

import functools

import torch.nn.functional as F

from .._errors import unknown_name

_LOSSES = {
    "cross_entropy": F.cross_entropy,
    "nll": F.nll_loss,
    "mse": F.mse_loss,
    "l1": F.l1_loss,
    "bce": F.binary_cross_entropy,
    "bce_with_logits": F.binary_cross_entropy_with_logits,
}


def register_loss(name: str):
    """Register `fn(logits, targets, **kwargs)` as a loss called `name`."""

    def decorate(fn):
        _LOSSES[name] = fn
        return fn

    return decorate


def list_losses() -> list[str]:
    return sorted(_LOSSES)


def get(name, **kwargs):
    """A loss by name, with its keyword arguments bound; a callable is returned as it is.

    Example:
        >>> loss = get("cross_entropy", label_smoothing=0.1)
        >>> loss(logits, targets)
    """
    if callable(name):
        return name
    if name not in _LOSSES:
        raise unknown_name("loss", name, _LOSSES)
    fn = _LOSSES[name]
    return functools.partial(fn, **kwargs) if kwargs else fn

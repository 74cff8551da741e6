"""Channels-last, only where it changes nothing but speed.

Channels-last is an optimization: a module whose forward reads the memory layout (`x.view(-1,
4*4*32)` after convolutions, as the course's CNN does) fails or computes something else with it.
So it is applied only to the models pratique builds by name from its own registry (whose
forwards the conformance tests run); any other module stays channels-first. Nothing is run to
decide: a model that counts its forward calls sees one per batch, as in Keras.
"""
from __future__ import annotations

import weakref

import torch
from torch import nn

_DECIDED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # module -> bool


def decided(module: nn.Module) -> bool | None:
    """The decision taken for `module`, or None before its first batch."""
    return _DECIDED.get(module)


def choose(module: nn.Module, sample: torch.Tensor, autocast=None) -> bool:
    """Decide (once per module) and put the module's weights in the chosen layout."""
    if module in _DECIDED:
        return _DECIDED[module]
    from ..models.registry import layout_safe

    ok = sample.dim() == 4 and layout_safe(module)
    module.to(memory_format=torch.channels_last if ok else torch.contiguous_format)
    _DECIDED[module] = ok
    return ok

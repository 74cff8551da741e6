"""Channels-last, only where it changes nothing but speed.

Channels-last is an optimization: a module whose forward reads the memory layout (`x.view(-1,
4*4*32)` after convolutions, as the course's CNN does) fails or computes something else with it.
The first batch a module sees decides, once: the module runs one sample both ways, and keeps
channels-last only when it runs and gives the same outputs; otherwise it stays channels-first,
silently.
"""
from __future__ import annotations

import weakref

import torch
from torch import nn

_DECIDED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # module -> bool


def decided(module: nn.Module) -> bool | None:
    """The decision taken for `module`, or None before its first batch."""
    return _DECIDED.get(module)


def choose(module: nn.Module, sample: torch.Tensor, autocast) -> bool:
    """Decide (once per module) and put the module's weights in the chosen layout."""
    if module in _DECIDED:
        return _DECIDED[module]
    ok = sample.dim() == 4 and any(isinstance(m, nn.Conv2d) for m in module.modules()) \
        and _same_both_ways(module, sample[:1], autocast)
    module.to(memory_format=torch.channels_last if ok else torch.contiguous_format)
    _DECIDED[module] = ok
    return ok


def _same_both_ways(module, x, autocast) -> bool:
    modes = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        with torch.no_grad(), autocast():
            module.to(memory_format=torch.contiguous_format)
            reference = module(x.contiguous())
            module.to(memory_format=torch.channels_last)
            candidate = module(x.contiguous(memory_format=torch.channels_last))
        return _close(reference, candidate)
    except Exception:  # noqa: BLE001 - whatever fails channels-last runs channels-first
        return False
    finally:
        for m, training in modes:
            m.training = training


def _close(a, b) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.shape != b.shape:
            return False
        a, b = a.float(), b.float()  # other convolution kernels: rounding differs, structure must not
        return bool(torch.allclose(a, b, rtol=1e-2, atol=1e-2 * max(float(a.abs().max()), 1e-6)))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b):
        return all(_close(p, q) for p, q in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return all(_close(a[k], b[k]) for k in a)
    return type(a) is type(b)

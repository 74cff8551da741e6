"""Losses by name: `get(name, **kwargs)` returns a callable `(logits, targets) -> scalar`."""
from __future__ import annotations

import functools
import inspect

import torch
import torch.nn.functional as F

from .._errors import PratiqueError, unknown_name

_LOSSES: dict = {}


def register_loss(name: str):
    """Register `fn(logits, targets, **kwargs)` as a loss called `name`."""

    def decorate(fn):
        _LOSSES[name] = fn
        return fn

    return decorate


def list_losses() -> list[str]:
    return sorted(_LOSSES)


def _weight(class_weight, like: torch.Tensor | None = None):
    """Class weights as a float tensor (or None); a dict {class: weight} becomes a dense vector."""
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        n = max(class_weight) + 1
        w = torch.ones(n)
        for k, v in class_weight.items():
            w[int(k)] = float(v)
        class_weight = w
    w = torch.as_tensor(class_weight, dtype=torch.float32)
    return w.to(like.device) if like is not None else w


@register_loss("cross_entropy")
def cross_entropy(logits, targets, label_smoothing: float = 0.0, class_weight=None,
                  reduction: str = "mean"):
    """Softmax cross-entropy on logits (N, C) and integer targets (N,) or probabilities (N, C).

    Args:
        label_smoothing: mass spread uniformly over all classes, in [0, 1).
        class_weight: a per-class weight (sequence, tensor or dict {class: weight}).
        reduction: "mean" or "sum".
    """
    weight = class_weight if isinstance(class_weight, torch.Tensor) else _weight(class_weight, logits)
    if weight is not None and weight.device != logits.device:
        weight = weight.to(logits.device)
    return F.cross_entropy(logits, targets, weight=weight, label_smoothing=label_smoothing,
                           reduction=reduction)


@register_loss("nll")
def nll(log_probs, targets, class_weight=None, reduction: str = "mean"):
    """Negative log-likelihood of log-probabilities (the output of `log_softmax`)."""
    weight = _weight(class_weight, log_probs)
    return F.nll_loss(log_probs, targets, weight=weight, reduction=reduction)


@register_loss("hinge")
def hinge(scores, targets, margin: float = 1.0, reduction: str = "mean",
          include_true_class: bool = False):
    """Multi-class hinge (SVM) loss: per sample `sum_i max(0, margin + S_i - S_k) - margin`.

    The sum runs over every class i, the true class k included (which adds exactly `margin`,
    hence the `- margin`): this is the usual SVM loss over i != k, equal to
    `C * F.multi_margin_loss`. `include_true_class=True` keeps that `margin` term (no
    `- margin`), the variant some course notes compute. `reduction`: "mean" over samples, "sum".

    Example:
        >>> hinge(torch.tensor([[5., 4, 2]]), torch.tensor([2]), reduction="sum")  # 4 + 3 = 7
    """
    true = scores.gather(1, targets.view(-1, 1))  # (N, 1)
    per_sample = (margin + scores - true).clamp_min(0).sum(dim=1)
    if not include_true_class:
        per_sample = per_sample - margin
    return _reduce(per_sample, reduction)


@register_loss("bce")
def bce(probs, targets, class_weight=None, reduction: str = "mean"):
    """Binary cross-entropy on probabilities; targets of the same shape (binary or multi-label)."""
    return F.binary_cross_entropy(probs, _float_like(targets, probs), weight=_weight(class_weight, probs),
                                  reduction=reduction)


@register_loss("bce_with_logits")
def bce_with_logits(logits, targets, pos_weight=None, reduction: str = "mean"):
    """Binary cross-entropy on logits (sigmoid inside); multi-label when targets are (N, C)."""
    pw = None if pos_weight is None else torch.as_tensor(pos_weight, dtype=torch.float32).to(logits.device)
    return F.binary_cross_entropy_with_logits(logits, _float_like(targets, logits), pos_weight=pw,
                                              reduction=reduction)


@register_loss("mse")
def mse(outputs, targets, reduction: str = "mean"):
    """Mean squared error."""
    return F.mse_loss(outputs, _float_like(targets, outputs), reduction=reduction)


@register_loss("l1")
def l1(outputs, targets, reduction: str = "mean"):
    """Mean absolute error."""
    return F.l1_loss(outputs, _float_like(targets, outputs), reduction=reduction)


def _float_like(targets, outputs):
    targets = targets.to(outputs.dtype)
    return targets.view_as(outputs) if targets.numel() == outputs.numel() else targets


def _reduce(values, reduction: str):
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    if reduction == "none":
        return values
    raise PratiqueError(f"reduction must be 'mean', 'sum' or 'none'. Received: reduction={reduction!r}")


def get(name, **kwargs):
    """A loss by name, with its keyword arguments bound; a callable is returned as it is.

    Example:
        >>> loss = get("cross_entropy", label_smoothing=0.1)
        >>> loss(logits, targets)
    """
    if callable(name):
        return functools.partial(name, **kwargs) if kwargs else name
    if name not in _LOSSES:
        raise unknown_name("loss", name, _LOSSES)
    fn = _LOSSES[name]
    if "class_weight" in kwargs and kwargs["class_weight"] is not None:
        kwargs["class_weight"] = _weight(kwargs["class_weight"])  # built once, moved lazily
    allowed = list(inspect.signature(fn).parameters)[2:]
    bad = sorted(set(kwargs) - set(allowed))
    if bad:
        raise PratiqueError(f"Loss {name!r} takes no argument {', '.join(bad)}. Expected some of: "
                            f"{', '.join(allowed)}. Received: {kwargs}")
    return functools.partial(fn, **kwargs) if kwargs else fn

"""Losses by name: `get(name, **kwargs)` returns a `Loss`, a callable `(outputs, targets) -> scalar`.

Each registered loss declares its `task` ("classification", "binary" or "regression", which
the metrics read, e.g. to refuse `accuracy` on a regression) and whether it takes logits
(`from_logits`: True, False, or None when the question does not apply). Keras' names
(`binary_crossentropy`, `sparse_categorical_crossentropy`, ...) keep Keras' meaning, inputs
that are probabilities by default; they live in `_keras_losses.py`.
"""
from __future__ import annotations

import functools
import inspect

import torch
import torch.nn.functional as F

from ..core.errors import PratiqueError
from ..core.registry import Registry

__all__ = ["LOSSES", "Loss", "bce", "bce_with_logits", "cross_entropy", "get", "hinge", "l1",
           "list_losses", "mse", "nll", "register_loss"]

_INFO: dict = {}  # name -> {"task": ..., "from_logits": ...}


def _build(name: str, fn, **kwargs) -> Loss:
    return _bound(name, fn, kwargs)


LOSSES = Registry("loss", build=_build)  # name -> fn(outputs, targets, **kwargs)


def register_loss(name: str, task: str | None = None, from_logits: bool | None = None,
                  overwrite: bool = False):
    """Register `fn(outputs, targets, **kwargs)` as a loss called `name`.

    `task` ("classification", "binary", "regression" or None) and `from_logits` (True when it
    takes logits, False for probabilities, None when it does not apply) tell the metrics how
    to read the outputs; a `from_logits=` keyword of `fn` overrides the default when given.
    A taken name is refused unless `overwrite=True`.
    """

    def decorate(fn):
        LOSSES.add(name, fn, overwrite=overwrite)
        _INFO[name] = {"task": task, "from_logits": from_logits}
        return fn

    return decorate


def list_losses(glob: str | None = None) -> list[str]:
    """Registered loss names, sorted, optionally matching a glob."""
    return LOSSES.list(glob)


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


@register_loss("cross_entropy", "classification", True)
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


@register_loss("nll", "classification", None)
def nll(log_probs, targets, class_weight=None, reduction: str = "mean"):
    """Negative log-likelihood of log-probabilities (the output of `log_softmax`)."""
    weight = _weight(class_weight, log_probs)
    return F.nll_loss(log_probs, targets, weight=weight, reduction=reduction)


@register_loss("hinge", "classification", True)
def hinge(scores, targets, margin: float = 1.0, reduction: str = "mean",
          include_true_class: bool = False):
    """Multi-class hinge (SVM) loss: per sample `sum_i max(0, margin + S_i - S_k) - margin`.

    The sum runs over every class i, the true class k included (which adds exactly `margin`,
    hence the `- margin`): this is the usual SVM loss over i != k, equal to
    `C * F.multi_margin_loss`. `include_true_class=True` keeps that `margin` term (no
    `- margin`), the variant some course notes compute. `reduction`: "mean" over samples, "sum".

    Targets shaped like the scores (e.g. (N, 1) labels in {-1, 1} or {0, 1}) get Keras' binary
    hinge instead, `mean(max(0, 1 - y * s))` over the last axis (see `_keras_losses.py`).

    Example:
        >>> hinge(torch.tensor([[5., 4, 2]]), torch.tensor([2]), reduction="sum")  # 4 + 3 = 7
    """
    from ._keras_losses import is_keras_hinge, keras_hinge

    if is_keras_hinge(scores, targets):  # labels shaped like the scores: Keras' binary hinge
        return keras_hinge(scores, targets, reduction)
    true = scores.gather(1, targets.view(-1, 1))  # (N, 1)
    per_sample = (margin + scores - true).clamp_min(0).sum(dim=1)
    if not include_true_class:
        per_sample = per_sample - margin
    return _reduce(per_sample, reduction)


@register_loss("bce", "binary", False)
def bce(probs, targets, class_weight=None, reduction: str = "mean"):
    """Binary cross-entropy on probabilities; targets of the same shape (binary or multi-label)."""
    return F.binary_cross_entropy(probs, _float_like(targets, probs), weight=_weight(class_weight, probs),
                                  reduction=reduction)


@register_loss("bce_with_logits", "binary", True)
def bce_with_logits(logits, targets, pos_weight=None, reduction: str = "mean"):
    """Binary cross-entropy on logits (sigmoid inside); multi-label when targets are (N, C)."""
    pw = None if pos_weight is None else torch.as_tensor(pos_weight, dtype=torch.float32).to(logits.device)
    return F.binary_cross_entropy_with_logits(logits, _float_like(targets, logits), pos_weight=pw,
                                              reduction=reduction)


@register_loss("mse", "regression", None)
def mse(outputs, targets, reduction: str = "mean"):
    """Mean squared error."""
    return F.mse_loss(outputs, _float_like(targets, outputs), reduction=reduction)


@register_loss("l1", "regression", None)
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


def get(name, **kwargs) -> Loss:
    """A loss by name, with its keyword arguments bound; a callable is wrapped as it is.

    Keras' probability losses take `from_logits=True` for a model that outputs logits:
    `get("sparse_categorical_crossentropy", from_logits=True)`.

    Example:
        >>> loss = get("cross_entropy", label_smoothing=0.1)
        >>> loss(logits, targets)
    """
    if isinstance(name, Loss):
        return name.with_kwargs(**kwargs) if kwargs else name
    if callable(name):
        fn = functools.partial(name, **kwargs) if kwargs else name
        return Loss(fn, None, {}, **_callable_info(name))
    return LOSSES.get(name, **kwargs)


def _bound(name: str, fn, kwargs: dict) -> Loss:
    if "class_weight" in kwargs and kwargs["class_weight"] is not None:
        kwargs["class_weight"] = _weight(kwargs["class_weight"])  # built once, moved lazily
    allowed = list(inspect.signature(fn).parameters)[2:]
    bad = sorted(set(kwargs) - set(allowed))
    if bad:
        raise PratiqueError(f"Loss {name!r} takes no argument {', '.join(bad)}. Expected some of: "
                            f"{', '.join(allowed)}. Received: {kwargs}")
    info = dict(_INFO[name])
    if "from_logits" in allowed:
        info["from_logits"] = bool(kwargs.get("from_logits", inspect.signature(fn).parameters["from_logits"].default))
    return Loss(fn, name, kwargs, **info)


def _callable_info(fn) -> dict:
    """What torch's own loss modules say about their inputs (nn.BCEWithLogitsLoss takes logits)."""
    from torch import nn

    known = {nn.CrossEntropyLoss: ("classification", True), nn.NLLLoss: ("classification", None),
             nn.BCEWithLogitsLoss: ("binary", True), nn.BCELoss: ("binary", False),
             nn.MSELoss: ("regression", None), nn.L1Loss: ("regression", None),
             nn.HuberLoss: ("regression", None), nn.SmoothL1Loss: ("regression", None)}
    task, from_logits = known.get(type(fn), (None, None))
    return {"task": task, "from_logits": from_logits}


class Loss:
    """A loss with its arguments bound: `loss(outputs, targets)` -> scalar.

    `name` (None for a callable), `kwargs`, `task` and `from_logits` describe it; the first
    call checks the outputs once (e.g. probabilities for a probability loss, see
    `_loss_checks.py`), which costs one host sync for the whole fit.
    """

    def __init__(self, fn, name, kwargs, task=None, from_logits=None):
        self.fn, self.name, self.kwargs = fn, name, kwargs
        self.task, self.from_logits = task, from_logits
        self.warned = False  # a softmax head was already reported (at compile)
        self._check = True

    def with_kwargs(self, **kwargs) -> Loss:
        if self.name is None:
            raise PratiqueError("This loss is a callable: bind its arguments yourself "
                                f"(functools.partial). Received: {kwargs}")
        return get(self.name, **{**self.kwargs, **kwargs})

    def __call__(self, outputs, targets):
        if self._check:
            self._check = False
            from ._loss_checks import check_outputs

            check_outputs(self, outputs.detach(), targets)
        return self.fn(outputs, targets, **self.kwargs)

    def __repr__(self) -> str:
        return f"Loss({self.name or getattr(self.fn, '__name__', self.fn)!r}, {self.kwargs})"


"""Keras' loss names, with Keras' formulas (keras/src/losses/losses.py and backend ops).

Keras' crossentropies take probabilities unless `from_logits=True` (the PyTorch habit is the
opposite: `cross_entropy` takes logits). Probabilities are clipped to [1e-7, 1 - 1e-7] as
Keras does, and categorical ones are first divided by their row sum. A model whose outputs
are plainly not probabilities stops at the first batch with the fix (`_loss_checks.py`).
Every loss is averaged over the samples (Keras' "sum_over_batch_size").
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .losses import _float_like, _reduce, register_loss

EPSILON = 1e-7  # keras.config.epsilon()


def _one_hot_like(targets, outputs):
    """Integer targets (N,) or (N, 1) as one-hot rows shaped like `outputs`; others as floats."""
    if targets.shape == outputs.shape and targets.is_floating_point():
        return targets.to(outputs.dtype)
    if targets.dim() == outputs.dim() and targets.shape[-1] == 1 and outputs.shape[-1] > 1:
        targets = targets.squeeze(-1)
    if targets.dim() == outputs.dim() - 1:
        return F.one_hot(targets.long(), outputs.shape[-1]).to(outputs.dtype)
    return targets.to(outputs.dtype)


def _sparse(targets, outputs):
    if targets.dim() == outputs.dim() and targets.shape[-1] == 1:
        targets = targets.squeeze(-1)
    return targets.long()


def _probability_log(outputs):
    """log of Keras' normalized and clipped probabilities, per row."""
    p = outputs / outputs.sum(dim=-1, keepdim=True)
    return p.clamp(EPSILON, 1 - EPSILON).log()


@register_loss("categorical_crossentropy", "classification", False)
def categorical_crossentropy(outputs, targets, from_logits: bool = False, label_smoothing: float = 0.0,
                             reduction: str = "mean"):
    """Keras' categorical crossentropy: one-hot or probability targets (N, C); integer targets
    (N,) are one-hot encoded. `from_logits=False`: `outputs` are probabilities (a softmax)."""
    t = _one_hot_like(targets, outputs)
    if label_smoothing:
        t = t * (1 - label_smoothing) + label_smoothing / outputs.shape[-1]
    logp = outputs.log_softmax(dim=-1) if from_logits else _probability_log(outputs)
    return _reduce(-(t * logp).sum(dim=-1), reduction)


@register_loss("sparse_categorical_crossentropy", "classification", False)
def sparse_categorical_crossentropy(outputs, targets, from_logits: bool = False, reduction: str = "mean"):
    """Keras' sparse categorical crossentropy: integer targets (N,) or (N, 1).
    `from_logits=False`: `outputs` are probabilities (a softmax)."""
    logp = outputs.log_softmax(dim=-1) if from_logits else _probability_log(outputs)
    return _reduce(-logp.gather(-1, _sparse(targets, outputs).unsqueeze(-1)).squeeze(-1), reduction)


@register_loss("binary_crossentropy", "binary", False)
def binary_crossentropy(outputs, targets, from_logits: bool = False, label_smoothing: float = 0.0,
                        reduction: str = "mean"):
    """Keras' binary crossentropy, per element then averaged over the last axis and the samples.
    `from_logits=False`: `outputs` are probabilities (a sigmoid)."""
    t = _float_like(targets, outputs)
    if label_smoothing:
        t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per = F.binary_cross_entropy_with_logits(outputs, t, reduction="none")
    else:
        p = outputs.clamp(EPSILON, 1 - EPSILON)
        per = -(t * p.log() + (1 - t) * (1 - p).log())
    return _reduce(per.mean(dim=-1) if per.dim() > 1 else per, reduction)


def _per_sample(values):
    return values.mean(dim=-1) if values.dim() > 1 else values


@register_loss("mean_squared_error", "regression", None)
def mean_squared_error(outputs, targets, reduction: str = "mean"):
    """Keras' mean squared error: mean over the last axis, then over the samples."""
    return _reduce(_per_sample((outputs - _float_like(targets, outputs)) ** 2), reduction)


@register_loss("mae", "regression", None)
@register_loss("mean_absolute_error", "regression", None)
def mean_absolute_error(outputs, targets, reduction: str = "mean"):
    """Keras' mean absolute error: mean over the last axis, then over the samples."""
    return _reduce(_per_sample((outputs - _float_like(targets, outputs)).abs()), reduction)


@register_loss("huber", "regression", None)
def huber(outputs, targets, delta: float = 1.0, reduction: str = "mean"):
    """Keras' Huber loss: 0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta)."""
    per = F.huber_loss(outputs, _float_like(targets, outputs), delta=delta, reduction="none")
    return _reduce(_per_sample(per), reduction)


@register_loss("kl_divergence", "classification", False)
def kl_divergence(outputs, targets, reduction: str = "mean"):
    """Keras' KL divergence of two distributions (rows): sum y log(y / p), both clipped to
    [1e-7, 1]; `outputs` are probabilities."""
    t = _one_hot_like(targets, outputs).clamp(EPSILON, 1)
    p = outputs.clamp(EPSILON, 1)
    return _reduce((t * (t / p).log()).sum(dim=-1), reduction)


@register_loss("categorical_hinge", "classification", True)
def categorical_hinge(outputs, targets, reduction: str = "mean"):
    """Keras' categorical hinge: max(0, 1 + max_{wrong} s - s_true), one-hot targets (integer
    targets are one-hot encoded)."""
    t = _one_hot_like(targets, outputs)
    pos = (t * outputs).sum(dim=-1)
    neg = ((1 - t) * outputs).max(dim=-1).values
    return _reduce((neg - pos + 1).clamp_min(0), reduction)


def keras_hinge(outputs, targets, reduction: str = "mean"):
    """Keras' (binary) hinge: mean over the last axis of max(0, 1 - y s), labels -1/1 (0/1
    labels become -1/1, as Keras converts them)."""
    t = _float_like(targets, outputs)
    if bool(((t == 0) | (t == 1)).all()):
        t = 2 * t - 1
    return _reduce(_per_sample((1 - t * outputs).clamp_min(0)), reduction)


def is_keras_hinge(scores: torch.Tensor, targets: torch.Tensor) -> bool:
    """Keras' hinge takes targets shaped like the scores (one score per label); the course's
    multi-class hinge takes integer class targets (N,) for scores (N, C)."""
    return scores.dim() == 1 or scores.shape[-1] == 1 or targets.shape == scores.shape

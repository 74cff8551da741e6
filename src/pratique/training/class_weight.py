"""Class weights for imbalanced data: a dict, or "balanced" computed from the targets."""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError


def compute_class_weight(class_weight, targets: torch.Tensor | None) -> torch.Tensor:
    """A dense (num_classes,) float tensor of per-class weights.

    "balanced" gives scikit-learn's `n_samples / (n_classes * bincount(y))`; a dict
    {class: weight} gives those weights, 1.0 for classes it does not name.

    Example:
        >>> compute_class_weight("balanced", torch.tensor([0, 0, 0, 1]))  # tensor([0.6667, 2.0])
    """
    if isinstance(class_weight, dict):
        num = max(int(k) for k in class_weight) + 1
        if targets is not None and targets.dtype == torch.long and len(targets):
            num = max(num, int(targets.max()) + 1)
        w = torch.ones(num)
        for k, v in class_weight.items():
            w[int(k)] = float(v)
        return w
    if class_weight == "balanced":
        if targets is None or targets.dtype != torch.long:
            raise PratiqueError("class_weight='balanced' needs integer class targets. "
                                "Pass a dict {class: weight} instead.")
        counts = torch.bincount(targets).float()
        present = counts > 0
        w = torch.zeros_like(counts)
        w[present] = len(targets) / (int(present.sum()) * counts[present])
        return w
    raise PratiqueError(f"class_weight must be a dict {{class: weight}} or 'balanced'. "
                        f"Received: {class_weight!r}")


def keras_weighted(loss, weights: torch.Tensor):
    """`loss` (a named `Loss` taking `reduction=`) weighted per sample by its class, as Keras'
    `fit(class_weight=)`: `sum_i w[y_i] * loss_i / N` (Keras' "sum_over_batch_size": divided by
    the batch size, not by the sum of the weights as torch's `weight=` does)."""
    from .losses import Loss

    def weighted(outputs, targets, **kwargs):
        per_sample = loss.fn(outputs, targets, **{**kwargs, "reduction": "none"})  # (N,)
        classes = targets.argmax(-1) if targets.dim() == outputs.dim() else targets.long()
        w = weights.to(per_sample.device)[classes.reshape(-1)]
        return (per_sample.reshape(-1) * w).sum() / per_sample.numel()

    weighted.__name__ = f"{loss.name}_class_weighted"
    return Loss(weighted, loss.name, dict(loss.kwargs), loss.task, loss.from_logits)

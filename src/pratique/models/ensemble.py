"""Ensembles of networks: the scores of several members combined into one output.

Three LeNet-4s with summed scores (`combine="sum"`) are what the course calls "boosted LeNet-4";
they train together on the same data, so it is an ensemble, not LeCun et al.'s (1998) boosting.
"""
from __future__ import annotations

import torch
from torch import nn

from ..core.errors import PratiqueError
from .registry import create_model, register_model

COMBINES = ("sum", "mean_prob", "vote")


class EnsembleModule(nn.Module):
    """Run every member on the same input and combine their outputs (N, classes).

    combine:
        "sum": the sum of the members' scores (logits).
        "mean_prob": log of the mean of the members' softmax probabilities (a valid logit for
            cross-entropy, whose softmax is that mean).
        "vote": in eval mode, log of the vote share of each class (ties broken by the mean
            probability); votes have no gradient, so in train mode it trains as "mean_prob".

    Example:
        >>> EnsembleModule([create_model("lenet4") for _ in range(3)], combine="sum")
    """

    def __init__(self, members, combine: str = "sum"):
        super().__init__()
        if combine not in COMBINES:
            raise PratiqueError(f"combine must be one of {', '.join(COMBINES)}. Received: {combine!r}")
        members = list(members)
        if not members or not all(isinstance(m, nn.Module) for m in members):
            raise PratiqueError("An ensemble needs at least one member, each an nn.Module. "
                                f"Received: {[type(m).__name__ for m in members]}")
        self.members = nn.ModuleList(members)
        self.combine = combine

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scores = torch.stack([m(x) for m in self.members])  # (members, N, classes)
        if self.combine == "sum":
            return scores.sum(0)
        probs = scores.softmax(-1).mean(0)  # (N, classes)
        if self.combine == "mean_prob" or self.training:
            return probs.clamp_min(1e-12).log()
        votes = nn.functional.one_hot(scores.argmax(-1), scores.shape[-1]).sum(0).to(probs.dtype)
        share = (votes + probs / 2) / (len(self.members) + 0.5)  # a probability-sized tie-break
        return share.clamp_min(1e-12).log()


def _member(spec, num_classes: int, in_channels: int) -> nn.Module:
    # A member is a name or {"name": ..., "kwargs": {...}}, so the manifest can rebuild it.
    if isinstance(spec, str):
        return create_model(spec, num_classes=num_classes, in_channels=in_channels)
    if isinstance(spec, dict) and isinstance(spec.get("name"), str):
        kwargs = {"num_classes": num_classes, "in_channels": in_channels, **spec.get("kwargs", {})}
        return create_model(spec["name"], **kwargs)
    raise PratiqueError("Ensemble members are model names or {'name': ..., 'kwargs': {...}}. "
                        f"Received: {spec!r}")


@register_model("ensemble", input_size=(1, 28, 28), tags=("ensemble",))
def ensemble(num_classes=10, in_channels=1, members=("lenet4", "lenet4", "lenet4"), combine="sum"):
    """An ensemble of registered models (default: three LeNet-4s, scores summed)."""
    return EnsembleModule([_member(s, num_classes, in_channels) for s in members], combine)

"""Ensemble: several classifiers combined into one `Model` that trains, evaluates, predicts, saves."""
from __future__ import annotations

from torch import nn

from ..core.errors import PratiqueError
from ..models.ensemble import EnsembleModule
from ..models.registry import create_model, get_model_card
from .classifier import ImageClassifier


class Ensemble(ImageClassifier):
    """Combine the scores of several networks (e.g. the sum of three LeNet-4).

    Members built by name (names or `ImageClassifier("lenet4")`) make an ensemble that `save` and
    `pq.load` rebuild from the manifest; an `nn.Module` member works too, but then load with
    `pq.load(path, module=ensemble.module)`. ImageClassifier members are shared, not copied:
    training the ensemble trains them.

    Args:
        members: names, ImageClassifiers or nn.Modules.
        combine: "sum" (of scores), "mean_prob" (mean of probabilities) or "vote" (majority).
        num_classes: classes, for members given by name (default: the members', else 10).
        in_channels: image channels, for members given by name (default: the first member's design).

    Example:
        >>> trio = pq.Ensemble(["lenet4", "lenet4", "lenet4"], combine="sum").compile()
        >>> trio.fit(x_train, y_train, epochs=3)
    """

    def __init__(self, members, combine: str = "sum", num_classes: int | None = None,
                 in_channels: int | None = None):
        members = list(members) if isinstance(members, (list, tuple)) else None
        if not members:
            raise PratiqueError("Ensemble takes a non-empty list of names, ImageClassifiers or "
                                "nn.Modules. Example: pq.Ensemble(['lenet4', 'lenet4', 'lenet4']).")
        num_classes = num_classes or next((getattr(m, "num_classes", None) for m in members
                                           if isinstance(m, ImageClassifier)), None) or 10
        first = members[0]
        if in_channels is None and isinstance(first, str):
            in_channels = get_model_card(first).input_size[0]
        modules, specs = [], []
        for m in members:
            module, spec = _resolve(m, num_classes, in_channels)
            modules.append(module)
            specs.append(spec)
        super().__init__(EnsembleModule(modules, combine))
        self.num_classes = num_classes
        shaped = [m for m in members if isinstance(m, ImageClassifier) and m.input_shape]
        if isinstance(first, str):
            self.input_shape = (in_channels, *get_model_card(first).input_size[1:])
        elif shaped:
            self.input_shape = shaped[0].input_shape
        self.classes = next((m.classes for m in members if isinstance(m, ImageClassifier) and m.classes), None)
        if all(s is not None for s in specs):
            channels = in_channels or (self.input_shape[0] if self.input_shape else 1)
            self.architecture = {"name": "ensemble", "kwargs": {
                "num_classes": num_classes, "in_channels": channels, "members": specs,
                "combine": combine}}


def _resolve(member, num_classes, in_channels) -> tuple[nn.Module, dict | None]:
    """(module, manifest spec or None) of one member."""
    if isinstance(member, str):
        module = create_model(member, num_classes=num_classes, in_channels=in_channels)
        return module, {"name": member, "kwargs": {}}
    if isinstance(member, ImageClassifier):
        arch = member.architecture
        spec = {"name": arch["name"], "kwargs": dict(arch["kwargs"])} if arch else None
        return member.module, spec
    if isinstance(member, nn.Module):
        return member, None
    raise PratiqueError("Ensemble members are model names, ImageClassifiers or nn.Modules. "
                        f"Received: {type(member).__name__}.")

"""One registry for every model: `@register_model`, `create_model()`, `list_models()`."""
from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field

import torch.nn as nn

from .._errors import PratiqueError, unknown_name


@dataclass(frozen=True)
class ModelCard:
    """What the registry knows of a model before it is built."""

    name: str
    fn: Callable[..., nn.Module]
    input_size: tuple[int, int, int] = (3, 224, 224)  # (C, H, W) it was designed for
    description: str = ""
    pretrained: str | None = None  # where pretrained weights come from, if anywhere
    tags: tuple[str, ...] = field(default_factory=tuple)


_REGISTRY: dict[str, ModelCard] = {}


def register_model(name: str | None = None, *, input_size=(3, 224, 224), description: str = "",
                   pretrained: str | None = None, tags=()):
    """Register a model builder under `name` (default: the function's name).

    The builder takes `num_classes`, `in_channels` and its own keyword arguments and returns an
    `nn.Module`.

    Example:
        >>> @register_model("tiny", input_size=(1, 28, 28))
        ... def tiny(num_classes=10, in_channels=1):
        ...     return nn.Sequential(nn.Flatten(), nn.Linear(in_channels * 28 * 28, num_classes))
    """

    def decorate(fn):
        key = name or fn.__name__
        doc = description or (fn.__doc__ or "").strip().splitlines()[0:1]
        doc = doc if isinstance(doc, str) else (doc[0] if doc else "")
        _REGISTRY[key] = ModelCard(key, fn, tuple(input_size), doc, pretrained, tuple(tags))
        return fn

    return decorate


def _ensure_loaded() -> None:
    # Importing the families registers them; done lazily so `registry` has no import cycle.
    from . import classic  # noqa: F401


def get_model_card(name: str) -> ModelCard:
    """The card of a registered model; unknown names raise with the closest matches."""
    _ensure_loaded()
    if name not in _REGISTRY:
        raise unknown_name("model", name, _REGISTRY)
    return _REGISTRY[name]


def list_models(pattern: str | None = None) -> list[str]:
    """Names of registered models, sorted, optionally filtered by a glob `pattern`."""
    _ensure_loaded()
    names = sorted(_REGISTRY)
    return [n for n in names if pattern is None or fnmatch.fnmatch(n, pattern)]


def create_model(name: str, num_classes: int = 10, in_channels: int | None = None,
                 pretrained: bool = False, **kwargs) -> nn.Module:
    """Build a registered model by name.

    Args:
        name: a registered name (see `list_models()`).
        num_classes: size of the output layer.
        in_channels: image channels; defaults to the model's design (1 for the LeNets).
        pretrained: load pretrained weights (only for models that have a source).
        **kwargs: passed to the builder (e.g. `hidden=(128,)` for `mlp`).

    Example:
        >>> model = create_model("lenet5", num_classes=10)
    """
    card = get_model_card(name)
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
        raise PratiqueError(
            f"num_classes must be a positive int. Received: num_classes={num_classes!r}")
    in_channels = card.input_size[0] if in_channels is None else in_channels
    if pretrained and card.pretrained is None:
        raise PratiqueError(
            f"Model {name!r} has no pretrained weights. Use pretrained=False, or one of the "
            f"models that have them: {', '.join(n for n, c in sorted(_REGISTRY.items()) if c.pretrained)}")
    if card.pretrained is not None:
        kwargs["pretrained"] = pretrained
    try:
        return card.fn(num_classes=num_classes, in_channels=in_channels, **kwargs)
    except TypeError as e:
        raise PratiqueError(f"Bad arguments for model {name!r}: {e}. Received: {kwargs}") from e

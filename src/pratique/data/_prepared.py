"""Datasets whose items are already model inputs: float tensors made by the user's own transform
(the course's `transforms.Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])`).

Their values are kept exactly: no scaling, no clamping, no normalization, no channel change,
no resize. Options that would change them are refused with the fix.
"""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError


def is_prepared(dataset) -> bool:
    """True when the dataset's first image is a float tensor (the output of ToTensor/Normalize)."""
    if len(dataset) == 0:
        return False
    item = dataset[0]
    img = item[0] if isinstance(item, (tuple, list)) and len(item) == 2 else None
    return isinstance(img, torch.Tensor) and img.is_floating_point()


def check_options(dataset, given: dict) -> dict:
    """The options for a prepared dataset: normalize off, size and color mode those of its
    tensors; a given option that would change the values is an error naming the fix."""
    shape = tuple(dataset[0][0].shape)  # (C, H, W) or (H, W)
    if len(shape) not in (2, 3):
        raise PratiqueError(f"Dataset images must be tensors (C, H, W). Received a tensor of shape {shape}.")
    c, h, w = (1, *shape) if len(shape) == 2 else shape
    fix = ("Its items are float tensors, so they are taken as model inputs, exactly as the "
           "dataset's transform made them. Do it in the dataset's transform ({}) and drop {}, or "
           "give the dataset uint8/PIL images and let ImageData scale and normalize them.")
    size = given.get("image_size")
    if size is not None and tuple([size, size] if isinstance(size, int) else size) != (h, w):
        raise PratiqueError(f"image_size={size!r} would resize a dataset of {h}x{w} tensors. "
                            + fix.format("transforms.Resize", "image_size"))
    mode = given.get("color_mode")
    if mode is not None and (1 if mode == "grayscale" else 3) != c:
        raise PratiqueError(f"color_mode={mode!r} would change the {c} channel(s) of the dataset's "
                            "tensors. " + fix.format("transforms.Grayscale", "color_mode"))
    if given.get("normalize", False) is not False:
        raise PratiqueError(f"normalize={given['normalize']!r} would normalize the dataset's "
                            "tensors a second time. " + fix.format("transforms.Normalize", "normalize"))
    if given.get("augment") not in (None, "none", False):
        raise PratiqueError(f"augment={given['augment']!r} on tensors already transformed. "
                            + fix.format("e.g. transforms.RandomHorizontalFlip", "augment"))
    return {**given, "normalize": False, "image_size": (h, w),
            "color_mode": "grayscale" if c == 1 else "rgb"}


def nbytes(dataset) -> int:
    return len(dataset) * dataset[0][0].numel() * 4

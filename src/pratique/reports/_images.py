"""Tensors to pictures: (C, H, W) or (H, W) images of any range -> arrays matplotlib shows."""
from __future__ import annotations

import numpy as np
import torch


def to_display(image) -> np.ndarray:
    """An image as (H, W) or (H, W, 3) floats in [0, 1], min-max scaled (inputs are often
    normalized, so their range is arbitrary); channels-first tensors are moved last."""
    a = torch.as_tensor(np.asarray(image) if not isinstance(image, torch.Tensor) else image)
    a = a.detach().float().cpu()
    if a.dim() == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = a.permute(1, 2, 0)  # (C, H, W) -> (H, W, C)
    if a.dim() == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    lo, hi = a.min(), a.max()
    a = (a - lo) / (hi - lo) if hi > lo else torch.zeros_like(a)
    return a.numpy()


def show(ax, image, title: str | None = None, color: str = "black") -> None:
    """Draw an image on `ax` without ticks; grayscale for one channel."""
    a = to_display(image)
    ax.imshow(a, cmap="gray" if a.ndim == 2 else None)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9, color=color)


def grid(n: int, max_cols: int = 8) -> tuple[int, int]:
    """(rows, cols) of a near-square grid for n panels."""
    cols = min(n, max_cols, max(1, int(np.ceil(np.sqrt(n)))))
    return int(np.ceil(n / max(cols, 1))), cols

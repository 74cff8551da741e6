"""Batched augmentation with per-sample random parameters drawn from a `torch.Generator`.

All geometric arguments become one affine matrix per sample and one `grid_sample` per batch;
photometric ones are per-sample factors broadcast over (N, C, H, W) float images in [0, 1].
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

_PADDING = {"nearest": "border", "constant": "zeros", "reflect": "reflection", "wrap": "border"}


def _uniform(n, lo, hi, g):
    return torch.rand(n, generator=g, dtype=torch.float64) * (hi - lo) + lo


def geometric(x: torch.Tensor, s: dict, g: torch.Generator) -> torch.Tensor:
    """Rotation, shifts, shear, zoom and random resized crop (Keras' ImageDataGenerator semantics)."""
    n, _, h, w = x.shape
    rot = torch.deg2rad(_uniform(n, -s["rotation_range"], s["rotation_range"], g))
    shear = torch.deg2rad(_uniform(n, -s["shear_range"], s["shear_range"], g))
    zlo, zhi = s["zoom_range"]
    zx, zy = _uniform(n, zlo, zhi, g), _uniform(n, zlo, zhi, g)
    tx = _uniform(n, -s["width_shift_range"], s["width_shift_range"], g) * 2  # normalized units
    ty = _uniform(n, -s["height_shift_range"], s["height_shift_range"], g) * 2
    if s["random_resized_crop"]:
        area = _uniform(n, s["random_resized_crop"], 1.0, g)
        ratio = torch.exp(_uniform(n, math.log(3 / 4), math.log(4 / 3), g))
        cx, cy = (area * ratio).sqrt().clamp(max=1), (area / ratio).sqrt().clamp(max=1)
        tx = tx + _uniform(n, -1, 1, g) * (1 - cx)
        ty = ty + _uniform(n, -1, 1, g) * (1 - cy)
        zx, zy = zx * cx, zy * cy
    cos, sin = torch.cos(rot), torch.sin(rot)
    # pixel-space A = R @ Shear @ Zoom, then conjugated by D = diag(w/2, h/2) into normalized space
    a = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)
    sh = torch.zeros(n, 2, 2, dtype=torch.float64)
    sh[:, 0, 0], sh[:, 0, 1], sh[:, 1, 1] = 1, -torch.sin(shear), torch.cos(shear)
    z = torch.diag_embed(torch.stack([zx, zy], -1))
    d = torch.tensor([w / 2, h / 2], dtype=torch.float64)
    m = (a @ sh @ z) * d.view(1, 1, 2) / d.view(1, 2, 1)
    theta = torch.cat([m, torch.stack([tx, ty], -1).unsqueeze(-1)], -1).to(x.dtype)  # (N, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    if s["fill_mode"] == "wrap":
        grid = torch.remainder(grid + 1, 2) - 1
    return F.grid_sample(x, grid, mode="bilinear", padding_mode=_PADDING[s["fill_mode"]],
                         align_corners=False)


def flips(x: torch.Tensor, s: dict, g: torch.Generator) -> torch.Tensor:
    """Flip each image with probability 0.5 (only the chosen ones are touched; works on uint8)."""
    copied = False
    for key, dim in (("horizontal_flip", -1), ("vertical_flip", -2)):
        if s[key]:
            idx = torch.nonzero(torch.rand(len(x), generator=g) < 0.5).flatten()
            if len(idx):
                x, copied = (x if copied else x.clone()), True  # never write into the caller's data
                x[idx] = x[idx].flip(dim)
    return x


def photometric(x: torch.Tensor, s: dict, g: torch.Generator) -> torch.Tensor:
    """brightness_range (multiplicative, Keras) and color_jitter (brightness, contrast, saturation)."""
    n = len(x)
    if not (s["brightness_range"] or s["color_jitter"]):
        return x
    if s["brightness_range"]:
        x = x * _uniform(n, *s["brightness_range"], g).to(x.dtype).view(-1, 1, 1, 1)
    j = s["color_jitter"]
    if j:
        f = _uniform(3 * n, max(0.0, 1 - j), 1 + j, g).to(x.dtype).view(3, n, 1, 1, 1)
        x = x * f[0]
        gray = x.mean(1, keepdim=True) if x.shape[1] != 3 else (
            0.299 * x[:, :1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
        x = (x - gray.mean((2, 3), keepdim=True)) * f[1] + gray.mean((2, 3), keepdim=True)
        if x.shape[1] == 3:
            x = (x - gray) * f[2] + gray
    return x.clamp_(0, 1)


def randaugment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """torchvision's RandAugment on each uint8 image, seeded from `g`."""
    from torchvision.transforms import v2

    ra = v2.RandAugment()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(torch.randint(2**62, (1,), generator=g)))
        return torch.stack([ra(img) for img in x])


def random_erasing(x: torch.Tensor, p: float, g: torch.Generator) -> torch.Tensor:
    """Zero a random box (2-33% of the area, aspect 0.3-3.3) in each image with probability p."""
    n, _, h, w = x.shape
    area = _uniform(n, 0.02, 0.33, g) * h * w
    ratio = torch.exp(_uniform(n, math.log(0.3), math.log(3.3), g))
    bh = (area * ratio).sqrt().clamp(1, h).long()
    bw = (area / ratio).sqrt().clamp(1, w).long()
    y0 = (torch.rand(n, generator=g) * (h - bh + 1)).long()
    x0 = (torch.rand(n, generator=g) * (w - bw + 1)).long()
    rows, cols = torch.arange(h).view(1, h, 1), torch.arange(w).view(1, 1, w)
    box = ((rows >= y0.view(-1, 1, 1)) & (rows < (y0 + bh).view(-1, 1, 1))
           & (cols >= x0.view(-1, 1, 1)) & (cols < (x0 + bw).view(-1, 1, 1)))
    box &= (torch.rand(n, generator=g) < p).view(-1, 1, 1)
    return x.masked_fill(box.unsqueeze(1), 0.0)


def mix(x, y, s: dict, num_classes: int, multi_label: bool, g: torch.Generator):
    """MixUp or CutMix (one of them per batch when both are on); targets become soft (N, K)."""
    alphas = [(k, s[k]) for k in ("mixup", "cutmix") if s[k]]
    kind, alpha = alphas[int(torch.randint(len(alphas), (1,), generator=g))]
    lam = float(np.random.default_rng(int(torch.randint(2**62, (1,), generator=g))).beta(alpha, alpha))
    perm = torch.randperm(len(x), generator=g)
    y = y.float() if multi_label else F.one_hot(y.long(), num_classes).float()
    if kind == "mixup":
        x = lam * x + (1 - lam) * x[perm]
    else:
        h, w = x.shape[-2:]
        bh, bw = int(h * math.sqrt(1 - lam)), int(w * math.sqrt(1 - lam))
        cy, cx = int(torch.randint(h, (1,), generator=g)), int(torch.randint(w, (1,), generator=g))
        y0, y1 = max(cy - bh // 2, 0), min(cy + bh // 2, h)
        x0, x1 = max(cx - bw // 2, 0), min(cx + bw // 2, w)
        x = x.clone()
        x[:, :, y0:y1, x0:x1] = x[perm][:, :, y0:y1, x0:x1]
        lam = 1 - (y1 - y0) * (x1 - x0) / (h * w)
    return x, lam * y + (1 - lam) * y[perm]

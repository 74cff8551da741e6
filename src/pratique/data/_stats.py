"""Exact per-channel mean/std over a training set, streamed batch by batch."""
from __future__ import annotations

import math

import torch


def channel_stats(batches) -> tuple[list[float], list[float]]:
    """Exact mean and (population) std per channel of images in [0, 1], from an iterable of
    batches (N, C, H, W). uint8 batches are summed in integers (no rounding at all); floats in
    float64. Memory is one batch."""
    s1 = s2 = None
    count = 0
    for x in batches:
        if x.dtype == torch.uint8:
            xi = x.long()
            a, b = xi.sum((0, 2, 3)), (xi * xi).sum((0, 2, 3))
            scale = 255
        else:
            xd = x.double()
            a, b = xd.sum((0, 2, 3)), (xd * xd).sum((0, 2, 3))
            scale = 1
        s1 = a if s1 is None else s1 + a
        s2 = b if s2 is None else s2 + b
        count += x.shape[0] * x.shape[2] * x.shape[3]
    if s1 is None or count == 0:
        return [], []
    means, stds = [], []
    for t1, t2 in zip(s1.tolist(), s2.tolist()):
        if isinstance(t1, int):  # exact integer arithmetic, one division at the end
            var_num = t2 * count - t1 * t1
            mean, std = t1 / (count * scale), math.sqrt(var_num) / (count * scale)
        else:
            mean = t1 / count
            std = math.sqrt(max(t2 / count - mean * mean, 0.0))
        means.append(mean)
        stds.append(std if std > 0 else 1.0)
    return means, stds


def feature_stats(x: torch.Tensor) -> tuple[list[float], list[float]]:
    """Mean/std per feature of (N, D) vectors, in float64."""
    xd = x.double()
    std = xd.std(0, unbiased=False)
    return xd.mean(0).tolist(), torch.where(std > 0, std, torch.ones_like(std)).tolist()

"""Decision regions of a classifier of 2-D points, with the points on top."""
from __future__ import annotations

import numpy as np
import torch

from ..core.errors import PratiqueError
from .curves import plt


def _labels(predict, points: np.ndarray) -> np.ndarray:
    if isinstance(predict, torch.nn.Module):
        param = next(predict.parameters(), None)
        with torch.no_grad():
            out = predict(torch.as_tensor(points, dtype=torch.float32,
                                          device=param.device if param is not None else "cpu")).cpu()
    elif hasattr(predict, "predict"):
        out = predict.predict(points.astype(np.float32))
    else:
        out = predict(points)
    out = np.asarray(out)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    return (out.reshape(-1) > 0.5).astype(int) if out.dtype.kind == "f" else out.reshape(-1)


def plot_decision_regions(predict, x, y, classes=None, resolution: int = 200,
                          title: str = "Decision regions"):
    """Colour the plane by the class predicted at each point; draw the data on top.

    Args:
        predict: a `Model`, an `nn.Module` (outputs (M, C) scores) or a function from an
            (M, 2) array to labels or scores.
        x: (N, 2) points; y: (N,) integer labels.
        classes: names for the legend (default: the label values).
        resolution: grid points per axis.
        title: the figure's title.

    Example:
        >>> fig = plot_decision_regions(lambda p: (p[:, 0] > 0).astype(int), x, y)
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y).astype(int)
    if x.ndim != 2 or x.shape[1] != 2:
        raise PratiqueError(f"x must be 2-D points of shape (N, 2). Received shape {x.shape}.")
    pad = 0.1 * (x.max(axis=0) - x.min(axis=0) + 1e-9)
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    zz = _labels(predict, np.c_[g0.ravel(), g1.ravel()]).reshape(g0.shape)
    k = int(max(zz.max(), y.max())) + 1
    names = [str(c) for c in (classes if classes is not None else range(k))]
    cmap = plt.get_cmap("tab10" if k <= 10 else "tab20")
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.contourf(g0, g1, zz, levels=np.arange(k + 1) - 0.5, cmap=cmap, vmin=-0.5, vmax=cmap.N - 0.5,
                alpha=0.3)
    for c in range(k):
        m = y == c
        if m.any():
            ax.scatter(x[m, 0], x[m, 1], s=14, color=cmap(c), edgecolor="k", linewidth=0.3, label=names[c])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title)
    ax.legend(title="class", fontsize=9)
    fig.tight_layout()
    return fig

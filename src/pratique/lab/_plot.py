"""Matplotlib helpers shared by the lab's figures."""
from __future__ import annotations

from pathlib import Path

from matplotlib.colors import ListedColormap

from .. import _figure as plt  # bare Figures: the user's backend is never switched

# light colors for class regions, strong ones for the points on top (same hue, same order)
REGION_COLORS = ["#a6c8ff", "#ffc4a3", "#b5e6b5", "#e5c6f0", "#f5e3a0"]
POINT_COLORS = ["#1f5fbf", "#d9591b", "#2a9d2a", "#8e44ad", "#b8950b"]


def subplots(nrows: int = 1, ncols: int = 1, size: float = 4.0):
    """A figure of nrows × ncols panels of `size` inches, axes always a 2-D array."""
    return plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)


def save(fig, path, dpi: int = 90) -> Path:
    """Write the figure as PNG (creating the folder) and close it; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def region_cmap(n_classes: int) -> ListedColormap:
    return ListedColormap(REGION_COLORS[:n_classes])


def point_cmap(n_classes: int) -> ListedColormap:
    return ListedColormap(POINT_COLORS[:n_classes])

"""Confusion matrix figure: counts and row-normalized, class names on both axes."""
from __future__ import annotations

import numpy as np

from .curves import plt


def plot_confusion_matrix(cm, classes=None, normalize: str = "both", title: str = "Confusion matrix"):
    """A heat map of a confusion matrix (rows: true class, columns: predicted class).

    Args:
        cm: (C, C) counts, e.g. `evaluation_report(...)["confusion_matrix"]`.
        classes: C names for the axes (default 0..C-1).
        normalize: "counts", "true" (each row sums to 1, i.e. recall on the diagonal) or
            "both" (two panels side by side).
        title: the figure's title.

    Example:
        >>> fig = plot_confusion_matrix(report["confusion_matrix"], report["classes"])
    """
    cm = np.asarray(cm, dtype=np.int64)
    classes = [str(c) for c in (classes if classes is not None else range(len(cm)))]
    kinds = {"both": ["counts", "true"], "counts": ["counts"], "true": ["true"]}[normalize]
    size = max(4.5, 0.45 * len(classes) + 2.5)
    fig, axes = plt.subplots(1, len(kinds), figsize=(size * len(kinds), size), squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        rows = cm.sum(axis=1, keepdims=True)
        values = cm / np.maximum(rows, 1) if kind == "true" else cm
        _heatmap(ax, values, classes, fmt=".2f" if kind == "true" else "d")
        ax.set_title("Normalized by true class" if kind == "true" else "Counts")
    fig.suptitle(title, fontsize=13)
    fig.tight_layout()
    return fig


def _heatmap(ax, values: np.ndarray, classes: list[str], fmt: str) -> None:
    im = ax.imshow(values, cmap="Blues", vmin=0)
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, classes, rotation=45 if max(map(len, classes)) > 3 else 0, ha="right"
                  if max(map(len, classes)) > 3 else "center")
    ax.set_yticks(ticks, classes)
    ax.set_xlabel("Predicted class")
    ax.set_ylabel("True class")
    if len(classes) <= 20:  # numbers in cells stay legible up to ~20 classes
        threshold = values.max() / 2 if values.max() > 0 else 1
        for i in range(len(classes)):
            for j in range(len(classes)):
                ax.text(j, i, format(values[i, j], fmt), ha="center", va="center", fontsize=8,
                        color="white" if values[i, j] > threshold else "black")

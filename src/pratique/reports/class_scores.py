"""Per-class precision / recall / F1 as grouped bars."""
from __future__ import annotations

import numpy as np

from .curves import plt


def plot_class_scores(report: dict, title: str = "Per-class scores"):
    """Grouped bars of precision, recall and F1 for each class of an `evaluation_report`.

    Example:
        >>> fig = plot_class_scores(evaluation_report(y_true, y_prob, classes))
    """
    rows = report["per_class"]
    names = [r["class"] for r in rows]
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(names) + 2), 4))
    for i, key in enumerate(("precision", "recall", "f1")):
        ax.bar(x + (i - 1) * 0.27, [r[key] for r in rows], 0.27, label=key.capitalize() if key != "f1" else "F1")
    ax.set_xticks(x, names, rotation=45 if max(map(len, names)) > 3 else 0,
                  ha="right" if max(map(len, names)) > 3 else "center")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("Class")
    ax.set_ylabel("Score")
    ax.set_title(f"{title} (accuracy {report['accuracy']:.3f})")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig

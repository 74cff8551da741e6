"""Training curves: loss and each metric, train vs validation, per epoch."""
from __future__ import annotations

import io

from matplotlib.ticker import MaxNLocator

from .. import _figure as plt  # bare Figures: the user's backend is never switched
from ..core.io import atomic_write


def plot_history(history):
    """A figure with one panel per quantity (loss, accuracy, ...), train and validation curves.

    Args:
        history: a `History` (from `fit`) or its `.history` dict.
    """
    logs = history.history if hasattr(history, "history") else history
    keys = [k for k in logs if not k.startswith("val_")]
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 4), squeeze=False)
    for ax, key in zip(axes[0], keys):
        epochs = range(1, len(logs[key]) + 1)
        ax.plot(epochs, logs[key], "o-", label=f"train {key}")
        if f"val_{key}" in logs:
            ax.plot(epochs, logs[f"val_{key}"], "s--", label=f"val {key}")
        ax.set_title(key.replace("_", " ").capitalize())
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def save_figure(fig, path, dpi: int = 100) -> None:
    """Write a figure as PNG atomically and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    atomic_write(path, lambda f: f.write(buf.getvalue()))

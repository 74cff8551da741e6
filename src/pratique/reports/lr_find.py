"""The learning-rate finder's curve: loss against learning rate, log scale, with a suggestion."""
from __future__ import annotations

from .curves import plt


def plot_lr_find(lrs, losses, suggestion: float | None = None, title: str = "Learning-rate finder"):
    """Loss vs learning rate (log x axis); the suggested rate is marked in red.

    Example:
        >>> fig = plot_lr_find([1e-5, 1e-4, 1e-3, 1e-2], [2.3, 2.1, 1.2, 4.0], suggestion=1e-3)
    """
    lrs, losses = list(map(float, lrs)), list(map(float, losses))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(lrs, losses, "-", color="tab:blue", label="loss")
    if suggestion is not None:
        # the loss at the suggestion, read off the curve at the nearest recorded rate
        i = min(range(len(lrs)), key=lambda j: abs(lrs[j] - suggestion))
        ax.axvline(suggestion, color="red", ls="--", lw=1)
        ax.plot([suggestion], [losses[i]], "o", color="red", label=f"suggested lr = {suggestion:.1e}")
    ax.set_xscale("log")
    ax.set_xlabel("Learning rate (log scale)")
    ax.set_ylabel("Loss")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig

"""Top losses: the samples the model got most wrong, with true and predicted class."""
from __future__ import annotations

import torch

from ..models.outputs import probabilities
from ._images import grid, show
from .curves import plt


class TopLosses:
    """Keeps the `k` highest-loss samples seen so far, batch by batch (bounded memory).

    Example:
        >>> top = TopLosses(9)
        >>> for x, y in batches: top.update(x, model.module(x), y)
        >>> fig = plot_top_losses(*top.result(), classes)
    """

    def __init__(self, k: int = 9, kind: str = "logits"):
        self.k, self.kind = k, kind  # what the outputs are (models/outputs.py)
        self.images = self.probs = self.targets = self.losses = None

    def update(self, x: torch.Tensor, logits: torch.Tensor, y: torch.Tensor) -> None:
        x, y = x.detach().cpu(), y.detach().cpu().reshape(-1).long()  # binary targets may be (N, 1) floats
        probs = probabilities(logits.detach().cpu(), self.kind)
        losses = -probs.gather(1, y[:, None]).squeeze(1).clamp_min(1e-12).log()  # cross-entropy
        if self.losses is not None:
            x, probs = torch.cat([self.images, x]), torch.cat([self.probs, probs])
            y, losses = torch.cat([self.targets, y]), torch.cat([self.losses, losses])
        keep = losses.topk(min(self.k, len(losses))).indices
        self.images, self.probs, self.targets, self.losses = x[keep], probs[keep], y[keep], losses[keep]

    def result(self):
        """(images, true labels, probabilities) of the kept samples, highest loss first."""
        return self.images, self.targets, self.probs


def plot_top_losses(images, y_true, y_prob, classes=None, title: str = "Top losses"):
    """A gallery: each image titled "true / predicted / probability of the prediction".

    Args:
        images: (N, C, H, W) or (N, H, W), in the order to show (e.g. highest loss first).
        y_true: (N,) true labels.
        y_prob: (N, num_classes) probabilities.
        classes: class names (default: indices).

    Example:
        >>> fig = plot_top_losses(*TopLosses(9).result(), classes=["cat", "dog"])
    """
    y_true, y_prob = torch.as_tensor(y_true), torch.as_tensor(y_prob)
    n = len(y_true)
    names = [str(c) for c in (classes if classes is not None else range(y_prob.shape[1]))]
    rows, cols = grid(max(n, 1), max_cols=5)
    fig, axes = plt.subplots(rows, cols, figsize=(2.2 * cols, 2.5 * rows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.axis("off")
            continue
        p, pred = y_prob[i].max(dim=0)
        t = int(y_true[i])
        show(ax, images[i], f"true: {names[t]}\npred: {names[int(pred)]} ({float(p):.2f})",
             color="black" if int(pred) == t else "firebrick")
    fig.suptitle(f"{title} (true / predicted, probability)", fontsize=11)
    fig.tight_layout()
    return fig


def plot_series_losses(series, y_true, y_prob, classes=None, title: str = "Misclassified series"):
    """Series drawn as lines (one panel each, every channel a line), titled "true / predicted /
    probability": the misclassified ones among `series`, or all of them when none is wrong.

    Args:
        series: (N, C, L) or (N, L), in the order to show (e.g. highest loss first).
        y_true: (N,) true labels.
        y_prob: (N, num_classes) probabilities.
        classes: class names (default: indices).

    Example:
        >>> fig = plot_series_losses(*TopLosses(12).result(), classes=["gun", "point"])
    """
    x, y_true, y_prob = torch.as_tensor(series).float(), torch.as_tensor(y_true), torch.as_tensor(y_prob)
    x = x[:, None] if x.dim() == 2 else x  # (N, C, L)
    p, pred = y_prob.max(dim=1) if len(y_prob) else (y_prob, y_prob)
    wrong = pred != y_true
    if wrong.any():
        x, y_true, p, pred = x[wrong], y_true[wrong], p[wrong], pred[wrong]
    else:
        title = "Highest-loss series (none misclassified)"
    n = len(y_true)
    names = [str(c) for c in (classes if classes is not None else range(y_prob.shape[1]))]
    rows, cols = grid(max(n, 1), max_cols=4)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.3 * rows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.axis("off")
            continue
        for c in range(x.shape[1]):  # (L,) per channel
            ax.plot(x[i, c].numpy(), linewidth=1)
        t, k = int(y_true[i]), int(pred[i])
        ax.set_title(f"true: {names[t]}\npred: {names[k]} ({float(p[i]):.2f})", fontsize=9,
                     color="black" if k == t else "firebrick")
        ax.tick_params(labelsize=7)
    fig.suptitle(f"{title} (true / predicted, probability; normalized values over time)", fontsize=10)
    fig.tight_layout()
    return fig

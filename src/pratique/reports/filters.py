"""First-layer filters: what the first convolution (or dense layer) looks for."""
from __future__ import annotations

import math

from torch import nn

from ..core.errors import PratiqueError
from ._images import grid, show
from ._inputs import first_layer
from .curves import plt


def plot_filters(model, max_filters: int = 32, title: str | None = None):
    """The weights of the first `Conv2d` (or of a first `Linear` whose input is a square
    image), one small picture per output unit.

    Args:
        model: a `Model` or an `nn.Module`.
        max_filters: at most this many filters are drawn.
        title: the figure's title (default names the layer and its shape).

    Example:
        >>> fig = plot_filters(pq.ImageClassifier("lenet5"))
    """
    module = model.module if hasattr(model, "module") else model
    name, layer = first_layer(module, (nn.Conv2d, nn.Linear))
    if layer is None:
        raise PratiqueError("plot_filters needs a model with a Conv2d or Linear layer. "
                            f"Received: {type(module).__name__} with neither.")
    w = layer.weight.detach().float().cpu()
    if isinstance(layer, nn.Linear):
        side = math.isqrt(w.shape[1])
        if side * side != w.shape[1]:
            raise PratiqueError(f"The first layer {name!r} is Linear with {w.shape[1]} inputs, which is "
                                "not a square image, so its weights cannot be drawn as filters.")
        w = w.view(-1, 1, side, side)
    if w.shape[1] not in (1, 3):
        w = w.mean(dim=1, keepdim=True)  # many input channels: show their mean
    n = min(len(w), max_filters)
    rows, cols = grid(n)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.3 * rows + 0.6), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < n:
            show(ax, w[i], f"#{i}")
        else:
            ax.axis("off")
    shape = "x".join(map(str, layer.weight.shape[2:])) if w.dim() == 4 else ""
    fig.suptitle(title or f"First-layer filters: {name} ({len(w)} @ {shape or tuple(w.shape[2:])})",
                 fontsize=11)
    fig.tight_layout()
    return fig

"""Feature maps: one image as it flows through the convolutions of a network."""
from __future__ import annotations

import torch
from torch import nn

from ..core.errors import PratiqueError
from ._images import show
from ._inputs import module_and_batch
from .curves import plt


@torch.no_grad()
def layer_outputs(model, image, kinds=(nn.Conv2d,)) -> dict[str, torch.Tensor]:
    """{layer name: output (C, H, W)} of every layer of `kinds`, for one image."""
    module, x = module_and_batch(model, image)
    outputs: dict[str, torch.Tensor] = {}
    hooks = [m.register_forward_hook(lambda _m, _i, out, n=n: outputs.__setitem__(n, out[0].cpu()))
             for n, m in module.named_modules() if isinstance(m, kinds)]
    was_training = module.training
    try:
        module.eval()
        module(x)
    finally:
        module.train(was_training)
        for h in hooks:
            h.remove()
    return outputs


def plot_feature_maps(model, image, max_maps: int = 8, title: str = "Feature maps"):
    """One row per convolution: the input image, then up to `max_maps` of its output channels.

    Args:
        model: a `Model` (its preprocessing is applied) or an `nn.Module`.
        image: one image, (H, W), (C, H, W) or (H, W, C), uint8 or float.
        max_maps: channels drawn per layer.
        title: the figure's title.

    Example:
        >>> fig = plot_feature_maps(model, x_test[0])
    """
    maps = layer_outputs(model, image)
    if not maps:
        raise PratiqueError("plot_feature_maps needs a model with Conv2d layers; this one has none. "
                            "For dense models, look at plot_filters instead.")
    cols = 1 + min(max_maps, max(m.shape[0] for m in maps.values()))
    fig, axes = plt.subplots(len(maps), cols, figsize=(1.4 * cols, 1.5 * len(maps) + 0.6), squeeze=False)
    for row, (name, out) in zip(axes, maps.items()):
        show(row[0], image, "input")
        row[0].set_ylabel(f"{name}\n{tuple(out.shape)}", fontsize=8)
        for j, ax in enumerate(row[1:]):
            if j < out.shape[0]:
                show(ax, out[j], f"ch {j}")
            else:
                ax.axis("off")
    fig.suptitle(f"{title} (rows: layers, output shape)", fontsize=11)
    fig.tight_layout()
    return fig

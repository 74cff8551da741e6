"""Pictures of attributions: the image, then one heat map per method, in one row."""
from __future__ import annotations

import torch

from .attributions import METHODS, attributions

_TITLES = {"saliency": "saliency", "integrated_gradients": "integrated gradients",
           "occlusion": "occlusion", "gradcam": "Grad-CAM", "guided_backprop": "guided backprop"}


def plot_attributions(model, image, label: int | None = None, target: int | None = None,
                      methods=METHODS, layer: str | None = None, path=None):
    """A figure (saved to `path` as PNG when given): the image titled with the predicted class
    (and the true `label`, green when right, red when wrong), then each method's attribution.

    Pixel attributions are shown as |attribution| summed over channels, scaled to their 99th
    percentile; Grad-CAM is laid over the image.

    Example:
        >>> pq.explain.plot_attributions(model, x_test[0], label=y_test[0], path="explain.png")
    """
    from ..reports._images import to_display
    from ..reports.curves import plt, save_figure

    a = attributions(model, image, target, methods, layer)
    names = getattr(model, "classes", None) or [str(i) for i in range(len(a["probabilities"]))]
    pred = int(a["probabilities"].argmax())
    fig, axes = plt.subplots(1, 1 + len(a) - 3, figsize=(2.4 * (len(a) - 2), 2.9), squeeze=False)
    axes = axes[0]
    title = f"pred {names[pred]} ({float(a['probabilities'][pred]):.2f})"
    if label is not None:
        title += f"\ntrue {names[int(label)]}"
    _panel(axes[0], to_display(a["image"]), title, "green" if label is None or int(label) == pred else "red")
    for ax, m in zip(axes[1:], (k for k in a if k in METHODS)):
        if m == "gradcam":
            _panel(ax, to_display(a["image"]), f"{_TITLES[m]}: {names[a['target']]}")
            ax.imshow(_scaled(a[m]), cmap="jet", alpha=0.45, vmin=0, vmax=1)
        else:
            _panel(ax, _scaled(a[m]), f"{_TITLES[m]}: {names[a['target']]}", cmap="inferno")
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def _scaled(attr: torch.Tensor):
    """(C, H, W) -> (H, W) in [0, 1]: |attr| summed over channels, / its 99th percentile."""
    heat = attr.abs().sum(0)
    top = torch.quantile(heat.flatten().float(), 0.99)
    return (heat / top).clamp(0, 1).numpy() if top > 0 else heat.numpy() * 0


def _panel(ax, image, title: str, color: str = "black", cmap=None) -> None:
    ax.imshow(image, cmap=cmap or ("gray" if image.ndim == 2 else None), vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9, color=color)

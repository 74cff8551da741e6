"""`ImageData._repr_html_`: its splits as a table and a few labelled samples as an inline PNG."""
from __future__ import annotations

import math

import torch

from .. import _figure
from .._html import table


def image_data_html(data, per_class: int = 1, limit: int = 10) -> str:
    """A table (split, samples, batches) and one training sample per class (up to `limit`)."""
    rows = [(split, len(y), math.ceil(len(y) / data.batch_size)) for split, (_, y) in data.splits.items()]
    pre = data.preprocessing
    caption = (f"ImageData: {data.num_classes} classes, input_shape={pre.get('input_shape')}, "
               f"batch_size={data.batch_size}, augment={data.options['augment']!r}")
    html = table(("split", "samples", "batches"), rows, caption=caption)
    if pre.get("kind") != "image":
        return html  # feature vectors are no pictures
    idx = _samples(data.splits["train"][1], data.multi_label, per_class, limit)
    x = data.splits["train"][0]
    images = [_displayable(x[i]) for i in idx]
    labels = [_label_of(data, data.splits["train"][1][i]) for i in idx]
    return html + f'<img src="{_figure.png_data_uri(_grid(images, labels))}" alt="samples"/>'


def _samples(y: torch.Tensor, multi_label: bool, per_class: int, limit: int) -> list[int]:
    """The first `per_class` indices of each class, in class order (the files are often sorted
    by class, so the first few samples alone would show one class)."""
    keys = y.argmax(1) if multi_label else y
    out = []
    for k in torch.unique(keys).tolist():
        out += torch.nonzero(keys == k).flatten()[:per_class].tolist()
    return out[:limit]


def _displayable(img: torch.Tensor):
    """(C, H, W) of any range -> (H, W) or (H, W, 3) floats in [0, 1] for imshow."""
    a = img.detach().float().cpu()
    lo, hi = a.min(), a.max()
    a = (a - lo) / (hi - lo) if hi > lo else torch.zeros_like(a)
    a = a.permute(1, 2, 0)
    return (a[..., 0] if a.shape[-1] == 1 else a).numpy()


def _label_of(data, label: torch.Tensor) -> str:
    if label.dim() == 0:
        return data.classes[int(label)]
    return ", ".join(data.classes[i] for i in torch.nonzero(label > 0.5).flatten().tolist())


def _grid(images, labels):
    fig, axes = _figure.subplots(1, max(len(images), 1), figsize=(1.3 * max(len(images), 1), 1.6),
                                 squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, img, label in zip(axes.flat, images, labels):
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        ax.set_title(label, fontsize=8)
    return fig

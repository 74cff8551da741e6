"""`ImageData.show_batch`: a labelled grid of augmented training images."""
from __future__ import annotations

import math

import torch


def show_batch(data, path, n: int, split: str):
    from .. import _figure as plt  # bare Figures: the user's backend is never switched

    batches = data.train_batches(seed=data.seed) if split == "train" else data._batches(split, False)
    x, y = next(iter(batches))
    x, y = x[:n], y[:n]
    pre = data.preprocessing
    if pre.get("mean") is not None:  # undo normalization for display
        x = x * torch.tensor(pre["std"]).view(1, -1, 1, 1) + torch.tensor(pre["mean"]).view(1, -1, 1, 1)
    x = x.clamp(0, 1)
    cols = math.ceil(math.sqrt(len(x)))
    rows = math.ceil(len(x) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2 * cols, 2.2 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, img, label in zip(axes.flat, x, y):
        img = img.permute(1, 2, 0).numpy()
        ax.imshow(img[..., 0] if img.shape[-1] == 1 else img, cmap="gray" if img.shape[-1] == 1 else None)
        ax.set_title(_label(data, label), fontsize=9)
    fig.suptitle(f"{split} batch after augmentation ({data.options['augment'] or 'none'})")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return path
    return fig


def _label(data, label: torch.Tensor) -> str:
    if label.dim() == 0:
        return data.classes[int(label)]
    top = [data.classes[i] for i in torch.nonzero(label > 0.5).flatten().tolist()]
    return ", ".join(top) if data.multi_label else data.classes[int(label.argmax())]

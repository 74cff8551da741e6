"""Rows of images side by side: inputs, reconstructions, targets (denoising before / after)."""
from __future__ import annotations

import numpy as np

from ..core.errors import PratiqueError
from .curves import plt

__all__ = ["plot_reconstructions"]


def _images(a) -> np.ndarray:
    """(N, H, W), (N, 1, H, W), (N, C, H, W) or (N, H, W, C) -> (N, H, W[, 3]) floats,
    uint8 divided by 255; one shared scale for every row, so noise keeps its true contrast."""
    a = np.asarray(a.detach().cpu() if hasattr(a, "detach") else a)
    a = a / 255.0 if a.dtype == np.uint8 else a.astype(np.float64)
    if a.ndim == 4 and a.shape[1] in (1, 3) and a.shape[-1] not in (1, 3):
        a = a.transpose(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C)
    if a.ndim == 4 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (3, 4):
        raise PratiqueError(f"plot_reconstructions takes batches of images (N, H, W) or (N, C, H, W). "
                            f"Received shape {a.shape}.")
    return a


def plot_reconstructions(rows: dict, n: int = 8, title: str | None = None, psnr_of: str | None = None):
    """One row per entry of `rows` ({"noisy": x_noisy, "denoised": out, "clean": x}), the
    first `n` images of each, drawn on one shared grey scale (values in [0, 1] after uint8
    scaling; a wider range when the arrays have one).

    psnr_of: the name of the reference row; every other row's panels then show their PSNR
        (dB) against it, 10 log10(1 / MSE) on the [0, 1] scale.

    Example:
        >>> fig = plot_reconstructions({"noisy": x_noisy, "denoised": model.predict(x_noisy),
        ...                             "clean": x}, psnr_of="clean")
    """
    if not rows:
        raise PratiqueError("rows must name at least one batch of images, e.g. {'input': x}.")
    arrays = {name: _images(a)[:n] for name, a in rows.items()}
    count = min(len(a) for a in arrays.values())
    lo = min(0.0, *(float(a.min()) for a in arrays.values()))
    hi = max(1.0, *(float(a.max()) for a in arrays.values()))
    ref = arrays.get(psnr_of) if psnr_of is not None else None
    if psnr_of is not None and ref is None:
        raise PratiqueError(f"psnr_of must name one of the rows {list(rows)}. Received: {psnr_of!r}")
    fig, axes = plt.subplots(len(arrays), count, figsize=(1.3 * count + 1.2, 1.45 * len(arrays)),
                             squeeze=False)
    for r, (name, images) in enumerate(arrays.items()):
        for c in range(count):
            ax = axes[r, c]
            ax.imshow(np.clip(images[c], lo, hi), cmap="gray", vmin=lo, vmax=hi)
            ax.set_xticks([])
            ax.set_yticks([])
            if ref is not None and name != psnr_of:
                mse = float(np.mean((images[c] - ref[c]) ** 2))
                ax.set_title(f"{10 * np.log10(1.0 / max(mse, 1e-12)):.1f} dB", fontsize=8)
        axes[r, 0].set_ylabel(name, fontsize=10)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig

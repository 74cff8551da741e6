"""Demo: Sobel edges on a real image, pooling by hand, conv arithmetic and receptive fields."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import _plot
from ..convolution import conv_output_size, conv_params, pool2d, receptive_field, sobel

STACK = [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2), (3, 1)]  # (kernel, stride): a small VGG


def real_images() -> dict[str, np.ndarray]:
    """A digit from the bundled mnist5k, and scikit-image's camera man when it is installed."""
    from ...data.datasets import load_data

    (x, _), _ = load_data("mnist5k")
    images = {"mnist5k digit (28×28)": x[0].astype(float) / 255}
    try:
        from skimage import data

        images["scikit-image camera (256×256)"] = data.camera()[::2, ::2].astype(float) / 255
    except ImportError:  # scikit-image is in the dev extra only
        pass
    return images


def arithmetic() -> str:
    rows = ["output size = floor((n + 2p - d(k - 1) - 1) / s) + 1"]
    for n, k, s, p, d in [(28, 5, 1, 0, 1), (28, 5, 1, 2, 1), (224, 7, 2, 3, 1), (32, 3, 2, 1, 1),
                          (32, 3, 1, 2, 2)]:
        rows.append(f"  n={n} k={k} s={s} p={p} d={d} -> {conv_output_size(n, k, s, p, d)}")
    rows.append("parameters = c_out * (c_in / groups) * kH * kW + c_out")
    for c_in, c_out, k, g in [(1, 6, 5, 1), (3, 64, 3, 1), (64, 64, 3, 64), (64, 128, 1, 1)]:
        rows.append(f"  Conv2d({c_in}, {c_out}, {k}, groups={g}) -> {conv_params(c_in, c_out, k, g)}")
    rows.append("receptive field of the stack (kernel, stride): " + str(STACK))
    rows += [f"  layer {i + 1}: k={r['kernel']} s={r['stride']} -> rf {r['rf']}, jump {r['jump']}"
             for i, r in enumerate(receptive_field(STACK))]
    return "\n".join(rows)


def run(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    notes = out / "conv_arithmetic.txt"
    notes.write_text(arithmetic() + "\n")
    return [_sobel_figure(out / "sobel.png"), _pool_figure(out / "pooling.png"), notes]


def _sobel_figure(path) -> Path:
    images = real_images()
    fig, axes = _plot.subplots(len(images), 4, size=3.2)
    for row, (name, img) in zip(axes, images.items()):
        gx, gy, mag = sobel(img)
        panels = [(img, f"{name}", "gray"), (gx, "Sobel x: ∂/∂x (vertical edges)", "RdBu"),
                  (gy, "Sobel y: ∂/∂y (horizontal edges)", "RdBu"), (mag, "magnitude √(gx²+gy²)", "magma")]
        for ax, (im, title, cmap) in zip(row, panels):
            lim = np.abs(im).max()
            ax.imshow(im, cmap=cmap, vmin=-lim if cmap == "RdBu" else None,
                      vmax=lim if cmap == "RdBu" else None)
            ax.set_title(title, fontsize=9)
            ax.axis("off")
    return _plot.save(fig, path)


def _pool_figure(path) -> Path:
    x = np.random.default_rng(0).integers(0, 10, size=(1, 1, 4, 4)).astype(float)
    fig, axes = _plot.subplots(1, 3, size=3.2)
    panels = [(x[0, 0], "input 4×4"), (pool2d(x, 2, mode="max")[0, 0], "max pool 2×2, stride 2"),
              (pool2d(x, 2, mode="avg")[0, 0], "average pool 2×2, stride 2")]
    for ax, (m, title) in zip(axes[0], panels):
        ax.imshow(m, cmap="Blues", vmin=0, vmax=12)
        for (i, j), v in np.ndenumerate(m):
            ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=12)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    return _plot.save(fig, path)

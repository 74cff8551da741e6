"""Demo: decision regions while training (frames + GIF) on spiral, blobs and xor; the hidden-width
sweep 10 / 30 / 100 / 300 / 1000; the hinge loss with and without a margin."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import _plot
from ..regions import hinge_margins, plot_regions, train_frames, width_sweep
from ..toy_data import blobs, spiral, xor

DATASETS = {"spiral": lambda: spiral(100, 3), "blobs": lambda: blobs(60, 3, seed=0),
            "xor": lambda: xor(300, seed=0)}


def run(out: Path, steps: int = 600, every: int = 30, sweep_steps: int = 1500) -> list[Path]:
    paths = []
    for name, make in DATASETS.items():
        x, y = make()
        frames, gif, net = train_frames(x, y, out / name, steps=steps, every=every)
        paths += [frames[-1], gif]
        if name == "spiral":  # the README's picture
            fig, axes = _plot.subplots(size=5.5)
            plot_regions(axes[0, 0], net.predict, x, y, resolution=250,
                         title=f"3-class spiral, NumPy MLP 2-100-3, hand-written\nbackprop: "
                               f"{steps} steps, train accuracy {np.mean(net.predict(x) == y):.0%}")
            paths.append(_plot.save(fig, out / "spiral_regions.png"))
    x, y = spiral(100, 3)
    paths.append(width_sweep(x, y, out / "width_sweep.png", steps=sweep_steps))
    x, y = blobs(40, 3, seed=0, spread=0.22)
    paths.append(hinge_margins(x, y, out / "hinge_margins.png"))
    return paths

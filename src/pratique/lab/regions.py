"""Decision regions of a 2-D classifier: every pixel colored by its predicted class, points on top.

Built on the lab's NumPy `MLP`: training frames as PNGs and an animated GIF, a hidden-width
sweep side by side, and the multi-class hinge loss with and without a margin.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from . import _plot
from .mlp import MLP


def grid_for(x, resolution: int = 150, pad: float = 0.25):
    """A (resolution², 2) grid of points covering the data with a margin, and its (xs, ys) axes."""
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return np.c_[gx.ravel(), gy.ravel()], (xs, ys)


def plot_regions(ax, predict, x, y, title: str = "", resolution: int = 150):
    """Draw on `ax` the class predicted at each pixel (`predict`: (M, 2) -> (M,)) and the points."""
    n_classes = int(y.max()) + 1
    grid, (xs, ys) = grid_for(x, resolution)
    classes = predict(grid).reshape(len(ys), len(xs))
    ax.imshow(classes, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]), aspect="auto",
              cmap=_plot.region_cmap(n_classes), vmin=0, vmax=n_classes - 1, interpolation="nearest")
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap=_plot.point_cmap(n_classes), vmin=0, vmax=n_classes - 1,
               s=14, edgecolors="white", linewidths=0.5)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")


def train_frames(x, y, out_dir, hidden: int = 100, steps: int = 2000, every: int = 200,
                 lr: float = 1.0, resolution: int = 120):
    """Train an MLP (one relu hidden layer) and save a region PNG every `every` steps + a GIF.

    Args:
        x: 2-D points (N, 2).
        y: class indices (N,).
        out_dir: folder for `frame_000.png`, ... and `training.gif`.
        hidden: hidden width.
        steps: full-batch gradient steps (cross-entropy, weight decay 1e-3).
        every: steps between two frames.
        lr: step size.
        resolution: pixels per side of the region grid.

    Returns:
        (list of frame paths, GIF path, the trained MLP).
    """
    out_dir = Path(out_dir)
    net = MLP([2, hidden, int(y.max()) + 1], activation="relu", seed=0)
    frames, loss = [], net.loss_and_grads(x, y, weight_decay=1e-3)[0]
    for step in range(steps + 1):
        if step % every == 0 or step == steps:
            acc = np.mean(net.predict(x) == y)
            fig, axes = _plot.subplots(size=5.0)
            plot_regions(axes[0, 0], net.predict, x, y, resolution=resolution,
                         title=f"step {step}: loss {loss:.3f}, train accuracy {acc:.0%}")
            frames.append(_plot.save(fig, out_dir / f"frame_{len(frames):03d}.png", dpi=96))
        if step < steps:
            loss = net.step(x, y, lr, weight_decay=1e-3)
    return frames, save_gif(frames, out_dir / "training.gif"), net


def save_gif(frames, path, ms_per_frame: int = 400) -> Path:
    """Assemble PNG frames into a looping animated GIF with Pillow (last frame held longer)."""
    images = [Image.open(f).convert("P", palette=Image.Palette.ADAPTIVE) for f in frames]
    durations = [ms_per_frame] * (len(images) - 1) + [ms_per_frame * 4]
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)
    return Path(path)


def width_sweep(x, y, path, widths=(10, 30, 100, 300, 1000), steps: int = 2000,
                resolution: int = 120):
    """Regions of one-hidden-layer MLPs of each width, trained alike, side by side in one PNG."""
    fig, axes = _plot.subplots(1, len(widths), size=3.8)
    for ax, width in zip(axes[0], widths):
        net = MLP([2, width, int(y.max()) + 1], activation="relu", seed=0)
        losses = net.fit(x, y, lr=1.0, steps=steps, weight_decay=1e-3)
        acc = np.mean(net.predict(x) == y)
        plot_regions(ax, net.predict, x, y, resolution=resolution,
                     title=f"{width} hidden: loss {losses[-1]:.2f}, acc {acc:.0%}")
    return _plot.save(fig, path)


def boundary_distances(net: MLP, x, y):
    """For a linear MLP, each point's signed distance to the nearest boundary of its own class.

    Between classes y and j the boundary is (w_y − w_j)·x + (b_y − b_j) = 0; the distance is
    (s_y − s_j) / ‖w_y − w_j‖, minimized over j. Negative means misclassified.
    """
    w, b = net.W[0], net.b[0]  # (2, K), (K,)
    s = x @ w + b
    dist = np.full(len(x), np.inf)
    for j in range(w.shape[1]):
        dw = w[:, y] - w[:, [j]]  # (2, N)
        norm = np.linalg.norm(dw, axis=0)
        d = np.where(norm > 0, (s[np.arange(len(x)), y] - s[:, j]) / np.where(norm > 0, norm, 1), np.inf)
        dist = np.minimum(dist, d)
    return dist


def hinge_margins(x, y, path, margins=(0.0, 1.0), snapshots=(10, 100, 2000), lr: float = 0.1):
    """A linear classifier trained with the hinge loss for each margin Δ, regions at a few steps.

    With Δ = 0 the loss is zero as soon as every point is on the right side, so the boundaries
    stop next to the points; with Δ = 1 (and weight decay) training keeps pushing them away.
    Each panel's title gives the smallest distance of a point to a boundary.
    """
    fig, axes = _plot.subplots(len(margins), len(snapshots), size=3.4)
    for row, margin in zip(axes, margins):
        net = MLP([2, int(y.max()) + 1], activation="identity", seed=1)
        done = 0
        for ax, snap in zip(row, snapshots):
            for _ in range(snap - done):
                _, gw, gb = _hinge_grads(net, x, y, margin)
                net.W[0] -= lr * gw
                net.b[0] -= lr * gb
            done = snap
            dist = boundary_distances(net, x, y)
            plot_regions(ax, net.predict, x, y, resolution=150,
                         title=f"margin Δ={margin:g}, step {snap}\nmin distance {dist.min():.3f}")
    return _plot.save(fig, path)


def _hinge_grads(net: MLP, x, y, margin: float, weight_decay: float = 1e-3):
    from .mlp import hinge_loss

    value, delta = hinge_loss(net.forward(x), y, margin)
    gw, gb = net.backward(delta)
    return value, gw[0] + weight_decay * net.W[0], gb[0]

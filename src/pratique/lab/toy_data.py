"""Small 2-D toy datasets for the lab: spiral, blobs, xor, circles (numpy, seeded).

These are the lab's own generators, so the lab depends on nothing but numpy. Each returns
`(x, y)` with `x` of shape (N, 2) float64 and `y` of shape (N,) int64 class indices.
"""
from __future__ import annotations

import numpy as np


def spiral(n_per_class: int = 100, n_classes: int = 3, seed: int = 0, noise: float = 0.2):
    """The cs231n helix: `n_classes` arms winding out from the origin.

    Args:
        n_per_class: points per arm.
        n_classes: number of arms (classes).
        seed: random seed for the angular noise.
        noise: standard deviation of the noise added to the angle (radians).

    Example:
        >>> x, y = spiral(100, 3)
        >>> x.shape, y.shape
        ((300, 2), (300,))
    """
    rng = np.random.default_rng(seed)
    x = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        ix = slice(n_per_class * k, n_per_class * (k + 1))
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(k * 4, (k + 1) * 4, n_per_class) + rng.normal(size=n_per_class) * noise
        x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = k
    return x, y


def blobs(n_per_class: int = 50, n_classes: int = 3, seed: int = 0, spread: float = 0.3):
    """Gaussian blobs whose centres sit on a circle of radius 1.

    Example:
        >>> x, y = blobs(20, 3)
        >>> sorted(set(y.tolist()))
        [0, 1, 2]
    """
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = np.c_[np.cos(angles), np.sin(angles)]  # (C, 2)
    y = np.repeat(np.arange(n_classes), n_per_class)
    x = centres[y] + rng.normal(scale=spread, size=(len(y), 2))
    return x, y.astype(np.int64)


def xor(n: int = 200, seed: int = 0, noise: float = 0.0):
    """Points in [-1, 1]^2, class 1 where x1 and x2 have opposite signs (the XOR quadrants).

    With `noise=0` the four corners (±1, ±1) are included first, so a small `n` still holds
    the classic four XOR points.

    Example:
        >>> x, y = xor(4)
        >>> y.tolist()
        [0, 1, 1, 0]
    """
    rng = np.random.default_rng(seed)
    corners = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    rest = rng.uniform(-1, 1, size=(max(n - 4, 0), 2))
    x = np.concatenate([corners, rest])[:n]
    y = (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(np.int64)
    return x + rng.normal(scale=noise, size=x.shape) if noise else x, y


def circles(n: int = 200, seed: int = 0, factor: float = 0.5, noise: float = 0.05):
    """Two concentric circles: class 0 outside (radius 1), class 1 inside (radius `factor`).

    Example:
        >>> x, y = circles(10)
        >>> x.shape
        (10, 2)
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, 2 * np.pi, size=n)
    r = np.where(y == 1, factor, 1.0)
    x = np.c_[r * np.cos(t), r * np.sin(t)] + rng.normal(scale=noise, size=(n, 2))
    return x, y.astype(np.int64)


def to_signed(y) -> np.ndarray:
    """Map {0, 1} labels to the perceptron's {-1, +1}."""
    return np.where(np.asarray(y) > 0, 1, -1)

"""Synthetic datasets for demos and tests: 2-D point sets and images of shapes."""
from __future__ import annotations

import os

import numpy as np

SHAPE_CLASSES = ["circle", "square", "triangle"]


def spiral(n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int = 0):
    """The interleaved spiral of CS231n: (N, 2) float32 points, int64 labels."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rng.normal(0, noise, n_per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)


def blobs(n_per_class: int = 100, classes: int = 3, noise: float = 0.5, seed: int = 0):
    """Gaussian blobs around centres on a circle of radius 3."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(classes) / classes
    centres = 3 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    x = np.concatenate([c + rng.normal(0, noise, (n_per_class, 2)) for c in centres])
    return x.astype(np.float32), np.repeat(np.arange(classes), n_per_class).astype(np.int64)


def xor(n_per_class: int = 100, noise: float = 0.1, seed: int = 0):
    """Points in the four quadrants; label = sign(x) xor sign(y)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (2 * n_per_class, 2))
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
    return (x + rng.normal(0, noise, x.shape)).astype(np.float32), y


def circles(n_per_class: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0):
    """Two concentric circles (inner = class 1), as scikit-learn's make_circles."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, 2 * np.pi, (2, n_per_class))
    outer = np.stack([np.cos(t[0]), np.sin(t[0])], axis=1)
    inner = factor * np.stack([np.cos(t[1]), np.sin(t[1])], axis=1)
    x = np.concatenate([outer, inner]) + rng.normal(0, noise, (2 * n_per_class, 2))
    return x.astype(np.float32), np.repeat([0, 1], n_per_class).astype(np.int64)


def shapes(n_per_class: int = 100, image_size: int = 32, noise: float = 0.1, seed: int = 0):
    """Grayscale images of circles, squares and triangles at random places and sizes, with noise:
    uint8 (N, image_size, image_size), labels int64 in SHAPE_CLASSES order."""
    rng = np.random.default_rng(seed)
    s = image_size
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32) + 0.5
    images, labels = [], []
    for c in range(len(SHAPE_CLASSES)):
        for _ in range(n_per_class):
            r = rng.uniform(0.18, 0.35) * s
            cx, cy = rng.uniform(r + 1, s - r - 1, 2)
            if c == 0:
                mask = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
            elif c == 1:
                mask = (np.abs(xx - cx) <= r * 0.85) & (np.abs(yy - cy) <= r * 0.85)
            else:  # upward triangle: below the two slanted edges, above the base
                mask = (yy <= cy + r * 0.8) & (np.abs(xx - cx) <= (yy - (cy - r)) * 0.62)
            img = 0.15 + 0.7 * mask + rng.normal(0, noise, (s, s))
            images.append(np.clip(img * 255, 0, 255).astype(np.uint8))
            labels.append(c)
    order = rng.permutation(len(labels))
    return np.stack(images)[order], np.asarray(labels, dtype=np.int64)[order]


def write_shapes_folder(root, n_per_class: int = 20, image_size: int = 32, seed: int = 0,
                        ext: str = ".png") -> str:
    """Write `shapes` as a folder tree `root/{circle,square,triangle}/NNNN.png` for `from_folders`.

    Example:
        >>> write_shapes_folder("/tmp/shapes", n_per_class=50, image_size=64)
        >>> data = pq.ImageData.from_folders("/tmp/shapes", val_split=0.2)
    """
    from PIL import Image

    x, y = shapes(n_per_class, image_size, seed=seed)
    for i, (img, label) in enumerate(zip(x, y)):
        folder = os.path.join(root, SHAPE_CLASSES[label])
        os.makedirs(folder, exist_ok=True)
        Image.fromarray(img).save(os.path.join(folder, f"{i:05d}{ext}"))
    return str(root)

"""Noisy copies of inputs, for denoising autoencoders: `fit(add_noise(x, 0.3), x)`."""
from __future__ import annotations

import numpy as np

from ..core.errors import PratiqueError

__all__ = ["add_noise"]


def add_noise(x, std: float, seed: int | None = None, clip=None) -> np.ndarray:
    """`x` plus Gaussian noise of standard deviation `std`, in x's dtype (a new array).

    uint8 images: `std` is a fraction of the [0, 1] range (0.3 is the Keras tutorial's
    `noise_factor`); the noisy pixels are rounded and clipped to 0..255 and stay uint8, so
    `fit(x_noisy, x_clean)` scales inputs and targets alike. Floats: noise added as it is,
    clipped to `clip=(low, high)` when given (the tutorial's `np.clip(x, 0.0, 1.0)`).

    Args:
        x: numpy array (or array-like) of any shape.
        std: noise standard deviation, >= 0.
        seed: seeds numpy's generator (None: a fresh one, a different noise each call).
        clip: (low, high) for float inputs; uint8 are always clipped to 0..255.

    Example:
        >>> (x, _), _ = pq.datasets.load_data("mnist5k")
        >>> x_noisy = pq.data.add_noise(x, std=0.3, seed=0)   # uint8, as x
        >>> model.fit(x_noisy, x, epochs=10)
    """
    if isinstance(std, bool) or not isinstance(std, (int, float)) or not std >= 0:
        raise PratiqueError(f"std must be a number >= 0. Received: std={std!r}")
    a = np.asarray(x)
    if a.dtype.kind not in "uif":
        raise PratiqueError(f"add_noise takes a numeric array. Received dtype={a.dtype}.")
    if a.dtype.kind in "ui" and a.dtype != np.uint8:
        raise PratiqueError(f"add_noise takes uint8 images or floats. Received dtype={a.dtype}; "
                            "convert to float first (x.astype('float32')).")
    noise = np.random.default_rng(seed).normal(0.0, std, a.shape)
    if a.dtype == np.uint8:
        return np.clip(np.rint(a + noise * 255.0), 0, 255).astype(np.uint8)
    out = a + noise.astype(a.dtype)
    if clip is not None:
        low, high = clip
        out = np.clip(out, low, high)
    return out

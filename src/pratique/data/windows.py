"""Sliding windows over one long series: the samples of forecasting and of anomaly scoring."""
from __future__ import annotations

import numpy as np

from ..core.errors import PratiqueError

__all__ = ["sliding_windows", "window_starts"]


def window_starts(length: int, window: int, horizon: int = 0, stride: int = 1) -> np.ndarray:
    """Start index of every window of `window` inputs followed by `horizon` targets."""
    for name, value, low in (("window", window, 1), ("horizon", horizon, 0), ("stride", stride, 1)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise PratiqueError(f"{name} must be an int >= {low}. Received: {name}={value!r}")
    if length < window + horizon:
        raise PratiqueError(
            f"The series is too short for one window: it has {length} steps, a window needs "
            f"window + horizon = {window} + {horizon} = {window + horizon}. Pass a smaller window or horizon.")
    return np.arange(0, length - window - horizon + 1, stride)


def sliding_windows(series, window: int, horizon: int = 0, stride: int = 1):
    """(x, y) from one series: x holds `window` consecutive steps, y the `horizon` steps after them.

    Args:
        series: shape (L,) for one channel or (C, L) for C channels (numpy or anything array-like).
        window: steps in each input window.
        horizon: steps to predict after each window (0: no targets, y is None; for autoencoders
            and anomaly scores).
        stride: steps between the starts of two windows.

    Returns:
        x float32 (N, C, window), the layout of `torch.nn.Conv1d` (C = 1 for a 1-D series);
        y float32 (N, horizon) for a 1-D series, (N, C, horizon) for C channels, or None.

    Example:
        >>> x, y = sliding_windows(np.arange(10.0), window=4, horizon=2, stride=2)
        >>> x.shape, y.shape, y[0].tolist()
        ((3, 1, 4), (3, 2), [4.0, 5.0])
    """
    s = np.asarray(series, dtype=np.float32)
    if s.ndim not in (1, 2) or s.shape[-1] == 0:
        raise PratiqueError(f"series must have shape (L,) or (C, L). Received shape {s.shape}. "
                            "For many series at once, build windows of each and concatenate them.")
    one_channel = s.ndim == 1
    s = s[None] if one_channel else s  # (C, L)
    starts = window_starts(s.shape[1], window, horizon, stride)
    idx = starts[:, None] + np.arange(window)  # (N, window)
    x = np.ascontiguousarray(s[:, idx].transpose(1, 0, 2))  # (C, N, window) -> (N, C, window)
    if horizon == 0:
        return x, None
    y = np.ascontiguousarray(s[:, starts[:, None] + window + np.arange(horizon)].transpose(1, 0, 2))
    return x, (y[:, 0] if one_channel else y)

"""Series layouts and normalization, shared by SeriesData and `Preprocessing` (kind "series").

A series batch is float32 (N, C, L), the layout of `torch.nn.Conv1d`. NaN steps are padding (a
shorter series in a padded batch): statistics skip them and they become 0 after normalization,
which is the training mean with "channel" and the series' own mean with "series".
"""
from __future__ import annotations

import warnings

import torch

from ..core.errors import PratiqueError

NORMALIZE = ("series", "channel", None)
LAYOUTS = ("auto", "ncl", "nlc")
KERAS_NOTE = ("series given as (N, length, channels), Keras' layout: transposed to "
              "(N, channels, length)")
_FEW_CHANNELS, _RATIO = 16, 4  # auto: the channel axis is the short one, <= 16 and 4x shorter


def check_layout(layout) -> None:
    if layout not in LAYOUTS:
        raise PratiqueError(f"layout must be 'auto', 'ncl' ((N, channels, length), torch's Conv1d) "
                            f"or 'nlc' ((N, length, channels), Keras'). Received: layout={layout!r}")


def resolve_layout(shape, channels: int | None = None, layout: str = "auto") -> str:
    """'ncl' or 'nlc' for a (N, A, B) batch: `layout` when given, else the axis that matches the
    model's `channels`, else (no model yet) the axis of size 1 or the clearly shorter one."""
    check_layout(layout)
    a, b = shape[-2], shape[-1]
    if layout != "auto":
        c = a if layout == "ncl" else b
        if channels is not None and c != channels:
            raise PratiqueError(f"With layout={layout!r} these series have {c} channels but the model "
                                f"takes {channels}. Received shape {tuple(shape)}.")
        return layout
    if channels is not None:
        if a == channels and b != channels:
            return "ncl"
        if b == channels and a != channels:
            return "nlc"
        if a != channels:  # neither axis fits
            raise PratiqueError(f"Expected series of {channels} channels (as the model, or the training "
                                f"split, has). Received shape {tuple(shape)}: no axis has {channels}. "
                                f"Pass (N, {channels}, length).")
        raise PratiqueError(f"Series of shape {tuple(shape)} have length = channels = {channels}: the "
                            "layout cannot be told. Pass pq.data.series_for_prediction(x, "
                            "model.preprocessing, layout='ncl' or 'nlc') to predict.")
    elif min(a, b) == 1 or (min(a, b) <= _FEW_CHANNELS and max(a, b) >= _RATIO * min(a, b)):
        return "ncl" if a <= b else "nlc"
    raise PratiqueError(
        f"Cannot tell the channel axis from the length axis in series of shape {tuple(shape)}. "
        "Pass layout='ncl' for (N, channels, length) (torch's Conv1d) or layout='nlc' for "
        "(N, length, channels) (Keras'), e.g. SeriesData.from_numpy(x, y, layout='nlc').")


def as_ncl(x: torch.Tensor, channels: int | None = None, layout: str = "auto") -> torch.Tensor:
    """A batch of series as float (N, C, L): (N, L) is one channel; (N, 1, A, B) (an image channel
    axis added by `as_tensors`) loses that axis; Keras' (N, L, C) is transposed, said once."""
    if x.dim() == 4 and x.shape[1] == 1:
        x = x[:, 0]
    if x.dim() == 2:
        x = x.unsqueeze(1)
    if x.dim() != 3:
        raise PratiqueError(f"Series must be (N, channels, length), (N, length, channels) or "
                            f"(N, length). Received shape {tuple(x.shape)}.")
    chosen = resolve_layout(x.shape, channels, layout)
    if chosen == "nlc":
        if layout == "auto":
            warnings.warn(KERAS_NOTE, UserWarning, stacklevel=3)
        x = x.transpose(1, 2)
    return x if x.is_floating_point() else x.float()


def channel_stats(x: torch.Tensor) -> tuple[list[float], list[float]]:
    """Per-channel mean and (population) std of series (N, C, L), NaN steps left out, in
    float64; a constant channel gets std 1 (its values all become 0)."""
    x = x.double().transpose(0, 1).reshape(x.shape[1], -1)  # (C, N * L)
    mean = torch.nanmean(x, 1)
    std = torch.nanmean((x - mean[:, None]) ** 2, 1).sqrt()
    return mean.tolist(), torch.where(std > 0, std, torch.ones_like(std)).tolist()


def normalize_series(x: torch.Tensor, how: str | None, mean=None, std=None) -> torch.Tensor:
    """(N, C, L) -> float32 (N, C, L): "series" z-scores each series and channel over its own
    steps (UCR's convention; std 0 -> 1), "channel" uses the training (mean, std); NaN -> 0."""
    if how not in NORMALIZE:
        raise PratiqueError(f"normalize must be 'series', 'channel' or None. Received: {how!r}")
    x = x.float()
    if how == "series":
        m = torch.nanmean(x, -1, keepdim=True)
        s = torch.nanmean((x - m) ** 2, -1, keepdim=True).sqrt()
        x = (x - m) / torch.where(s > 0, s, torch.ones_like(s))
    elif how == "channel":
        if mean is None or len(mean) != x.shape[1]:
            raise PratiqueError(f"Per-channel normalization needs one mean and std per channel: the "
                                f"series have {x.shape[1]} channels, the statistics "
                                f"{None if mean is None else len(mean)}.")
        mean, std = torch.as_tensor(mean, dtype=torch.float32), torch.as_tensor(std, dtype=torch.float32)
        x = (x - mean.view(1, -1, 1)) / std.view(1, -1, 1)
    return torch.nan_to_num(x, nan=0.0) if torch.isnan(x).any() else (x if how else x.clone())

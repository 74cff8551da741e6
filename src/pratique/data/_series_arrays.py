"""What users pass as series (arrays, tensors, lists of different lengths) and targets, made
into float32 (N, C, L) with NaN padding and target tensors."""
from __future__ import annotations

import warnings

import numpy as np
import torch

from ..core.errors import PratiqueError
from . import sources as src
from ._series_norm import KERAS_NOTE, as_ncl, check_layout


def as_series(x, layout: str = "auto", what: str = "x", channels: int | None = None) -> torch.Tensor:
    """float32 (N, C, L) from an array (N, C, L), (N, L, C) or (N, L), or a list of series
    (L,), (C, L) or (L, C) of different lengths, padded with NaN to the longest. `channels`
    (those of the training split) tells the layout of an array apart."""
    check_layout(layout)
    if isinstance(x, (list, tuple)) and x and not np.isscalar(x[0]):
        items = [_numeric(np.asarray(s), f"{what}[{i}]") for i, s in enumerate(x)]
        if len({s.shape for s in items}) > 1:
            return _pad(items, layout, what)
        x = np.stack(items)
    a = _numeric(x if isinstance(x, torch.Tensor) else np.asarray(x), what)
    t = torch.as_tensor(a)
    if t.dim() not in (2, 3) or t.shape[0] == 0 or t.shape[-1] == 0:
        raise PratiqueError(f"{what} must be series (N, channels, length), Keras' (N, length, channels), "
                            f"(N, length) or a list of series. Received shape {tuple(t.shape)}.")
    _check_finite(t, what)
    return as_ncl(t.float(), channels, layout).contiguous()


def _numeric(a, what: str):
    if not isinstance(a, torch.Tensor) and (a.dtype == object or a.dtype.kind not in "biuf"):
        raise PratiqueError(f"{what} must hold numbers. Received dtype={a.dtype}; pass float arrays "
                            "(a list of arrays for series of different lengths).")
    return a.astype(np.float32) if isinstance(a, np.ndarray) else a


def _check_finite(t: torch.Tensor, what: str) -> None:
    bad = ~torch.isfinite(t)
    if bad.any():
        i = tuple(int(v) for v in bad.nonzero()[0])
        raise PratiqueError(f"{what} holds {int(bad.sum())} NaN or infinite values (the first at index "
                            f"{i}). Expected finite numbers; for series of different lengths pass a "
                            "list of arrays (they are padded, with a mask), else fill the gaps.")


def _pad(items: list, layout: str, what: str) -> torch.Tensor:
    """Series of different lengths -> (N, C, L_max), NaN after each one's end. The channel axis
    is the one whose size all items share (or `layout`); mixed channel counts are refused."""
    dims = {s.ndim for s in items}
    if dims not in ({1}, {2}):
        raise PratiqueError(f"{what} mixes series of {sorted(dims)} dimensions. Pass every series as "
                            "(length,) or every one as (channels, length).")
    if dims == {1}:
        items = [s[None] for s in items]
    elif layout == "auto":
        first, second = ({s.shape[k] for s in items} for k in (0, 1))
        if len(first) > 1 and len(second) > 1:
            raise _mixed(items, what)
        layout = "ncl" if len(first) == 1 else "nlc"
        if layout == "nlc":
            warnings.warn(KERAS_NOTE, UserWarning, stacklevel=4)
    if layout == "nlc":
        items = [s.T for s in items]
    if len({s.shape[0] for s in items}) > 1:
        raise _mixed(items, what)
    out = torch.full((len(items), items[0].shape[0], max(s.shape[1] for s in items)), float("nan"))
    for i, s in enumerate(items):
        t = torch.as_tensor(s, dtype=torch.float32)
        _check_finite(t, f"{what}[{i}]")
        if t.shape[1] == 0:
            raise PratiqueError(f"{what}[{i}] is an empty series (length 0). Drop it.")
        out[i, :, : t.shape[1]] = t
    return out


def _mixed(items, what: str) -> PratiqueError:
    shapes = sorted({tuple(s.shape) for s in items})[:6]
    return PratiqueError(f"{what} mixes series of different channel counts (shapes {shapes}). Every "
                         "series needs the same channels; only the length may differ. Pass "
                         "layout='ncl' or 'nlc' if the channel axis was misread.")


def targets(ys: dict, classes) -> tuple[str, dict, list | None]:
    """(kind, {split: tensor or None}, classes): "classes" (int64 indices, from integer or string
    labels), "values" (float targets: regression, forecasts) or "inputs" (no y: autoencoders)."""
    if ys["train"] is None:
        if any(v is not None for v in ys.values()):
            raise PratiqueError("Pass labels for every split or for none (y=None: the targets are the inputs).")
        return "inputs", ys, None
    arrays = {k: np.asarray(v) for k, v in ys.items()}
    if arrays["train"].dtype.kind == "f":
        for k, a in arrays.items():
            _check_finite(torch.as_tensor(a), f"{k} y")
        return "values", {k: torch.as_tensor(a, dtype=torch.float32) for k, a in arrays.items()}, None
    if arrays["train"].ndim != 1:
        raise PratiqueError(f"Class labels must be one per series (N,). Received shape "
                            f"{arrays['train'].shape}; float targets (N, ...) are regression targets.")
    if arrays["train"].dtype.kind in "iub":
        names = list(classes) if classes is not None else [
            str(i) for i in range(int(arrays["train"].max()) + 1)]
        out = {k: torch.as_tensor(a.astype(np.int64)) for k, a in arrays.items()}
        for k, y in out.items():
            src.check_label_range(y, len(names), k)
    else:
        names, out, _ = src.encode_labels({k: a.tolist() for k, a in arrays.items()}, classes)
    if len(torch.unique(out["train"])) < 2:
        raise PratiqueError(f"Training labels hold a single class; a classifier needs at least 2. "
                            f"Classes: {names}.")
    return "classes", out, names

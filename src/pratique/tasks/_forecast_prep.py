"""A Forecaster's preprocessing: log transform, scaling, the series' tail, baselines (numpy).

All of it lives in one dict, `model.preprocessing["forecast"]`, saved in the manifest, so a
loaded model scales, forecasts and scores its baselines with the very numbers it was fitted with:

    {"window": 24, "horizon": 12, "season": 12, "transform": "log", "normalize": "window",
     "center": 0.0, "scale": 0.105, "history": [... the last max(window, season) values ...]}

Scaling happens after the transform, on z = log(x) (or x):
- normalize="window": each window minus its own last value, divided by the std of the fitted
  series' one-step changes; a trending series keeps working beyond the levels it was fitted on.
- normalize="series": (z - mean) / std of the fitted series (Keras' Normalization.adapt).
- normalize=None: z as it is.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.errors import PratiqueError

TRANSFORMS = (None, "log")
NORMALIZE = ("window", "series", None)
MAX_HISTORY = 2**20
KEYS = {"window", "horizon", "season", "transform", "normalize", "center", "scale", "history"}


def as_series(values, name: str = "series", transform: str | None = None) -> np.ndarray:
    """A finite 1-D float64 series; strictly positive for the log transform."""
    try:
        s = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise PratiqueError(f"{name} must be numbers. Received {type(values).__name__} ({e}).") from None
    if s.ndim != 1 or s.size == 0:
        raise PratiqueError(f"{name} must be one series, shape (L,). Received shape {s.shape}. A "
                            "Forecaster predicts one series; pass each series to its own Forecaster.")
    if not np.isfinite(s).all():
        raise PratiqueError(f"{name} holds {int((~np.isfinite(s)).sum())} NaN or infinite values. "
                            "Fill or drop them first (e.g. pandas' Series.interpolate()).")
    if transform == "log" and (s <= 0).any():
        raise PratiqueError(f"transform='log' needs values > 0; {name} has {int((s <= 0).sum())} values "
                            f"<= 0 (min {s.min():g}). Pass transform=None, or shift the series first.")
    return s


def adapt(series: np.ndarray, transform: str | None, normalize: str | None) -> tuple[float, float]:
    """(center, scale) learned from the fitted series, in the transformed space."""
    z = forward(series, transform)
    if normalize == "window":
        center, scale = 0.0, float(np.std(np.diff(z))) if len(z) > 1 else 0.0
    elif normalize == "series":
        center, scale = float(np.mean(z)), float(np.std(z))
    else:
        center, scale = 0.0, 1.0
    return center, (scale if scale > 0 else 1.0)  # a constant series: nothing to divide by


def forward(x: np.ndarray, transform: str | None) -> np.ndarray:
    return np.log(x) if transform == "log" else np.asarray(x, dtype=np.float64)


def inverse(z: np.ndarray, transform: str | None) -> np.ndarray:
    return np.exp(z) if transform == "log" else z


def reference(zx: np.ndarray, cfg: dict) -> np.ndarray:
    """What each window is measured from: (N, 1), its last value or the series' center."""
    if cfg["normalize"] == "window":
        return zx[:, -1:]
    return np.full((len(zx), 1), cfg["center"])


def scale_windows(x: np.ndarray, cfg: dict, y: np.ndarray | None = None):
    """Raw windows x (N, window) and targets y (N, horizon) -> the model's float32 inputs, targets."""
    zx = forward(x, cfg["transform"])
    ref = reference(zx, cfg)
    xs = ((zx - ref) / cfg["scale"]).astype(np.float32)[:, None, :]  # (N, 1, window): Conv1d's layout
    if y is None:
        return xs, None
    return xs, ((forward(y, cfg["transform"]) - ref) / cfg["scale"]).astype(np.float32)


def unscale(out: np.ndarray, x: np.ndarray, cfg: dict) -> np.ndarray:
    """The model's outputs (N, horizon) for raw windows x (N, window) -> values in the series' units."""
    ref = reference(forward(x, cfg["transform"]), cfg)
    return inverse(out.astype(np.float64) * cfg["scale"] + ref, cfg["transform"])


def baselines(history: np.ndarray, steps: int, season: int | None) -> dict[str, np.ndarray]:
    """naive: the last value repeated; seasonal_naive: the last season repeated (y[t - season*k])."""
    out = {"naive": np.full(steps, history[-1])}
    if season is not None and len(history) >= season:
        out["seasonal_naive"] = np.resize(history[-season:], steps)  # tiled, cut at `steps`
    return out


def check_config(cfg, bad) -> None:
    """The manifest's `preprocessing.forecast`, checked before a loaded model uses it."""
    if not isinstance(cfg, dict) or set(cfg) != KEYS:
        raise bad(f'"preprocessing.forecast" must be a dict with keys {sorted(KEYS)}', cfg)

    def count(v, low=1):
        return isinstance(v, int) and not isinstance(v, bool) and low <= v < 2**31

    if not (count(cfg["window"]) and count(cfg["horizon"])
            and (cfg["season"] is None or count(cfg["season"]))):
        raise bad('"preprocessing.forecast" window, horizon (and season) must be ints >= 1', cfg)
    if cfg["transform"] not in TRANSFORMS or cfg["normalize"] not in NORMALIZE:
        raise bad(f'"preprocessing.forecast" transform must be one of {TRANSFORMS} and normalize '
                  f"one of {NORMALIZE}", [cfg["transform"], cfg["normalize"]])
    if cfg["history"] is None and cfg["center"] is None and cfg["scale"] is None:
        return  # saved before any fit
    if not (_number(cfg["center"]) and _number(cfg["scale"]) and cfg["scale"] > 0):
        raise bad('"preprocessing.forecast" center must be a finite number and scale one > 0',
                  [cfg["center"], cfg["scale"]])
    h = cfg["history"]
    if not (isinstance(h, list) and cfg["window"] <= len(h) <= MAX_HISTORY and all(map(_number, h))
            and (cfg["transform"] != "log" or all(v > 0 for v in h))):
        raise bad('"preprocessing.forecast.history" must list at least `window` finite numbers '
                  "(> 0 with the log transform)", h if not isinstance(h, list) else h[:5])


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

"""Shared by the callbacks that watch a logged value: mode resolution and improvement tests."""
from __future__ import annotations

import math

from ..._errors import PratiqueError


def monitor_mode(monitor: str, mode: str) -> str:
    """Resolve Keras' mode "auto": accuracies and similar go up, everything else goes down."""
    if mode not in ("auto", "min", "max"):
        raise PratiqueError(f"mode must be 'auto', 'min' or 'max'. Received: mode={mode!r}")
    if mode != "auto":
        return mode
    ups = ("acc", "accuracy", "auc", "precision", "recall", "f1", "top")
    return "max" if any(u in monitor for u in ups) else "min"


def worst(mode: str) -> float:
    return math.inf if mode == "min" else -math.inf


def better(mode: str, value: float, reference: float | None, min_delta: float = 0.0) -> bool:
    """`value` beats `reference` by more than `min_delta` in the direction of `mode`; NaN never
    does; anything else beats no reference (None: nothing seen yet, as Keras)."""
    if value is None or math.isnan(value):
        return False
    if reference is None:
        return True
    return value < reference - abs(min_delta) if mode == "min" else value > reference + abs(min_delta)


def read(logs: dict | None, monitor: str, who: str) -> float | None:
    """The monitored value as a float, or None (with a warning listing what is logged)."""
    logs = logs or {}
    if monitor not in logs:
        import warnings

        warnings.warn(f"{who} monitors {monitor!r}, which is not in the logs. Available: "
                      f"{', '.join(sorted(logs))}. (val_* keys need validation data.)", stacklevel=3)
        return None
    return float(logs[monitor])


def get_lr(optimizer) -> float:
    return float(optimizer.param_groups[0]["lr"])


def set_lr(optimizer, lr: float) -> None:
    """Set every group's LR, keeping the ratios between groups (discriminative LRs survive)."""
    base = get_lr(optimizer)
    for g in optimizer.param_groups:
        g["lr"] = lr * (g["lr"] / base) if base > 0 else lr

"""Shared by the callbacks that watch a logged value: mode resolution and improvement tests."""
from __future__ import annotations

import math

from ...core.errors import PratiqueError

# the directions of names that are not a compiled metric's (e.g. logged by a callback) or
# that a model does not compile (Keras' loss); a compiled metric's own direction comes first
_UP = {"accuracy", "acc", "auc", "f1", "precision", "recall", "iou", "dice", "r2", "binary_accuracy",
       "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
       "sparse_top_k_categorical_accuracy", "top_k_accuracy", "multilabel_accuracy", "multilabel_f1",
       "multilabel_precision", "multilabel_recall", "jaccard", "map", "psnr", "ssim"}
_DOWN = {"loss", "mse", "mae", "rmse", "mean_squared_error", "mean_absolute_error", "error",
         "mape", "msle", "huber", "log_cosh"}


def _by_name(name: str) -> str | None:
    if name in _UP or (name.startswith("top") and name.endswith("_accuracy")):
        return "max"
    if name in _DOWN or name.endswith("_loss"):
        return "min"
    return None


def monitor_mode(monitor: str, mode: str) -> str:
    """Check `mode`; resolve "auto" by the monitored name when it is a known one, else keep
    "auto" for `resolve_mode` to settle at the start of the fit (from the compiled metrics)."""
    if mode not in ("auto", "min", "max"):
        raise PratiqueError(f"mode must be 'auto', 'min' or 'max'. Received: mode={mode!r}")
    if mode != "auto":
        return mode
    return _by_name(monitor.removeprefix("val_")) or "auto"


def resolve_mode(monitor: str, mode: str, model, who: str) -> str:
    """Keras' mode "auto": `loss` goes down; a compiled metric goes its declared way
    (`higher_is_better`, as torchmetrics declares it), `val_` prefix stripped; a name with no
    known direction is refused."""
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_")
    for m in getattr(model, "metrics", None) or ():
        hib = getattr(m, "higher_is_better", None)
        if hib is not None and (m.name == name or (getattr(m, "per_class", False)
                                                   and name.startswith(m.name + "_"))):
            return "max" if hib else "min"
    found = _by_name(name)
    if found is None:
        raise PratiqueError(
            f"{who}(monitor={monitor!r}, mode='auto'): the direction of {name!r} is unknown (it is "
            "not a compiled metric with a declared higher_is_better, nor a known name). Pass "
            "mode='max' if higher values are better, or mode='min' if lower values are.")
    return found


def worst(mode: str) -> float | None:
    """The starting `best`; None while mode "auto" waits for the fit to start."""
    if mode == "auto":
        return None
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

"""Lightning Flash's task arguments on `ImageClassifier`: optimizer, learning rate, metrics, head.

A Flash task needs no `compile()`: it trains with its own defaults (Adam at 1e-3, cross-entropy,
accuracy). `ImageClassifier(..., optimizer=, learning_rate=, metrics=)` stores them, and the first
`fit` / `finetune` / `evaluate` without a `compile()` compiles with them. An explicit `compile()`
starts from them too: only what it names changes.
"""
from __future__ import annotations

import inspect
import re

from ..core.errors import PratiqueError

DEFAULTS = {"optimizer": "adam", "lr": 1e-3, "loss": "cross_entropy", "metrics": ("accuracy",)}
HEADS = ("linear",)


def task_args(optimizer=None, learning_rate=None, metrics=None, loss_fn=None) -> dict:
    """The compile arguments a Flash task would train with; unset ones take Flash's defaults."""
    args = dict(DEFAULTS)
    if optimizer is not None:  # Flash spells names as torch classes: "Adam", "SGD"
        args["optimizer"] = optimizer.lower() if isinstance(optimizer, str) else optimizer
    if learning_rate is not None:
        args["lr"] = learning_rate
    if loss_fn is not None:
        args["loss"] = loss_fn
    if metrics is not None:
        args["metrics"] = as_metrics(metrics)
    return args


def merge(stored: dict, compile_fn, args: tuple, kwargs: dict) -> dict:
    """`stored` task arguments overridden by what a `compile(*args, **kwargs)` call names."""
    bound = inspect.signature(compile_fn).bind_partial(None, *args, **kwargs).arguments
    bound.pop(next(iter(bound)))  # self
    extra = bound.pop("optimizer_kwargs", None) or {}
    merged = {**stored, **bound, **extra}
    if "learning_rate" in extra and "lr" not in bound:  # compile's Keras/Flash alias wins over ours
        merged.pop("lr", None)
    return merged


def check_head(head) -> None:
    if head not in HEADS:
        raise PratiqueError(f"head must be one of {HEADS} (a Linear layer on the pooled features, "
                            f"Flash's default). Received: head={head!r}. For another head, build the "
                            "module yourself and pass it: ImageClassifier(my_module).")


def as_metrics(metrics) -> list:
    """Names, pratique Metrics and torchmetrics objects (alone, in a list, or in a dict whose keys
    name them in the logs) as a list `compile` takes."""
    if isinstance(metrics, dict):
        return [_wrap(m, name) for name, m in metrics.items()]
    if isinstance(metrics, (list, tuple)):
        return [_wrap(m) for m in metrics]
    return [_wrap(metrics)]


def _wrap(metric, name: str | None = None):
    try:
        import torchmetrics
    except ImportError:  # pragma: no cover - torchmetrics is a dependency
        return metric
    if not isinstance(metric, torchmetrics.Metric):
        if name is not None:
            raise PratiqueError(f"A dict of metrics maps log names to torchmetrics objects. Received "
                                f"{name!r}: {metric!r}. Pass a list for metric names: metrics=['accuracy'].")
        return metric
    from ..training.metrics import TorchMetric

    return TorchMetric(name or _log_name(metric), lambda num_classes, m=metric: m)


def _log_name(metric) -> str:
    """MulticlassAccuracy -> accuracy, MulticlassF1Score -> f1_score (Flash logs lower-case names)."""
    base = re.sub(r"^(Multiclass|Multilabel|Binary)", "", type(metric).__name__)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", base).lower()

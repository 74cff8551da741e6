"""Keras' metric names and plain functions as metrics (keras/src/metrics/*).

Each is a mean over samples, as Keras' MeanMetricWrapper computes it: a function returns one
value per sample (or one per batch, then counted once, as in Keras), and the epoch's value is
the sum over samples divided by their number. The sums stay device tensors: one sync per epoch.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..core.errors import PratiqueError
from .metrics import METRICS, Metric, binary_threshold, is_binary

EPSILON = 1e-7  # keras.backend.epsilon(): MAPE divides by max(|y_true|, EPSILON)


def _aligned(y_true, y_pred):
    """y_true as y_pred's dtype and shape where they hold as many values ((N,) vs (N, 1))."""
    y_true = y_true.to(y_pred.dtype)
    return y_true.view_as(y_pred) if y_true.numel() == y_pred.numel() else y_true


def _per_sample(values):
    return values.mean(dim=-1) if values.dim() > 1 else values


def mean_squared_error(y_true, y_pred):
    return _per_sample((y_pred - _aligned(y_true, y_pred)) ** 2)


def mean_absolute_error(y_true, y_pred):
    return _per_sample((y_pred - _aligned(y_true, y_pred)).abs())


def mean_absolute_percentage_error(y_true, y_pred):
    """Keras': per sample, 100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7)) over the last axis."""
    y_true = _aligned(y_true, y_pred)
    return 100 * _per_sample((y_true - y_pred).abs() / y_true.abs().clamp_min(EPSILON))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5):
    """Keras': per sample, the mean over the last axis of (y_pred > threshold) == y_true."""
    return _per_sample((_aligned(y_true, y_pred) == (y_pred > threshold).to(y_pred.dtype)).float())


def hinge(y_true, y_pred):
    """Keras' hinge metric: per sample, mean(max(1 - y_true * y_pred, 0)); 0/1 labels become -1/1."""
    y_true = _aligned(y_true, y_pred)
    if bool(((y_true == 0) | (y_true == 1)).all()):
        y_true = 2 * y_true - 1
    return _per_sample((1 - y_true * y_pred).clamp_min(0))


def _one_hot_targets(name, y_true, y_pred):
    if y_true.shape != y_pred.shape:
        raise PratiqueError(
            f"{name} takes one-hot targets shaped like the outputs {tuple(y_pred.shape)}. Received "
            f"targets of shape {tuple(y_true.shape)}. For integer class targets use "
            f"'sparse_{name}' (or 'accuracy').")
    return y_true.argmax(dim=-1)


def _class_targets(y_true, y_pred):
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    return y_true.long()


def categorical_accuracy(y_true, y_pred):
    return (y_pred.argmax(dim=-1) == _one_hot_targets("categorical_accuracy", y_true, y_pred)).float()


def sparse_categorical_accuracy(y_true, y_pred):
    return (y_pred.argmax(dim=-1) == _class_targets(y_true, y_pred)).float()


def _in_top_k(classes, y_pred, k):
    top = y_pred.topk(min(k, y_pred.shape[-1]), dim=-1).indices
    return (top == classes.unsqueeze(-1)).any(dim=-1).float()


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    return _in_top_k(_one_hot_targets("top_k_categorical_accuracy", y_true, y_pred), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    return _in_top_k(_class_targets(y_true, y_pred), y_pred, k)


class MeanMetric(Metric):
    """`fn(y_true, y_pred)` averaged over the samples (Keras' MeanMetricWrapper).

    Args:
        fn: returns per-sample values (N,) (higher ranks are averaged per sample) or a scalar.
        name: the log key (default: `fn.__name__`).
        higher_is_better: the direction for `mode="auto"` (default: `fn.higher_is_better`).
    """

    def __init__(self, fn, name: str | None = None, higher_is_better: bool | None = None, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        self.name = name or getattr(fn, "__name__", type(fn).__name__)
        self.higher_is_better = (getattr(fn, "higher_is_better", None) if higher_is_better is None
                                 else higher_is_better)
        self.reset()

    def reset(self) -> None:
        self.sum = torch.zeros((), dtype=torch.float64)
        self.count = 0

    def values(self, outputs, targets) -> torch.Tensor:
        return torch.as_tensor(self.fn(targets, outputs, **self.kwargs))

    def update(self, outputs, targets) -> None:
        v = self.values(outputs, targets).detach()
        v = v.reshape(1) if v.dim() == 0 else v.reshape(v.shape[0], -1).double().mean(dim=1)
        self.sum = self.sum.to(v.device) + v.double().sum()
        self.count += v.shape[0]

    def compute(self) -> float:
        return float(self.sum) / self.count if self.count else float("nan")

    def sync(self, fabric) -> None:
        state = torch.stack([self.sum.reshape(()), torch.tensor(float(self.count), dtype=torch.float64,
                                                                   device=self.sum.device)])
        state = fabric.all_reduce(state, reduce_op="sum")
        self.sum, self.count = state[0], int(state[1])


class RootMeanSquaredError(MeanMetric):
    """Keras' RootMeanSquaredError: the root of the epoch's mean squared error (not a mean of
    per-batch roots); each sample counts once, with its mean over the last axis."""

    def __init__(self, name: str = "root_mean_squared_error"):
        super().__init__(mean_squared_error, name, False)

    def compute(self) -> float:
        return super().compute() ** 0.5


class BinaryAccuracy(MeanMetric):
    """Keras' binary_accuracy: threshold 0.5 on probabilities, and 0 on logits (the compiled
    loss tells, e.g. bce_with_logits); `threshold=` fixes it."""

    higher_is_better = True

    def __init__(self, name: str = "binary_accuracy", threshold: float | None = None):
        super().__init__(binary_accuracy, name, True)
        self.threshold, self._thr = threshold, None

    def values(self, outputs, targets):
        if self._thr is None:
            self._thr = binary_threshold(self, outputs)
        return binary_accuracy(targets, outputs, self._thr)


class AUC(Metric):
    """Area under the ROC curve (Keras' `auc`), exact (Keras approximates it with 200
    thresholds). A binary output is scored as it is; several columns are flattened against
    one-hot targets, as Keras does. Logits get a sigmoid (or softmax) first."""

    higher_is_better = True

    def __init__(self, name: str = "auc"):
        self.name, self.metric = name, None

    def reset(self) -> None:
        if self.metric is not None:
            self.metric.reset()

    def update(self, outputs, targets) -> None:
        if self.metric is None:
            from torchmetrics.classification import BinaryAUROC

            binary_threshold(self, outputs)  # refuses outputs it cannot read as logits or probabilities
            self.metric = BinaryAUROC().to(outputs.device)
        p = outputs.float()
        if self.from_logits:
            p = p.sigmoid() if is_binary(outputs) or self.loss_task == "binary" else p.softmax(dim=-1)
        if not is_binary(outputs) and targets.shape != outputs.shape:
            targets = F.one_hot(targets.reshape(-1).long(), outputs.shape[-1])
        self.metric.update(p.reshape(-1), targets.reshape(-1).long())

    def compute(self):
        return float("nan") if self.metric is None else float(self.metric.compute())


class TorchmetricsInstance(Metric):
    """A torchmetrics metric object given to compile: updated as `metric(preds, target)`."""

    def __init__(self, metric):
        import re

        self.metric = metric
        self.name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(metric).__name__).lower()
        self.higher_is_better = getattr(metric, "higher_is_better", None)

    def reset(self) -> None:
        self.metric.reset()

    def update(self, outputs, targets) -> None:
        self.metric.to(outputs.device).update(outputs.float(), targets)

    def compute(self):
        return float(self.metric.compute())


def from_callable(fn, **kwargs) -> Metric:
    """A torchmetrics object as it is; any other callable `f(y_true, y_pred)` as a mean."""
    try:
        import torchmetrics

        if isinstance(fn, torchmetrics.Metric):
            return TorchmetricsInstance(fn)
    except ImportError:  # pragma: no cover
        pass
    return MeanMetric(fn, **kwargs)


def _mean(fn, higher: bool, **fixed):
    return lambda name, **kw: MeanMetric(fn, name, higher, **{**fixed, **kw})


# name -> builder(name, **kwargs); the log key is the name the user gave, as in Keras
_BUILDERS = {
    "mse": _mean(mean_squared_error, False), "mean_squared_error": _mean(mean_squared_error, False),
    "mae": _mean(mean_absolute_error, False), "mean_absolute_error": _mean(mean_absolute_error, False),
    "rmse": lambda name: RootMeanSquaredError(name),
    "root_mean_squared_error": lambda name: RootMeanSquaredError(name),
    "mape": _mean(mean_absolute_percentage_error, False),
    "mean_absolute_percentage_error": _mean(mean_absolute_percentage_error, False),
    "binary_accuracy": lambda name, **kw: BinaryAccuracy(name, **kw),
    "categorical_accuracy": _mean(categorical_accuracy, True),
    "sparse_categorical_accuracy": _mean(sparse_categorical_accuracy, True),
    "top_k_categorical_accuracy": _mean(top_k_categorical_accuracy, True),
    "sparse_top_k_categorical_accuracy": _mean(sparse_top_k_categorical_accuracy, True),
    "auc": lambda name, **kw: AUC(name, **kw),
    "hinge": _mean(hinge, False),
}
KERAS_METRICS = {name: (lambda n: lambda **kw: _BUILDERS[n](n, **kw))(name) for name in _BUILDERS}
for _name, _builder in KERAS_METRICS.items():  # into the one registry (training/__init__ imports us)
    METRICS.add(_name, _builder)

"""Metrics that accumulate over an epoch as tensors; one sync at the end, not one per batch."""
from __future__ import annotations

import torch

from .._errors import unknown_name


class Metric:
    """Accumulates over batches: `update(outputs, targets)`, then `compute()` -> float."""

    name = "metric"

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, outputs: torch.Tensor, targets: torch.Tensor) -> None:
        raise NotImplementedError

    def compute(self) -> float:
        raise NotImplementedError

    def sync(self, fabric) -> None:
        """Sum the state over data-parallel ranks (before `compute`); torchmetrics sync themselves."""


class Accuracy(Metric):
    """Fraction of samples whose arg-max output equals the integer target."""

    name = "accuracy"

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.correct = torch.zeros((), dtype=torch.long)
        self.total = 0

    def update(self, outputs, targets) -> None:
        hit = (outputs.argmax(dim=-1) == targets).sum()
        self.correct = self.correct.to(hit.device) + hit
        self.total += targets.shape[0]

    def compute(self) -> float:
        return float(self.correct) / max(self.total, 1)

    def sync(self, fabric) -> None:
        counts = torch.stack([self.correct.reshape(()).long(), torch.tensor(self.total, device=self.correct.device)])
        counts = fabric.all_reduce(counts, reduce_op="sum")
        self.correct, self.total = counts[0], int(counts[1])


class TorchMetric(Metric):
    """A torchmetrics metric built at the first batch (when the number of classes is known).

    Its state stays on the device and accumulates as tensors; `compute()` syncs once per epoch.
    Per-class metrics return a dict `{f"{name}_{i}": value}` that the loop merges into the logs.
    """

    def __init__(self, name: str, factory, per_class: bool = False, **kwargs):
        self.name, self.factory, self.per_class, self.kwargs = name, factory, per_class, kwargs
        self.metric = None

    def reset(self) -> None:
        if self.metric is not None:
            self.metric.reset()

    def update(self, outputs, targets) -> None:
        if self.metric is None:
            self.metric = self.factory(outputs.shape[-1], **self.kwargs).to(outputs.device)
        self.metric.update(outputs.float(), targets)

    def compute(self):
        if self.metric is None:
            return float("nan")
        value = self.metric.compute()
        if self.per_class:
            return {f"{self.name}_{i}": float(v) for i, v in enumerate(value)}
        return float(value)


class ConfusionMatrix(TorchMetric):
    """The (C, C) confusion matrix (rows: true class, columns: predicted) as `.value`; it adds
    nothing to the logs, which hold numbers only."""

    def __init__(self, normalize: str | None = None):
        import torchmetrics

        super().__init__("confusion_matrix", lambda c, **kw: torchmetrics.classification.MulticlassConfusionMatrix(c, **kw),
                         normalize=normalize)
        self.value = None

    def compute(self):
        if self.metric is not None:
            self.value = self.metric.compute().cpu()
        return {}


def _multiclass(kind: str, average: str = "macro", **kwargs):
    def factory(num_classes, **kw):
        import torchmetrics.classification as tc

        cls = {"precision": tc.MulticlassPrecision, "recall": tc.MulticlassRecall, "f1": tc.MulticlassF1Score,
               "accuracy": tc.MulticlassAccuracy}[kind]
        return cls(num_classes, average=average, **kw)
    return factory


def _multilabel(kind: str, average: str = "macro"):
    def factory(num_labels, threshold: float = 0.5, **kw):
        import torchmetrics.classification as tc

        cls = {"accuracy": tc.MultilabelAccuracy, "f1": tc.MultilabelF1Score,
               "precision": tc.MultilabelPrecision, "recall": tc.MultilabelRecall}[kind]
        return cls(num_labels, threshold=threshold, average=average, **kw)
    return factory


def _top_k(k: int = 5):
    return TorchMetric(f"top{k}_accuracy", _multiclass("accuracy", average="micro"), top_k=k)


_METRICS = {
    "accuracy": Accuracy, "acc": Accuracy,
    "top_k_accuracy": _top_k,
    "precision": lambda: TorchMetric("precision", _multiclass("precision")),
    "recall": lambda: TorchMetric("recall", _multiclass("recall")),
    "f1": lambda: TorchMetric("f1", _multiclass("f1")),
    "precision_per_class": lambda: TorchMetric("precision", _multiclass("precision", None), per_class=True),
    "recall_per_class": lambda: TorchMetric("recall", _multiclass("recall", None), per_class=True),
    "f1_per_class": lambda: TorchMetric("f1", _multiclass("f1", None), per_class=True),
    "confusion_matrix": ConfusionMatrix,
    "multilabel_accuracy": lambda threshold=0.5: TorchMetric("multilabel_accuracy", _multilabel("accuracy"),
                                                             threshold=threshold),
    "multilabel_f1": lambda threshold=0.5: TorchMetric("multilabel_f1", _multilabel("f1"), threshold=threshold),
    "multilabel_precision": lambda threshold=0.5: TorchMetric("multilabel_precision", _multilabel("precision"),
                                                              threshold=threshold),
    "multilabel_recall": lambda threshold=0.5: TorchMetric("multilabel_recall", _multilabel("recall"),
                                                           threshold=threshold),
}


def list_metrics() -> list[str]:
    return sorted(_METRICS)


def get(name, **kwargs) -> Metric:
    """A fresh metric by name, or the `Metric` instance given.

    Names: accuracy (our fast tensor metric), top_k_accuracy (k=5) or "top3_accuracy",
    precision / recall / f1 (macro), *_per_class, confusion_matrix, multilabel_accuracy /
    _f1 / _precision / _recall (threshold 0.5 on probabilities; logits get a sigmoid first).

    Example:
        >>> model.compile(metrics=["accuracy", "top3_accuracy", "f1"])
    """
    if isinstance(name, Metric):
        return name
    if isinstance(name, str) and name.startswith("top") and name.endswith("_accuracy") and name[3:-9].isdigit():
        return _top_k(int(name[3:-9]))
    if name not in _METRICS:
        raise unknown_name("metric", name, _METRICS)
    return _METRICS[name](**kwargs)

"""Metrics that accumulate over an epoch as tensors; one sync at the end, not one per batch."""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError
from ..core.registry import Registry

__all__ = ["METRICS", "Accuracy", "ConfusionMatrix", "Metric", "TorchMetric", "bind", "get",
           "is_binary", "list_metrics"]


class Metric:
    """Accumulates over batches: `update(outputs, targets)`, then `compute()` -> float.

    `higher_is_better` is the direction callbacks with `mode="auto"` follow (None: unknown).
    `Model.compile` calls `bind(loss)`: the loss says whether outputs are logits.
    """

    name = "metric"
    higher_is_better: bool | None = None
    from_logits: bool | None = None  # from the compiled loss; None: not known
    loss_task: str | None = None
    threshold: float | None = None  # binary outputs; None: 0 on logits, 0.5 on probabilities

    def bind(self, loss) -> None:
        """Learn from the compiled loss how to read the outputs (logits or probabilities)."""
        self.from_logits = getattr(loss, "from_logits", None)
        self.loss_task = getattr(loss, "task", None)

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, outputs: torch.Tensor, targets: torch.Tensor) -> None:
        raise NotImplementedError

    def compute(self) -> float:
        raise NotImplementedError

    def sync(self, fabric) -> None:
        """Sum the state over data-parallel ranks (before `compute`); torchmetrics sync themselves."""


def is_binary(outputs: torch.Tensor) -> bool:
    """One output per sample ((N,) or (N, 1)): a binary classifier, scored by a threshold."""
    return outputs.dim() == 1 or outputs.shape[-1] == 1


def binary_threshold(metric: Metric, outputs: torch.Tensor) -> float:
    """0 on logits, 0.5 on probabilities, as the compiled loss says (or `metric.threshold`)."""
    if metric.threshold is not None:
        return float(metric.threshold)
    if metric.from_logits is not None:
        return 0.0 if metric.from_logits else 0.5
    if bool(((outputs >= 0) & (outputs <= 1)).all()):  # a callable loss: the first batch tells
        return 0.5
    raise PratiqueError(
        f"Metric {metric.name!r} on a binary output: the loss does not say whether the outputs are "
        "logits or probabilities, and they are not in [0, 1] on the first batch. Use "
        "loss='bce_with_logits' (logits) or loss='bce' (after nn.Sigmoid()), or set the threshold: "
        f"pq.metrics.get({metric.name!r}, threshold=0.0) for logits.")


def _regression_error(name: str, why: str) -> PratiqueError:
    return PratiqueError(
        f"metrics=[{name!r}] scores a classifier, but {why}: this is a regression. Use "
        "metrics=['mae'] (or 'mse'); for 0/1 targets scored at a threshold, metrics=['binary_accuracy'].")


class Accuracy(Metric):
    """Fraction of correct predictions; Keras' `accuracy`, read from the shapes at the first batch.

    One output column (or a 1-D output) is binary: the output above the threshold (0 on logits,
    0.5 on probabilities, as the loss tells) must equal the 0/1 target. Several columns with
    integer targets (N,) or (N, 1): the arg-max must equal the target. Targets shaped like the
    outputs (one-hot or probability rows): the two arg-maxes must agree. The state stays a
    device tensor: one sync per epoch.
    """

    name = "accuracy"
    higher_is_better = True

    def __init__(self, name: str = "accuracy", threshold: float | None = None):
        self.name, self.threshold = name, threshold
        self.kind: str | None = None  # "binary", "sparse" or "categorical", at the first batch
        self._thr = 0.5
        self.reset()

    def bind(self, loss) -> None:
        super().bind(loss)
        if self.loss_task == "regression":
            raise _regression_error(self.name, f"loss={loss.name!r} is a regression loss")

    def reset(self) -> None:
        self.correct = torch.zeros((), dtype=torch.long)
        self.total = 0

    def _resolve(self, outputs, targets) -> str:
        if is_binary(outputs):
            self._thr = binary_threshold(self, outputs)
            return "binary"
        if targets.dim() < outputs.dim() or targets.shape[-1] == 1:
            return "sparse"
        if self.loss_task == "binary":  # multi-label: Keras would take arg-maxes, which means nothing
            raise PratiqueError(
                f"metrics=[{self.name!r}] with a binary loss on {outputs.shape[-1]} outputs (multi-label): "
                "arg-max accuracy would mean nothing. Use metrics=['binary_accuracy'] (per label, "
                "Keras' meaning) or ['multilabel_accuracy'].")
        if self.loss_task is None and not _distributions(targets):
            raise _regression_error(self.name, "the targets are real values shaped like the outputs "
                                    "(not one-hot rows)")
        return "categorical"

    def update(self, outputs, targets) -> None:
        kind = self.kind = self.kind or self._resolve(outputs, targets)
        if kind == "binary":
            pred = (outputs.reshape(-1) > self._thr).to(targets.dtype)
            hit = (pred == targets.reshape(-1)).sum()
        elif kind == "sparse":
            hit = (outputs.argmax(dim=-1) == targets.reshape(outputs.shape[:-1])).sum()
        else:
            hit = (outputs.argmax(dim=-1) == targets.argmax(dim=-1)).sum()
        self.correct = self.correct.to(hit.device) + hit
        self.total += targets.numel() if kind == "binary" else targets.shape[0]

    def compute(self) -> float:
        return float(self.correct) / max(self.total, 1)

    def sync(self, fabric) -> None:
        counts = torch.stack([self.correct.reshape(()).long(), torch.tensor(self.total, device=self.correct.device)])
        counts = fabric.all_reduce(counts, reduce_op="sum")
        self.correct, self.total = counts[0], int(counts[1])


def _distributions(targets: torch.Tensor) -> bool:
    """Rows that are one-hot or probabilities (classification targets), not real values."""
    return bool((targets >= 0).all()) and bool(((targets.float().sum(-1) - 1).abs() < 1e-3).all())


class TorchMetric(Metric):
    """A torchmetrics metric built at the first batch (when the number of classes is known).

    Its state stays on the device and accumulates as tensors; `compute()` syncs once per epoch.
    Per-class metrics return a dict `{f"{name}_{i}": value}` that the loop merges into the logs.
    """

    higher_is_better = True

    def __init__(self, name: str, factory, per_class: bool = False, **kwargs):
        self.name, self.factory, self.per_class, self.kwargs = name, factory, per_class, kwargs
        self.metric = None
        self._binary = None  # the threshold, for a binary output (one column)

    def reset(self) -> None:
        if self.metric is not None:
            self.metric.reset()

    def update(self, outputs, targets) -> None:
        if self.metric is None:
            self.metric = self._build(outputs).to(outputs.device)
        if self._binary is not None:  # 0/1 labels: Binary* metrics, or 2-class ones per class
            self.metric.update((outputs.reshape(-1) > self._binary).long(), targets.reshape(-1).long())
            return
        if targets.dim() == outputs.dim() and targets.shape[-1] == 1 and not targets.is_floating_point():
            targets = targets.reshape(-1)  # (N, 1) class indices
        self.metric.update(outputs.float(), targets)

    def _build(self, outputs):
        kind = getattr(self.factory, "kind", None)
        if kind is None or not is_binary(outputs):
            return self.factory(outputs.shape[-1], **self.kwargs)
        if self.kwargs.get("top_k"):
            raise PratiqueError(f"{self.name} needs several output columns; the model has one (binary).")
        self._binary = binary_threshold(self, outputs)
        if self.per_class or kind == "confusion":
            return self.factory(2, **self.kwargs)
        import torchmetrics.classification as tc

        return {"precision": tc.BinaryPrecision, "recall": tc.BinaryRecall, "f1": tc.BinaryF1Score,
                "accuracy": tc.BinaryAccuracy}[kind]()

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

        def factory(c, **kw):
            return torchmetrics.classification.MulticlassConfusionMatrix(c, **kw)

        factory.kind = "confusion"
        super().__init__("confusion_matrix", factory, normalize=normalize)
        self.value = None

    higher_is_better = None

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
    factory.kind = kind
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


_BUILT_IN = {
    "accuracy": Accuracy, "acc": lambda **kw: Accuracy("acc", **kw),
    "top_k_accuracy": _top_k,
    "precision": lambda: TorchMetric("precision", _multiclass("precision")),
    "recall": lambda: TorchMetric("recall", _multiclass("recall")),
    "f1": lambda: TorchMetric("f1", _multiclass("f1")),
    "f1_score": lambda: TorchMetric("f1_score", _multiclass("f1")),  # Keras' name (macro here)
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


METRICS = Registry("metric")  # name -> builder(**kwargs) of a fresh Metric
for _name, _builder in _BUILT_IN.items():
    METRICS.add(_name, _builder)


def list_metrics(glob: str | None = None) -> list[str]:
    """Registered metric names, sorted, optionally matching a glob ("top{k}_accuracy" is any k)."""
    return METRICS.list(glob)


def get(name, **kwargs) -> Metric:
    """A fresh metric by name, or the `Metric` instance given.

    Names: accuracy or acc (binary, sparse or categorical as the output and target shapes say,
    logged under the name given), binary_accuracy, categorical_accuracy,
    sparse_categorical_accuracy, top_k_categorical_accuracy, mse / mean_squared_error, mae /
    mean_absolute_error, rmse / root_mean_squared_error (the root of the epoch's mean),
    mape / mean_absolute_percentage_error (100 * mean(|y - p| / max(|y|, 1e-7))), auc (Keras' names), top_k_accuracy (k=5) or "top3_accuracy",
    precision / recall / f1 (macro), *_per_class, confusion_matrix, multilabel_accuracy /
    _f1 / _precision / _recall (threshold 0.5 on probabilities; logits get a sigmoid first).

    A function `f(y_true, y_pred)` is averaged over the samples (Keras' MeanMetricWrapper) and
    logged under its `__name__`.

    Example:
        >>> model.compile(metrics=["accuracy", "top3_accuracy", "f1"])
    """
    if isinstance(name, Metric):
        return name
    if not isinstance(name, str) and callable(name):
        from ._keras_metrics import from_callable

        return from_callable(name, **kwargs)
    if isinstance(name, str) and name.startswith("top") and name.endswith("_accuracy") and name[3:-9].isdigit():
        return _top_k(int(name[3:-9]))
    return METRICS.get(name, **kwargs)


def bind(metrics, loss) -> None:
    """Tell each compiled metric about the compiled loss (logits or probabilities, task)."""
    for m in metrics:
        m.bind(loss)


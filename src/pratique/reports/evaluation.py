"""Evaluation report: accuracy, top-k, per-class precision / recall / F1, confusion matrix.

Scored by one torchmetrics `MetricCollection` from labels and probabilities, so it works for any
classifier output; it is a dict (`EvaluationReport`, shown as tables in Jupyter); `write_report` turns it into `report.json`, a readable `report.md` and `confusion_matrix.csv`.
"""
from __future__ import annotations

import csv
import io
import json
import os

import torch

from ..core.errors import PratiqueError
from ..core.io import atomic_write


class EvaluationReport(dict):
    """The report: a plain dict (JSON as it is) that Jupyter shows as tables."""

    def _repr_html_(self) -> str:
        from .._html import table

        head = [(k, v) for k, v in self.items() if isinstance(v, (int, float))]
        head += [(f"{k.replace('_', '-')} accuracy", v) for k, v in self.get("top_k_accuracy", {}).items()]
        rows = [(r["class"], r["precision"], r["recall"], r["f1"], r["support"])
                for r in self.get("per_class", [])]
        rows += [(f"{name} avg", *(self[f"{name}_avg"][k] for k in ("precision", "recall", "f1", "support")))
                 for name in ("macro", "weighted") if f"{name}_avg" in self]
        classes = self.get("classes", [])
        cm = [(name, *row) for name, row in zip(classes, self.get("confusion_matrix", []))]
        return (table(("metric", "value"), head, caption="Evaluation report")
                + table(("class", "precision", "recall", "F1", "support"), rows, caption="Per class")
                + table(("true \\ predicted", *classes), cm, caption="Confusion matrix"))


def confusion_matrix(y_true, y_pred, num_classes: int) -> torch.Tensor:
    """Counts (num_classes, num_classes): row = true class, column = predicted class."""
    from torchmetrics.functional.classification import multiclass_confusion_matrix

    return multiclass_confusion_matrix(torch.as_tensor(y_pred).long(), torch.as_tensor(y_true).long(),
                                       num_classes)


def _scores(y_true: torch.Tensor, y_prob: torch.Tensor, top_k) -> dict:
    """torchmetrics' scores of the whole set, from one `MetricCollection` (shared tp/fp/fn state)."""
    from torchmetrics import MetricCollection
    from torchmetrics.classification import (
        MulticlassAccuracy,
        MulticlassConfusionMatrix,
        MulticlassF1Score,
        MulticlassPrecision,
        MulticlassRecall,
    )

    c = y_prob.shape[1]
    # scores of the arrays given: no all-reduce inside a process group (rank 0 alone may call this)
    local = {"num_classes": c, "sync_on_compute": False}
    metrics = {"confusion_matrix": MulticlassConfusionMatrix(**local),
               "accuracy": MulticlassAccuracy(average="micro", **local)}
    for average in (None, "weighted"):  # zero_division=0: a class never predicted has precision 0
        for name, cls in (("precision", MulticlassPrecision), ("recall", MulticlassRecall),
                          ("f1", MulticlassF1Score)):
            metrics[f"{name}_{average or 'per_class'}"] = cls(average=average, **local)
    metrics |= {f"top_{k}": MulticlassAccuracy(top_k=k, average="micro", **local) for k in top_k if 1 < k < c}
    collection = MetricCollection(metrics).set_dtype(torch.float64)  # divides in float64, as sklearn
    collection.update(y_prob, y_true)
    return collection.compute()


def evaluation_report(y_true, y_prob, classes=None, top_k=(1, 5), most_confused: int = 10) -> EvaluationReport:
    """Scores of a classifier: accuracy, top-k, per-class P/R/F1/support, averages, confusion.

    Args:
        y_true: integer labels, shape (N,).
        y_prob: probabilities or logits, shape (N, C) (only their order matters).
        classes: C class names (default: "0", "1", ...).
        top_k: the k for top-k accuracy; k >= C are left out.
        most_confused: how many off-diagonal (true, predicted) pairs to list, largest first.

    Example:
        >>> r = evaluation_report([0, 1, 1], [[.9, .1], [.2, .8], [.6, .4]], ["cat", "dog"])
        >>> r["accuracy"], r["per_class"][1]["recall"]
        (0.666..., 0.5)
    """
    y_true = torch.as_tensor(y_true).long().flatten()
    y_prob = torch.as_tensor(y_prob).float()
    if y_prob.dim() != 2 or len(y_prob) != len(y_true):
        raise PratiqueError(f"y_prob must have shape (N, C) with N = len(y_true) = {len(y_true)}. "
                            f"Received shape {tuple(y_prob.shape)}.")
    n, c = y_prob.shape
    classes = [str(k) for k in (classes if classes is not None else range(c))]
    if len(classes) != c:
        raise PratiqueError(f"classes must name the {c} columns of y_prob. Received {len(classes)} names.")
    if n == 0:
        raise PratiqueError("evaluation_report needs at least one sample. Received y_true and y_prob "
                            "with 0 rows: check that the evaluation data is not empty.")
    if not 0 <= int(y_true.min()) <= int(y_true.max()) < c:
        raise PratiqueError(f"y_true must hold class indices in [0, {c - 1}] (the columns of y_prob). "
                            f"Received labels from {int(y_true.min())} to {int(y_true.max())}.")
    s = _scores(y_true, y_prob, top_k)
    cm = s["confusion_matrix"].long()
    precision, recall, f1 = (s[f"{k}_per_class"] for k in ("precision", "recall", "f1"))
    report = EvaluationReport({
        "num_samples": n,
        "classes": classes,
        "accuracy": float(s["accuracy"]),
        "top_k_accuracy": {f"top_{k}": float(s["accuracy"] if k == 1 else s[f"top_{k}"])
                           for k in top_k if k < c},
        "per_class": [{"class": name, "precision": float(p), "recall": float(r), "f1": float(f),
                       "support": int(t)}
                      for name, p, r, f, t in zip(classes, precision, recall, f1, cm.sum(dim=1))],
        # the mean of the C rows above, absent classes included, as sklearn's classification_report
        # with labels=range(C); torchmetrics' "macro" would drop a class absent from labels and predictions
        "macro_avg": {"precision": float(precision.mean()), "recall": float(recall.mean()),
                      "f1": float(f1.mean()), "support": n},
        "weighted_avg": {**{k: float(s[f"{k}_weighted"]) for k in ("precision", "recall", "f1")},
                         "support": n},
        "confusion_matrix": cm.tolist(),
        "most_confused": _most_confused(cm, classes, most_confused),
    })
    return report


def _most_confused(cm: torch.Tensor, classes: list[str], limit: int) -> list[dict]:
    off = cm.clone()
    off.fill_diagonal_(0)
    counts, flat = off.flatten().sort(descending=True, stable=True)
    c = len(classes)
    return [{"true": classes[i // c], "predicted": classes[i % c], "count": int(k)}
            for k, i in zip(counts.tolist()[:limit], flat.tolist()[:limit]) if k > 0]


def write_report(report: dict, directory) -> dict:
    """Write `report.json`, `report.md` and `confusion_matrix.csv` into `directory`.

    Returns the paths written, by name. Example: `write_report(evaluation_report(y, p), "runs/x")`.
    """
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    texts = {"report.json": json.dumps(report, indent=2) + "\n",
             "report.md": report_markdown(report),
             "confusion_matrix.csv": _confusion_csv(report)}
    paths = {}
    for name, text in texts.items():
        paths[name] = os.path.join(directory, name)
        atomic_write(paths[name], lambda f, t=text: f.write(t.encode()))
    return paths


def _confusion_csv(report: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["true \\ predicted", *report["classes"]])
    for name, row in zip(report["classes"], report["confusion_matrix"]):
        w.writerow([name, *row])
    return buf.getvalue()


def report_markdown(report: dict) -> str:
    """The report as Markdown: headline scores, per-class table, averages, confusions."""
    lines = ["# Evaluation report", "", f"Samples: {report['num_samples']}  ", ""]
    if "loss" in report:
        lines.insert(3, f"Loss: {report['loss']:.4f}  ")
    lines += ["| metric | value |", "| --- | --- |", f"| accuracy | {report['accuracy']:.4f} |"]
    lines += [f"| {k.replace('_', '-')} accuracy | {v:.4f} |" for k, v in report["top_k_accuracy"].items()]
    lines += ["", "## Per class", "", "| class | precision | recall | F1 | support |",
              "| --- | ---: | ---: | ---: | ---: |"]
    rows = report["per_class"] + [{"class": "**macro avg**", **report["macro_avg"]},
                                  {"class": "**weighted avg**", **report["weighted_avg"]}]
    lines += [f"| {r['class']} | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | "
              f"{r['support']} |" for r in rows]
    lines += ["", "## Most confused (true -> predicted)", ""]
    lines += [f"- {p['true']} -> {p['predicted']}: {p['count']}" for p in report["most_confused"]]
    lines += _timing_markdown(report.get("timing"))
    if not report["most_confused"]:
        lines.append("- none: every sample was classified correctly")
    lines += ["", "The full matrix is in `confusion_matrix.csv` (rows: true class).", ""]
    return "\n".join(lines)


def _timing_markdown(timing: dict | None) -> list[str]:
    """The run's times (`History.timing`): one row per epoch, and the features pass."""
    if not timing or not timing.get("epoch_seconds"):
        return []
    lines = ["", "## Time", "", "| epoch | seconds | training (s) | images/s |", "| ---: | ---: | ---: | ---: |"]
    lines += [f"| {i} | {e:.2f} | {t:.2f} | {r:.1f} |" for i, (e, t, r) in enumerate(
        zip(timing["epoch_seconds"], timing["train_seconds"], timing["images_per_second"]), 1)]
    if "features_seconds" in timing:
        done = "read from the cache" if timing.get("features_cache_hit") else f"{timing['features_seconds']:.2f} s"
        lines += ["", f"Frozen backbone's outputs for {timing['features_images']} images computed once: {done}."]
    return lines

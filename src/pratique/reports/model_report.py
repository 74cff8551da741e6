"""A model's evaluation as files: the report (JSON, Markdown, CSV) and its pictures (PNG).

`Model.evaluate(data, report=...)` and `pratique train` call this.
"""
from __future__ import annotations

import os

import torch

from ..models.outputs import output_kind, probabilities
from .class_scores import plot_class_scores
from .confusion import plot_confusion_matrix
from .curves import save_figure
from .decision_regions import plot_decision_regions
from .evaluation import EvaluationReport, evaluation_report, write_report
from .top_losses import TopLosses, plot_series_losses, plot_top_losses


@torch.no_grad()
def collect_predictions(module, batches, device=None, top: TopLosses | None = None):
    """(logits (N, C), targets (N,)) of `module` over `(x, y)` batches, in eval mode, on the CPU;
    the highest-loss samples are kept in `top` when given."""
    param = next(module.parameters(), None)
    device = device or (param.device if param is not None else "cpu")
    was_training = module.training
    module.eval()
    outs, targets = [], []
    try:
        for x, y in batches:
            out = module(x.to(device)).float()
            outs.append(out.cpu())
            targets.append(y.cpu())
            if top is not None:
                top.update(x, out, y)
    finally:
        module.train(was_training)
    return torch.cat(outs), torch.cat(targets)


def report_model(model, batches, logs: dict | None = None, directory=None) -> EvaluationReport:
    """Evaluate `model` on `batches` and return `{**logs, **evaluation_report}`; when
    `directory` is given, also write report.json/.md, confusion_matrix.csv, and the PNGs
    confusion_matrix.png, class_scores.png and top_losses.png there (decision_regions.png
    instead of top_losses.png for 2-D points, which are no pictures; series drawn as lines)."""
    kind = output_kind(model.module, getattr(model, "loss_fn", None))  # not a softmax of probabilities
    top, points = TopLosses(12, kind), []
    logits, targets = collect_predictions(model.module, _keep_points(batches, points), top=top)
    probs = probabilities(logits, kind)  # a binary head: (N, 2), so class 1 is "p > 0.5"
    report = EvaluationReport({**(logs or {}),
                               **evaluation_report(targets.reshape(-1).long(), probs, _names(model, probs))})
    if directory is not None:
        directory = os.fspath(directory)
        write_report(report, directory)
        figures = {
            "confusion_matrix.png": plot_confusion_matrix(report["confusion_matrix"], report["classes"]),
            "class_scores.png": plot_class_scores(report),
        }
        if points:
            x = torch.cat(points)
            figures["decision_regions.png"] = plot_decision_regions(
                model.module, x, targets, report["classes"], title="Decision regions (test points)")
        elif (getattr(model, "preprocessing", None) or {}).get("kind") == "series":  # lines, not images
            figures["top_losses.png"] = plot_series_losses(*top.result(), classes=report["classes"])
        else:
            figures["top_losses.png"] = plot_top_losses(*top.result(), classes=report["classes"])
        for name, fig in figures.items():
            save_figure(fig, os.path.join(directory, name))
    return report


def _keep_points(batches, points: list):
    """Pass `batches` through, keeping the inputs in `points` when they are (N, 2) points."""
    for x, y in batches:
        if x.dim() == 2 and x.shape[1] == 2:
            points.append(x.detach().cpu())
        yield x, y


def _names(model, probs) -> list | None:
    """The model's class names; none when they do not name the columns (a one-column binary
    head trained without names gives two columns, "0" and "1")."""
    classes = getattr(model, "classes", None)
    return list(classes) if classes is not None and len(classes) == probs.shape[1] else None

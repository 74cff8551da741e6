"""Anomaly reports: the ROC curve and its AUC, the signal with its anomaly scores under it.

Scores are anything where higher means more anomalous (reconstruction errors from
`pq.anomaly.score`); labels are 1 for an anomaly, 0 for normal.
"""
from __future__ import annotations

import json
import os

import numpy as np

from ..core.errors import PratiqueError
from ..core.io import atomic_write
from .curves import plt, save_figure

__all__ = ["anomaly_report", "plot_roc", "plot_signal_scores", "roc_auc", "roc_curve"]


def _scores_labels(scores, labels) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    y = np.asarray(labels).reshape(-1)
    if len(s) != len(y):
        raise PratiqueError(f"scores and labels must have one value per sample. Received "
                            f"{len(s)} scores and {len(y)} labels.")
    if not np.isfinite(s).all():
        raise PratiqueError("scores must be finite. Received NaN or inf; check the model's outputs.")
    if not np.isin(y, (0, 1)).all() or len(np.unique(y)) != 2:
        raise PratiqueError("labels must be 0 (normal) and 1 (anomaly), with both present (a ROC "
                            f"curve needs both). Received the values {np.unique(y)[:10].tolist()}.")
    return s, y.astype(bool)


def roc_curve(scores, labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate, thresholds), one point per distinct score, from
    the strictest threshold (inf: nothing flagged) down (scikit-learn's `roc_curve` without
    `drop_intermediate`). A sample is flagged when its score is >= the threshold."""
    s, y = _scores_labels(scores, labels)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the last index of each distinct score
    tp = np.cumsum(y)[last]
    fp = (last + 1) - tp
    tpr = np.r_[0.0, tp / y.sum()]
    fpr = np.r_[0.0, fp / (~y).sum()]
    return fpr, tpr, np.r_[np.inf, s[last]]


def roc_auc(scores, labels) -> float:
    """Area under the ROC curve: the chance that an anomaly scores above a normal sample (ties
    count one half)."""
    fpr, tpr, _ = roc_curve(scores, labels)
    return float(np.trapezoid(tpr, fpr))


def plot_roc(scores, labels, title: str | None = None):
    """The ROC curve with its AUC in the legend and the chance diagonal.

    Example:
        >>> fig = plot_roc(scores_test, y_test != normal_digit)
    """
    fpr, tpr, _ = roc_curve(scores, labels)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot(fpr, tpr, lw=2, label=f"AUC = {roc_auc(scores, labels):.3f}")
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=1, label="chance")
    ax.set(xlabel="false positive rate (normal flagged)", ylabel="true positive rate (anomalies found)",
           xlim=(0, 1), ylim=(0, 1.01), title=title or "ROC of the anomaly scores")
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def plot_signal_scores(signal, scores, labels=None, threshold: float | None = None,
                       title: str | None = None, zoom: int | None = None):
    """The signal on top, its anomaly score per point under it (same time axis); labelled
    anomalies shaded, the threshold drawn, the highest score marked.

    Args:
        signal: (L,) or (C, L).
        scores: (L,) per point (`pq.anomaly.score(model, signal, per="point")`).
        labels: (L,) 1 where an anomaly is labelled, or None.
        threshold: a line on the scores panel (`pq.anomaly.threshold`), or None.
        zoom: with an int, a third and fourth panel show `zoom` points around the highest score.
    """
    sig = np.atleast_2d(np.asarray(signal, dtype=np.float64))  # (C, L)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if sig.shape[1] != len(s):
        raise PratiqueError(f"scores must have one value per point of the signal. Received a signal "
                            f"of {sig.shape[1]} points and {len(s)} scores; use per='point'.")
    peak = int(np.nanargmax(s))
    spans = [(0, len(s))]
    if zoom:
        spans.append((max(0, peak - zoom // 2), min(len(s), peak + zoom // 2)))
    fig, axes = plt.subplots(2 * len(spans), 1, figsize=(12, 3.2 * len(spans)), squeeze=False,
                             gridspec_kw={"height_ratios": [3, 2] * len(spans)})
    for i, (lo, hi) in enumerate(spans):
        top, bottom = axes[2 * i, 0], axes[2 * i + 1, 0]
        t = np.arange(lo, hi)
        for c in sig:
            top.plot(t, c[lo:hi], lw=0.8)
        bottom.plot(t, s[lo:hi], color="tab:red", lw=0.8, label="anomaly score")
        if labels is not None:
            _shade(top, bottom, np.asarray(labels).reshape(-1), lo, hi)
        if threshold is not None:
            bottom.axhline(threshold, color="black", ls="--", lw=1, label=f"threshold {threshold:.3g}")
        if lo <= peak < hi:
            bottom.axvline(peak, color="tab:purple", lw=1, label=f"highest score at {peak}")
        top.set(ylabel="signal", xlim=(lo, hi - 1))
        bottom.set(ylabel="score", xlabel="time step", xlim=(lo, hi - 1))
        bottom.legend(loc="upper left", fontsize=8)
    axes[0, 0].set_title(title or "Signal and anomaly score per point")
    fig.tight_layout()
    return fig


def _shade(top, bottom, labels: np.ndarray, lo: int, hi: int) -> None:
    edges = np.diff(np.r_[0, labels[lo:hi].astype(int), 0])
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        for ax in (top, bottom):
            ax.axvspan(lo + start - 0.5, lo + stop - 0.5, color="orange", alpha=0.35,
                       label="labelled anomaly" if ax is top else None)
    if edges.any():
        top.legend(loc="upper left", fontsize=8)


def anomaly_report(scores, labels=None, threshold: float | None = None, signal=None,
                   out_dir=None) -> dict:
    """Figures of an anomaly detector: a dict, and with `out_dir` the files.

    Holds `auc` (with labels), `threshold` and `flagged` (how many scores exceed it), `argmax`
    (the index of the highest score). With `out_dir`: `anomaly.json`, `roc.png` (with labels)
    and `signal_scores.png` (with a `signal`).

    Example:
        >>> scores = pq.anomaly.score(model, x_test)
        >>> pq.anomaly.report(scores, labels=y_test != 1, threshold=t, out_dir="runs/anomaly")
    """
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    report = {"n": len(s), "argmax": int(np.nanargmax(s))}
    if labels is not None:
        report["auc"] = roc_auc(s, labels)
    if threshold is not None:
        report.update(threshold=float(threshold), flagged=int((s > threshold).sum()))
    if out_dir is None:
        return report
    os.makedirs(out_dir, exist_ok=True)
    if labels is not None:
        save_figure(plot_roc(s, labels), os.path.join(out_dir, "roc.png"))
    if signal is not None:
        fig = plot_signal_scores(signal, s, labels, threshold, zoom=600)
        save_figure(fig, os.path.join(out_dir, "signal_scores.png"))
    text = json.dumps(report, indent=2) + "\n"
    atomic_write(os.path.join(out_dir, "anomaly.json"), lambda f: f.write(text.encode()))
    return report

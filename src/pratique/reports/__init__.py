"""Pictures and reports of training and evaluation; each plot returns a matplotlib figure.

Names are imported on first use (matplotlib is not loaded by `import pratique`).

Example:
    >>> from pratique import reports
    >>> fig = reports.plot_confusion_matrix(cm, classes)
    >>> reports.save_figure(fig, "confusion_matrix.png")
"""
from __future__ import annotations

import importlib

_NAMES = {  # public name -> module that defines it
    "plot_history": "curves", "save_figure": "curves",
    "plot_confusion_matrix": "confusion",
    "plot_class_scores": "class_scores",
    "plot_top_losses": "top_losses", "plot_series_losses": "top_losses", "TopLosses": "top_losses",
    "plot_filters": "filters",
    "plot_feature_maps": "feature_maps", "layer_outputs": "feature_maps",
    "grad_cam": "gradcam", "explain": "gradcam",
    "plot_lr_find": "lr_find",
    "plot_decision_regions": "decision_regions",
    "plot_forecast": "forecast",
    "evaluation_report": "evaluation", "write_report": "evaluation",
    "confusion_matrix": "evaluation", "report_markdown": "evaluation",
    "report_model": "model_report",
    "plot_roc": "anomaly", "plot_signal_scores": "anomaly", "anomaly_report": "anomaly",
    "plot_reconstructions": "reconstructions",
}
__all__ = [  # noqa: RUF022  (grouped by concept, as _NAMES)
    "plot_history", "save_figure", "plot_confusion_matrix", "plot_class_scores",
    "plot_top_losses", "plot_series_losses", "TopLosses", "plot_filters", "plot_feature_maps", "layer_outputs",
    "grad_cam", "explain", "plot_lr_find", "plot_decision_regions", "plot_forecast", "evaluation_report",
    "write_report", "confusion_matrix", "report_markdown", "report_model",
    "plot_roc", "plot_signal_scores", "anomaly_report", "plot_reconstructions",
]


def __getattr__(name):
    if name not in _NAMES:
        raise AttributeError(f"module 'pratique.reports' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)


def __dir__():
    return __all__

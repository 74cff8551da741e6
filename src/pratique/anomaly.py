"""`pq.anomaly`: anomaly scores from autoencoders, a threshold chosen on normal data, reports.

Example:
    >>> model = pq.Model(pq.models.create_model("conv_autoencoder")).compile(loss="mse")
    >>> model.fit(x_normal, x_normal, epochs=20)
    >>> t = pq.anomaly.threshold(pq.anomaly.score(model, x_val_normal), quantile=0.99)
    >>> scores = pq.anomaly.score(model, x_test)                 # (N,)
    >>> pq.anomaly.report(scores, labels=is_anomaly, threshold=t, out_dir="runs/anomaly")
"""
from .reports.anomaly import anomaly_report as report
from .reports.anomaly import plot_roc, plot_signal_scores, roc_auc, roc_curve
from .reports.reconstructions import plot_reconstructions
from .tasks.anomaly import score, threshold

__all__ = ["plot_reconstructions", "plot_roc", "plot_signal_scores", "report", "roc_auc",
           "roc_curve", "score", "threshold"]

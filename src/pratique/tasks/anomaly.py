"""Anomaly scores from an autoencoder: how badly it reconstructs each sample, window or point.

An autoencoder trained on normal data only (`fit(x_normal, x_normal)`) reconstructs normal
inputs well and anomalies badly: the reconstruction error is the anomaly score. A threshold
is then chosen on normal data alone (`threshold(scores_on_normal, quantile=0.99)`).
"""
from __future__ import annotations

import numpy as np
import torch

from ..core.errors import PratiqueError
from ..data.windows import sliding_windows
from . import _inputs

__all__ = ["score", "threshold"]

PER = ("sample", "window", "point")


def score(model, data, per: str = "sample", window: int | None = None, stride: int = 1,
          batch_size: int = 256) -> np.ndarray:
    """Reconstruction error (mean squared error) of `model` on `data`; higher is more anomalous.

    The error is taken between the model's output and its input exactly as the model is fed
    it (uint8 images scaled to [0, 1], the model's normalization applied).

    Args:
        model: a `pq.Model` (or an `nn.Module`) whose output has its input's shape.
        data: per="sample": samples (N, ...) (images (N, H, W), windows (N, C, L)...).
            per="window" / "point": one long signal (L,) or (C, L), cut into windows with
            `pratique.data.windows.sliding_windows`.
        per: "sample" -> (N,) one error per sample; "window" -> one per window, in order;
            "point" -> (L,) the squared error at each point, averaged over every window that
            covers it (a last window is added so that the tail is covered).
        window: window length (default: the length the model was fit on, `model.input_shape`).
        stride: steps between two windows.
        batch_size: windows or samples per forward pass.

    Example:
        >>> model.fit(x_normal, x_normal, epochs=20)
        >>> t = pq.anomaly.threshold(pq.anomaly.score(model, x_normal), quantile=0.99)
        >>> flagged = pq.anomaly.score(model, x_new) > t
        >>> per_point = pq.anomaly.score(model, signal, per="point", window=64)
    """
    if per not in PER:
        raise PratiqueError(f"per must be one of {', '.join(PER)}. Received: per={per!r}")
    model = _as_model(model)
    if per == "sample":
        return _errors(model, data, batch_size).flatten(1).mean(1).numpy()
    signal = _signal(data)
    window = _window(model, window)
    x, _ = sliding_windows(signal, window, stride=stride)  # (N, C, window)
    starts = np.arange(len(x)) * stride
    if starts[-1] + window < signal.shape[-1]:  # the tail the stride left out
        x = np.concatenate([x, sliding_windows(signal[..., -window:], window)[0]])
        starts = np.r_[starts, signal.shape[-1] - window]
    err = _errors(model, x, batch_size)  # (N, ...) as the model takes windows
    if per == "window":
        return err.flatten(1).mean(1).numpy()
    err = err.reshape(len(x), -1, window).mean(1).numpy()  # (N, window): mean over channels
    total, count = np.zeros(signal.shape[-1]), np.zeros(signal.shape[-1])
    idx = starts[:, None] + np.arange(window)
    np.add.at(total, idx, err)
    np.add.at(count, idx, 1.0)
    return total / count


def threshold(scores_on_normal, quantile: float = 0.99) -> float:
    """The score above which a sample is called anomalous: the `quantile` of scores of normal
    data (held out from training, ideally), so about 1 - quantile of normal samples are flagged.

    Example:
        >>> t = pq.anomaly.threshold(pq.anomaly.score(model, x_val_normal), quantile=0.99)
    """
    s = np.asarray(scores_on_normal, dtype=np.float64).reshape(-1)
    if isinstance(quantile, bool) or not isinstance(quantile, (int, float)) or not 0 < quantile <= 1:
        raise PratiqueError(f"quantile must be in (0, 1]. Received: quantile={quantile!r}")
    if not len(s) or not np.isfinite(s).all():
        raise PratiqueError(f"threshold needs finite scores of normal data. Received {len(s)} scores"
                            f"{', some NaN or inf' if len(s) else ''}.")
    return float(np.quantile(s, quantile))


def _as_model(model):
    from torch import nn

    from .model import Model

    if isinstance(model, nn.Module):
        return Model(model)
    if not hasattr(model, "module"):
        raise PratiqueError("score takes a pq.Model or an nn.Module (an autoencoder). "
                            f"Received: {type(model).__name__}.")
    return model


def _signal(data) -> np.ndarray:
    s = np.asarray(data.detach().cpu() if hasattr(data, "detach") else data, dtype=np.float32)
    if s.ndim not in (1, 2):
        raise PratiqueError(f"per='window' and per='point' take one long signal (L,) or (C, L). "
                            f"Received shape {s.shape}; for samples (N, ...) use per='sample'.")
    return s


def _window(model, window) -> int:
    if window is not None:
        return window
    shape = model.input_shape
    if not shape:
        raise PratiqueError("score does not know the window length: the model was not fit on "
                            "windows. Pass window= (the length of the windows it was trained on).")
    return int(shape[-1])


@torch.no_grad()
def _errors(model, data, batch_size: int) -> torch.Tensor:
    """(output - input)^2 per element, for the inputs as the model sees them, in eval mode."""
    x, _ = _inputs.as_xy(_inputs.one_input(data, "score"), None, model)
    batches = _inputs.batches(x, None, batch_size, preprocessing=model.preprocessing)
    module = model.module
    device = next(module.parameters()).device
    was = module.training
    module.eval()
    errs = []
    try:
        for xb, _ in batches:
            xb = xb.to(device)
            out = module(xb)
            if out.shape != xb.shape:
                raise PratiqueError(
                    f"Anomaly scores need a model whose output has its input's shape (an "
                    f"autoencoder). Received outputs of shape {tuple(out.shape)} for inputs of "
                    f"shape {tuple(xb.shape)}. Use one of pq.models.list_models() tagged autoencoder.")
            errs.append((out.float() - xb.float()).pow(2).cpu())
    finally:
        module.train(was)
    return torch.cat(errs)

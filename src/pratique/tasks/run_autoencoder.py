"""`pratique train --task autoencoder`: an autoencoder fit on normal data only, then anomaly
scores on the test split (reconstruction errors), a threshold from normal training data, the
ROC AUC, and pictures. Two kinds of `--data`:

- labelled images (`--data mnist5k --normal 1`): fit on the training images of the normal class;
  each test image is an anomaly unless it is of that class.
- one long signal (`--data internalbleeding16`, kind "anomaly"): fit on windows of its normal
  training part (normalized with its statistics, saved with the model); per-point scores on the
  test part, whose highest point is compared with the labelled anomaly.
"""
from __future__ import annotations

import dataclasses
import json
import os

import numpy as np

from ..config import TrainConfig
from ..core.errors import PratiqueError
from ..core.io import atomic_write
from ..data.datasets import dataset_info, load_data
from ..models.registry import MODELS, get_model_card
from .anomaly import score, threshold

__all__ = ["train_autoencoder"]

# defaults for the keys not given (Adam 1e-3 constant, as tests/tasks/test_autoencoder_results.py)
_IMAGE = {"model": "conv_autoencoder", "epochs": 20, "batch_size": 32, "lr": 1e-3, "schedule": None}
_SIGNAL = {"model": "conv1d_autoencoder", "epochs": 20, "batch_size": 32, "lr": 1e-3, "schedule": None}
WINDOW, STRIDE = 64, 4  # windows of the signal; the archive's rule: the peak within 100 points
QUANTILE = 0.99  # threshold: the 99th percentile of the normal training data's scores


def _check(config: TrainConfig, given: set[str]) -> tuple[TrainConfig, str]:
    """(config with defaults filled, kind "image" or "anomaly"), refused before any work."""
    if config.data not in _names() or dataset_info(config.data)["kind"] not in ("image", "anomaly"):
        raise PratiqueError(f"--task autoencoder takes a labelled image dataset with --normal (like "
                            f"mnist5k) or a signal of kind 'anomaly' (internalbleeding16). Received: "
                            f"--data {config.data!r}.")
    kind = dataset_info(config.data)["kind"]
    if kind == "image" and config.normal is None:
        raise PratiqueError(f"--task autoencoder on {config.data!r} needs --normal: the class it learns "
                            "as normal (the others are the anomalies). Received none. Pass e.g. --normal 1.")
    if kind == "anomaly" and config.normal is not None:
        raise PratiqueError(f"{config.data!r} labels its anomalies itself; --normal is for labelled "
                            f"images. Received: --normal {config.normal!r}. Drop it.")
    if config.resume:
        raise PratiqueError("--resume continues a classification run; an autoencoder run starts "
                            "afresh. Drop --resume.")
    defaults = _IMAGE if kind == "image" else _SIGNAL
    config = dataclasses.replace(config, **{k: v for k, v in defaults.items() if k not in given})
    if "autoencoder" not in get_model_card(config.model).tags:
        names = sorted(n for n, c in MODELS.items() if "autoencoder" in c.tags)
        raise PratiqueError(f"--task autoencoder needs an autoencoder. Received: --model {config.model!r}. "
                            f"Use one of: {', '.join(names)}.")
    return config, kind


def _names():
    from ..data.datasets import list_datasets

    return list_datasets()


def _normal_index(normal, classes) -> int:
    names = [str(c) for c in classes]
    if str(normal) in names:
        return names.index(str(normal))
    raise PratiqueError(f"--normal {normal!r} is not a class of this data. Expected one of: "
                        f"{', '.join(names)}.")


def train_autoencoder(config: TrainConfig, given: set[str], run_dir_fn) -> dict:
    """Fit, score and report; `run_dir_fn(config)` makes the run directory (after the checks)."""
    from ..core.seed import seed_everything

    config, kind = _check(config, given)
    (x, y), (xt, yt) = load_data(config.data)
    seed_everything(config.seed)
    if kind == "image":
        normal = _normal_index(config.normal, dataset_info(config.data)["classes"] or range(int(y.max()) + 1))
        train, fit_on, model = x[y == normal], None, None
        model = _model(config, input_size=int(x.shape[1]), in_channels=1 if x.ndim == 3 else x.shape[-1])
    else:
        from ..data.series import SeriesData

        fit_on = SeriesData.from_series(x, window=WINDOW, stride=STRIDE, normalize="channel",
                                        batch_size=config.batch_size, seed=config.seed,
                                        val_split=config.validation_split or None)
        model = _model(config, input_size=WINDOW, in_channels=1)
    run_dir, name = run_dir_fn(config)
    recipe = config.recipe(name).to_yaml().encode()
    atomic_write(os.path.join(run_dir, "config.yaml"), lambda f: f.write(recipe))
    print(f"run directory: {run_dir}")
    callbacks = _callbacks(run_dir)
    if kind == "image":
        model.fit(train, train, epochs=config.epochs, batch_size=config.batch_size, seed=config.seed,
                  validation_split=config.validation_split, callbacks=callbacks)
        report = _image_report(model, train, xt, yt, normal, run_dir)
    else:
        model.fit(fit_on, epochs=config.epochs, seed=config.seed, callbacks=callbacks)
        report = _signal_report(model, x, xt, yt, run_dir)
    text = json.dumps(report, indent=2) + "\n"
    atomic_write(os.path.join(run_dir, "report.json"), lambda f: f.write(text.encode()))
    print("; ".join(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}" for k, v in report.items()))
    return {"run_dir": run_dir, "test": report, "model": model}


def _model(config: TrainConfig, input_size: int, in_channels: int):
    from ..models.registry import create_model
    from .model import Model

    kwargs = {"in_channels": in_channels, "input_size": input_size}
    model = Model(create_model(config.model, **kwargs))
    model.architecture = {"name": config.model, "kwargs": kwargs}  # best.pratique rebuilds it by name
    model.accelerator, model.devices = config.accelerator, config.devices
    model.compile(optimizer=config.optimizer, lr=config.lr, schedule=config.schedule, loss="mse",
                  terminate_on_nan=True, precision=config.precision)
    return model


def _callbacks(run_dir: str) -> list:
    from ..training.callbacks import CSVLogger, ModelCheckpoint

    return [CSVLogger(os.path.join(run_dir, "metrics.csv")),
            ModelCheckpoint(os.path.join(run_dir, "best.pratique"), monitor="val_loss",
                            save_best_only=True)]


def _image_report(model, train, xt, yt, normal: int, run_dir: str) -> dict:
    from ..reports.anomaly import anomaly_report
    from ..reports.curves import save_figure
    from ..reports.reconstructions import plot_reconstructions

    t = threshold(score(model, train), quantile=QUANTILE)
    scores = score(model, xt)
    report = anomaly_report(scores, labels=yt != normal, threshold=t, out_dir=run_dir)  # roc.png
    order = np.r_[np.flatnonzero(yt == normal)[:6], np.argsort(-scores)[:6]]  # normal, then worst
    out = model.predict(xt[order])
    fig = plot_reconstructions({"input": xt[order], "reconstruction": out},
                               title="Normal test images (left 6), highest scores (right 6)")
    save_figure(fig, os.path.join(run_dir, "reconstructions.png"))
    return {"task": "autoencoder", "normal": normal, "auc": report["auc"], "threshold": t,
            "flagged": report["flagged"], "num_samples": report["n"],
            "flagged_normal": int((scores[yt == normal] > t).sum()),
            "flagged_anomalies": int((scores[yt != normal] > t).sum())}


def _signal_report(model, train, test, is_anomaly, run_dir: str) -> dict:
    from ..reports.anomaly import anomaly_report

    t = threshold(score(model, train, per="point"), quantile=QUANTILE)
    scores = score(model, test, per="point")  # (L,): raw signal, the saved normalization
    report = anomaly_report(scores, labels=is_anomaly, threshold=t, signal=test, out_dir=run_dir)
    lo, hi = (int(i) for i in np.flatnonzero(is_anomaly)[[0, -1]])
    peak = report["argmax"]
    distance = max(lo - peak, peak - hi, 0)
    return {"task": "autoencoder", "auc": report["auc"], "threshold": t, "argmax": peak,
            "anomaly_start": lo, "anomaly_end": hi, "distance": distance,
            "within_100": bool(distance <= 100), "num_points": report["n"]}

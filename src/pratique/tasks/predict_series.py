"""Prediction on a CSV of series (one per row) with a series model (`.pratique` or `.onnx`).

The rows go through the model's own `Preprocessing` (kind "series": the normalization saved
with it), as training did; each becomes a row of the usual predictions table, its `path` being
`file.csv:line`.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import torch

from ..core.errors import PratiqueError
from ..data._series_arrays import as_series
from ..data._series_files import read_rows
from ._runners import class_names, open_runner

__all__ = ["predict_series_rows", "series_runner"]


def series_runner(model, trust: bool = False):
    """The model's runner when it takes series (its preprocessing kind is "series"), else None."""
    runner = open_runner(model, trust=trust)
    return runner if getattr(runner.preprocess, "kind", None) == "series" else None


def read_series_csv(path: str, length: int) -> tuple[list[np.ndarray], list | None]:
    """(series, labels or None): rows of values; a row one longer than the model's `length`
    (UCR's files: the label first) has its first cell read as the label, and that is said."""
    if not (os.path.isfile(path) and path.lower().endswith((".csv", ".tsv", ".txt"))):
        raise PratiqueError(f"A series model predicts on a CSV of series, one per row. Received: "
                            f"{path!r}. Pass a .csv file (values of one series per row).")
    series, _ = read_rows(path, label_column=None)
    if all(len(s) == length + 1 for s in series):
        print(f"{path}: every row holds {length + 1} values and the model takes {length}: the "
              "first column is read as the label")
        series, labels = read_rows(path, label_column=0)
        return series, labels
    return series, None


def predict_series_rows(runner, path: str, top_k: int = 1, batch_size: int = 64) -> Iterator[dict]:
    """One row per series: {"path": "file.csv:N", "label", "probability", "top_k", "error"}
    (plus "true" when the file holds labels)."""
    from ..models.outputs import probabilities

    channels, length = (int(s) for s in runner.preprocess.config["input_shape"])
    if channels != 1:
        raise PratiqueError(f"The model takes {channels}-channel series; a CSV row holds one channel. "
                            "Predict in Python: model.predict(x) with x (N, C, L).")
    series, labels = read_series_csv(path, length)
    x = runner.preprocess.series(as_series(series, "ncl", f"series in {path!r}"), layout="ncl")
    if x.shape[-1] != length:
        raise PratiqueError(f"The model was trained on series of {length} steps; {path!r} holds "
                            f"{x.shape[-1]}. Pass series of {length} values per row.")
    classes = class_names(runner)
    kind = getattr(runner, "outputs", "logits")
    for start in range(0, len(x), batch_size):
        p = probabilities(torch.as_tensor(runner(x[start:start + batch_size])).float(), kind).numpy()
        for i, row in enumerate(p, start):
            order = np.argsort(-row, kind="stable")[:top_k]
            top = [(classes[j], float(row[j])) for j in order]
            out = {"path": f"{path}:{i + 1}", "label": top[0][0], "probability": top[0][1],
                   "top_k": top, "error": None}
            if labels is not None:
                out["true"] = labels[i]
            yield out

"""Prediction on image files: a file, a list, a folder (recursive), a glob or a CSV of paths.

Files stream in batches (constant memory), each read through the model's `Preprocessing`
(data/preprocess.py: the very path training takes) in the calling thread, and each batch is
normalized whole. A file that cannot be read
becomes a row with its error. Models are `.pratique` files or Models, `.onnx` files (run through
onnxruntime) or TorchScript files written by `export`.
"""
from __future__ import annotations

import csv
import glob
import io
import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from ..core.errors import PratiqueError
from ..core.io import atomic_write
from ..data.decode import IMAGE_EXTENSIONS
from ..models.outputs import probabilities
from ._runners import class_names, open_runner


def iter_paths(source) -> Iterator[str]:
    """The image files named by `source`, lazily: a file, a folder (recursive, sorted), a glob
    ("photos/**/*.jpg"), a CSV (column `path`, else the first) or a list of any of these."""
    if isinstance(source, (list, tuple)):
        for s in source:
            yield from iter_paths(s)
        return
    source = os.fspath(source)
    if os.path.isdir(source):
        for root, dirs, files in os.walk(source):
            dirs.sort()
            yield from (os.path.join(root, f) for f in sorted(files) if f.lower().endswith(IMAGE_EXTENSIONS))
    elif source.lower().endswith(".csv") and os.path.isfile(source):
        yield from _csv_paths(source)
    elif os.path.exists(source):
        yield source  # a file that turns out not to be an image gets a row with its error
    elif glob.has_magic(source):
        matches = sorted(glob.iglob(source, recursive=True))
        if not matches:
            raise FileNotFoundError(f"The pattern {source!r} matches no files.")
        yield from (m for m in matches if os.path.isfile(m))
    else:
        raise FileNotFoundError(f"No such file or folder: {source!r}. Expected an image, a folder, "
                                "a glob like 'photos/*.jpg' or a CSV of paths.")


def _csv_paths(path: str) -> Iterator[str]:
    root = os.path.dirname(path)
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        lower = [h.strip().lower() for h in header]
        col = next((lower.index(c) for c in ("path", "file", "image", "filename") if c in lower), None)
        if col is None:  # no header naming a column: the first column holds paths, header included
            col = 0
            if header:
                yield os.path.join(root, header[0])
        for row in reader:
            if row:
                yield os.path.join(root, row[col])


def _batches(paths: Iterable[str], batch_size: int, load, workers: int, prefetch: bool):
    """(paths, tensors-or-errors) per batch, decoded by `workers` threads. With `prefetch` the next
    batch decodes while the model runs: right when the model runs on a GPU. On the CPU pass
    workers=0: torch ops in decoding threads beside the model's own threads ran at 0.57x a plain
    one-file-after-another loop (bench/predict_throughput.py)."""
    def load_safe(p):
        try:
            return load(p)
        except Exception as e:  # noqa: BLE001  (any unreadable file becomes a row, never a crash)
            return e

    def chunks():
        chunk = []
        for p in paths:
            chunk.append(p)
            if len(chunk) == batch_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    if not workers:  # in this thread, one file after another
        for chunk in chunks():
            yield chunk, [load_safe(p) for p in chunk]
        return
    with ThreadPoolExecutor(workers) as pool:
        pending = None
        for chunk in chunks():
            future = (chunk, [pool.submit(load_safe, p) for p in chunk])
            if not prefetch:
                pending, future = future, None
            if pending is not None:
                yield pending[0], [f.result() for f in pending[1]]
            pending = future
        if pending is not None:
            yield pending[0], [f.result() for f in pending[1]]


def predict_rows(model, source, top_k: int = 1, batch_size: int = 64, tta: bool = False,
                 multi_label: bool = False, threshold=0.5, workers: int | None = None,
                 progress=None, trust: bool = False) -> Iterator[dict]:
    """Predict on image files, one row per file, streaming (constant memory).

    Each row: {"path", "label", "probability", "top_k": [(label, probability)...], "error"};
    multi-label rows hold every label whose sigmoid probability reaches `threshold` (a float, or
    one per class) as lists. A file that cannot be read gives a row with its `error`.

    Args:
        model: a Model, or a path to a `.pratique`, `.onnx` or TorchScript file.
        source: a file, folder, glob, CSV of paths, or a list of them.
        top_k: how many best classes to list per file.
        batch_size: files per batch.
        tta: average the predictions of each image and its horizontal flip.
        multi_label: sigmoid per class instead of softmax over classes.
        threshold: multi-label decision threshold.
        trust: open a TorchScript file, whose loading runs the code it holds (refused otherwise).
        workers: decoding threads (default: none on the CPU, up to 4 beside a GPU).

    Example:
        >>> for row in predict_rows("best.pratique", "photos/", top_k=3): print(row)
    """
    runner = open_runner(model, trust=trust)
    classes = class_names(runner)
    thr = _thresholds(threshold, len(classes)) if multi_label else None
    k = max(1, min(int(top_k), len(classes)))
    on_gpu = getattr(getattr(runner, "fabric", None), "device", torch.device("cpu")).type != "cpu"
    workers = (min(4, os.cpu_count() or 1) if on_gpu else 0) if workers is None else workers

    pre = runner.preprocess
    for paths, items in _batches(iter_paths(source), batch_size, pre.read, workers, prefetch=on_gpu):
        good = [i for i, t in enumerate(items) if isinstance(t, torch.Tensor)]
        x = pre.normalize(torch.stack([items[i] for i in good])) if good else None
        probs = _probabilities(runner, x, tta, multi_label) if good else None
        for j, i in enumerate(good):
            items[i] = _row(paths[i], probs[j], classes, k, thr)
        for i, item in enumerate(items):
            if isinstance(item, Exception):
                items[i] = {"path": paths[i], "label": None, "probability": None, "top_k": [],
                            "error": f"{type(item).__name__}: {item}"}
        if progress is not None:
            progress(len(paths))
        yield from items


def _probabilities(runner, x: torch.Tensor, tta: bool, multi_label: bool) -> np.ndarray:
    kind = getattr(runner, "outputs", "logits")  # a softmax of probabilities would flatten them
    act = torch.sigmoid if multi_label else (lambda t: probabilities(t, kind))
    p = act(torch.as_tensor(runner(x)).float())
    if tta:
        p = (p + act(torch.as_tensor(runner(x.flip(-1))).float())) / 2
    return p.numpy()


def _thresholds(threshold, n: int) -> np.ndarray:
    t = np.asarray(threshold, dtype=np.float64).reshape(-1)
    if t.size not in (1, n) or not ((t >= 0) & (t <= 1)).all():
        raise PratiqueError(f"threshold must be a probability in [0, 1], or one per class ({n}). "
                            f"Received: {threshold!r}")
    return np.broadcast_to(t, (n,))


def _row(path: str, p: np.ndarray, classes: list, k: int, thr) -> dict:
    order = np.argsort(-p, kind="stable")[:k]
    top = [(classes[i], float(p[i])) for i in order]
    if thr is None:
        return {"path": path, "label": top[0][0], "probability": top[0][1], "top_k": top, "error": None}
    on = [i for i in range(len(classes)) if p[i] >= thr[i]]
    return {"path": path, "label": [classes[i] for i in on], "probability": [float(p[i]) for i in on],
            "top_k": top, "error": None}


def file_logits(model, source, batch_size: int = 64) -> np.ndarray:
    """Logits (N, K) for the files of `source`, in order; raises a PratiqueError naming every
    unreadable file (use `predict_rows` to get a row with its error instead)."""
    runner = open_runner(model)
    outs, bad = [], []
    pre = runner.preprocess
    for paths, items in _batches(iter_paths(source), batch_size, pre.read, 0, prefetch=False):
        bad += [f"{p}: {t}" for p, t in zip(paths, items) if isinstance(t, Exception)]
        if not bad:
            outs.append(torch.as_tensor(runner(pre.normalize(torch.stack(items)))).float())
    if bad:
        raise PratiqueError(f"{len(bad)} files cannot be read: {bad[:5]}. Fix or remove them, or use "
                            "pratique.tasks.predict.predict_rows, which gives each its own error row.")
    if not outs:
        raise PratiqueError(f"No image files found in {source!r}.")
    return torch.cat(outs).numpy()


def count_files(source) -> int:
    """How many files `source` names (a first, cheap pass for the progress bar)."""
    return sum(1 for _ in iter_paths(source))


def write_rows(rows: Iterable[dict], path: str) -> int:
    """Stream rows to `path`: `.csv` (path,label,probability,top_k,error) or `.json`; returns count.
    The file is written atomically: an error halfway leaves no partial file, and any previous
    `path` intact."""
    path = os.fspath(path)
    if not path.lower().endswith((".csv", ".json")):
        raise PratiqueError(f"--out must end in .csv or .json. Received: {path!r}")
    count = [0]

    def write(raw) -> None:  # atomic: a failure halfway leaves the previous file as it was
        f = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            count[0] = (_write_csv if path.lower().endswith(".csv") else _write_json)(rows, f)
        finally:
            f.flush()
            f.detach()  # atomic_write closes and fsyncs the binary file itself

    atomic_write(path, write)
    return count[0]


def _write_csv(rows: Iterable[dict], f) -> int:
    n = 0
    writer = csv.writer(f)
    writer.writerow(["path", "label", "probability", "top_k", "error"])
    for n, r in enumerate(rows, 1):
        writer.writerow([r["path"], _cell(r["label"]), _cell(r["probability"]),
                         ";".join(f"{lab}:{p:.6f}" for lab, p in r["top_k"]), r["error"] or ""])
    return n


def _write_json(rows: Iterable[dict], f) -> int:
    n = 0
    f.write("[")
    for n, r in enumerate(rows, 1):
        item = {**r, "top_k": [{"label": lab, "probability": p} for lab, p in r["top_k"]]}
        f.write(("," if n > 1 else "") + "\n  " + json.dumps(item))
    f.write("\n]\n")
    return n


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ";".join(_cell(x) for x in v)
    return f"{v:.6f}" if isinstance(v, float) else str(v)


def predict(model, source, out: str | None = None, **options) -> list[dict] | int:
    """Predict on files: the rows as a list, or, with `out`, streamed to a CSV/JSON file (returns
    the number of rows). Options as in `predict_rows` (top_k, batch_size, tta, multi_label, threshold).

    Example:
        >>> predict("best.pratique", "photos/", out="preds.csv", top_k=3)
    """
    rows = predict_rows(model, source, **options)
    return write_rows(rows, out) if out else list(rows)

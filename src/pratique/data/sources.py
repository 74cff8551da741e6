"""ONE loader: whatever the user has becomes a table of (source, label) per split.

A source is a file path, a row of an in-memory tensor, or an item of a torch Dataset. The
`from_*` constructors of ImageData are thin adapters that build {split: (sources, labels)}.
"""
from __future__ import annotations

import csv
import os

import numpy as np
import torch

from ..core.errors import PratiqueError
from .decode import IMAGE_EXTENSIONS, is_image_file

VAL_NAMES = ("val", "valid", "validation")


def _require_dir(path, what: str) -> str:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise PratiqueError(f"{what} {path!r} does not exist. Pass a folder holding one subfolder "
                            "per class (e.g. data/cat/*.jpg, data/dog/*.jpg).")
    if not os.path.isdir(path):
        raise PratiqueError(f"{what} {path!r} is a file, not a folder of class folders.")
    return path


def list_class_folders(root) -> tuple[list[str], list[str], list[str], list[str]]:
    """(paths, label names, empty classes, non-image files) of a root of class folders.
    Hidden folders and files (.ipynb_checkpoints, .DS_Store) are never classes or samples."""
    root = _require_dir(root, "Folder")
    classes = sorted(d for d in os.listdir(root)
                     if not d.startswith(".") and os.path.isdir(os.path.join(root, d)))
    if not classes:
        raise PratiqueError(f"Folder {root!r} holds no class folders. Expected one subfolder per "
                            f"class, e.g. {root}/cat/1.jpg, {root}/dog/2.jpg.")
    paths, labels, empty, others = [], [], [], []
    for c in classes:
        n = 0
        for dirpath, dirnames, files in os.walk(os.path.join(root, c)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in sorted(files):
                if f.startswith("."):
                    continue
                p = os.path.join(dirpath, f)
                if is_image_file(f):
                    paths.append(p)
                    labels.append(c)
                    n += 1
                else:
                    others.append(p)
        if n == 0:
            empty.append(c)
    if not paths:  # nothing to train on: say so, not a raw error from deep in the loader
        raise PratiqueError(
            f"Folder {root!r} has class folders {classes[:10]} but no image files in any of them. "
            f"Expected images ending in {', '.join(IMAGE_EXTENSIONS)} inside each class folder"
            + (f"; found {len(others)} other files, e.g. {others[0]!r}." if others else "."))
    return paths, labels, empty, others


def folder_layout(root) -> dict[str, str]:
    """{split: folder}: a root with train/ and val|valid|validation/ and test/ subfolders, or a
    root of class folders (then {"train": root})."""
    root = _require_dir(root, "Folder")
    subs = {d.lower(): os.path.join(root, d) for d in os.listdir(root)
            if os.path.isdir(os.path.join(root, d))}
    if "train" not in subs:
        return {"train": root}
    layout = {"train": subs["train"]}
    for name in VAL_NAMES:
        if name in subs:
            layout["val"] = subs[name]
            break
    if "test" in subs:
        layout["test"] = subs["test"]
    return layout


def encode_labels(split_labels: dict[str, list], classes: list[str] | None = None):
    """Turn raw labels per split (str/int, or lists of them for multi-label) into tensors.

    Returns (classes, {split: tensor}, multi_label): int64 (N,) indices or float (N, K) multi-hot.
    Classes are the sorted training labels unless given; val/test labels outside them are errors.
    """
    train = split_labels["train"]
    multi = any(isinstance(v, (list, tuple, set, frozenset)) for v in train)
    as_sets = {s: [_label_set(v) if multi else {_label_str(v)} for v in vals]
               for s, vals in split_labels.items()}
    if classes is None:
        names = set().union(*as_sets["train"]) if train else set()
        classes = sorted(names, key=lambda c: (0, int(c), c) if c.lstrip("-").isdigit() else (1, 0, c))
    index = {c: i for i, c in enumerate(classes)}
    out = {}
    for split, sets in as_sets.items():
        unknown = sorted({c for s in sets for c in s} - set(index))
        if unknown:
            raise PratiqueError(f"{split} has labels that training does not: {unknown[:10]}. "
                                f"Training classes: {classes[:20]}. Every {split} class needs "
                                "training examples (or pass classes=[...]).")
        if multi:
            y = torch.zeros(len(sets), len(classes))
            for i, s in enumerate(sets):
                y[i, [index[c] for c in s]] = 1.0
        else:
            y = torch.tensor([index[next(iter(s))] for s in sets], dtype=torch.int64)
        out[split] = y
    return list(classes), out, multi


def _label_str(v) -> str:
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return str(int(v))
    return str(v)


def _label_set(v) -> set:
    return {_label_str(c) for c in (v if isinstance(v, (list, tuple, set, frozenset)) else [v])}


def read_csv(path, input_field: str, target_fields, root=None) -> tuple[list[str], list]:
    """(paths, labels) from a CSV: one target column gives one label per row; several target
    columns (0/1 values) give a list of labels per row (multi-label)."""
    if not os.path.isfile(path):
        raise PratiqueError(f"CSV file {os.fspath(path)!r} does not exist.")
    fields = [target_fields] if isinstance(target_fields, str) else list(target_fields)
    root = os.path.dirname(os.fspath(path)) if root is None else os.fspath(root)
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise PratiqueError(f"CSV file {os.fspath(path)!r} has no rows.")
    missing = [c for c in [input_field, *fields] if c not in rows[0]]
    if missing:
        raise PratiqueError(f"CSV {os.fspath(path)!r} has no column(s) {missing}. "
                            f"Its columns: {list(rows[0])}.")
    _refuse_empty_cells(path, rows, [input_field, *fields[:1]] if len(fields) == 1 else [input_field])
    paths = [os.path.join(root, r[input_field]) for r in rows]
    if len(fields) == 1:
        return paths, [r[fields[0]] for r in rows]
    truthy = {"1", "1.0", "true", "yes", "y"}
    return paths, [[c for c in fields if str(r[c]).strip().lower() in truthy] for r in rows]


def _refuse_empty_cells(path, rows: list[dict], columns: list[str]) -> None:
    """An empty label would become a class named '' and an empty path the CSV's folder: refuse
    them, naming the lines (the header is line 1)."""
    for column in columns:
        lines = [n for n, r in enumerate(rows, 2) if not (r.get(column) or "").strip()]
        if lines:
            shown = ", ".join(map(str, lines[:20])) + (", ..." if len(lines) > 20 else "")
            raise PratiqueError(
                f"CSV {os.fspath(path)!r} has {len(lines)} row(s) with an empty {column!r}: "
                f"line(s) {shown}. Expected a value in every row; fill them in or delete those rows.")


def check_arrays(x, y, what: str = "x"):
    """Validate an (x, y) pair of arrays/tensors -> (x tensor, y tensor); x is images (N, C, H, W)
    (from (N, H, W), (N, H, W, C) or (N, C, H, W)) or feature vectors (N, D)."""
    x, y = _as_tensor(x, what), _as_tensor(y, "y")
    if x.dtype not in (torch.uint8, torch.float32, torch.float64, torch.float16):
        raise PratiqueError(f"{what} must be uint8 images or floats. Received dtype={x.dtype}.")
    if x.dim() == 3:
        x = x.unsqueeze(1)
    elif x.dim() == 4 and x.shape[-1] in (1, 3, 4) and x.shape[1] not in (1, 3, 4):
        x = x.permute(0, 3, 1, 2)
    elif x.dim() not in (2, 4):
        raise PratiqueError(f"{what} must have shape (N, H, W), (N, H, W, C), (N, C, H, W) or "
                            f"(N, features). Received shape {tuple(x.shape)}.")
    if x.is_floating_point():
        _check_float_values(x, what, images=x.dim() == 4)
    if len(x) != len(y):
        raise PratiqueError(f"{what} and y must have the same length. Received: {len(x)} samples "
                            f"and {len(y)} labels.")
    if y.dim() not in (1, 2):
        raise PratiqueError(f"y must be class indices (N,) or multi-hot (N, K). Received shape {tuple(y.shape)}.")
    if y.is_floating_point() and y.dim() == 1:
        if not torch.equal(y, y.round()):
            raise PratiqueError("y holds fractional values; pass integer class indices.")
        y = y.long()
    return x.contiguous(), (y.long() if y.dim() == 1 else y.float())


def _check_float_values(x: torch.Tensor, what: str, images: bool) -> None:
    bad = int((~torch.isfinite(x)).sum())
    if bad:
        raise PratiqueError(f"{what} holds {bad} NaN or infinite values. Expected finite numbers; "
                            "replace or drop those samples (e.g. np.nan_to_num).")
    # 0..255 kept as floats would train on values 255x too large; standardized images (with
    # negative values) are the user's own normalization and pass as they are
    if images and len(x) and float(x.min()) >= 0.0 and float(x.max()) > 1.0:
        raise PratiqueError(f"{what}: float images must hold values in [0, 1] (or be standardized). "
                            f"Received values in [{float(x.min()):g}, {float(x.max()):g}]. For 0..255 "
                            "values divide by 255 or pass uint8 arrays.")


def _as_tensor(a, what: str) -> torch.Tensor:
    if isinstance(a, torch.Tensor):
        return a
    a = np.asarray(a)
    if a.dtype == object or a.dtype.kind in "USO":
        raise PratiqueError(f"{what} must be numeric. Received dtype={a.dtype}.")
    if a.dtype.kind == "b":
        a = a.astype(np.uint8)
    return torch.from_numpy(np.ascontiguousarray(a))


def check_label_range(y: torch.Tensor, num_classes: int, split: str) -> None:
    if y.dim() == 1 and len(y) and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise PratiqueError(f"{split} labels out of range: found {int(y.min())}..{int(y.max())}, "
                            f"expected 0..{num_classes - 1} for {num_classes} classes.")


def to_uint8_image(img, color_mode: str, size) -> torch.Tensor:
    """A Dataset item's image (PIL, tensor (C, H, W) float in [0, 1] or uint8, or array (H, W[, C]))
    -> uint8 (C, H, W) in `color_mode` at `size`."""
    from .preprocess import match_channels, resize_uint8

    if hasattr(img, "convert"):  # PIL
        img = np.asarray(img.convert("L" if color_mode == "grayscale" else "RGB"))
    if isinstance(img, np.ndarray):
        img = torch.from_numpy(np.ascontiguousarray(img))
        img = img.unsqueeze(0) if img.dim() == 2 else img.permute(2, 0, 1)
    if not isinstance(img, torch.Tensor):
        raise PratiqueError(f"Dataset items must be (image, label) with a PIL image, array or tensor. "
                            f"Received image of type {type(img).__name__}.")
    if img.dim() == 2:
        img = img.unsqueeze(0)
    if img.is_floating_point():
        img = (img * 255).round().clamp(0, 255).to(torch.uint8)
    img = match_channels(img.unsqueeze(0), 1 if color_mode == "grayscale" else 3)[0]
    return resize_uint8(img, size) if size is not None else img


def _is_index(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def are_indices(labels: list) -> bool:
    """True when every label is an int (class index), not a name or a list (multi-label)."""
    return bool(labels) and all(_is_index(v) for v in labels)


def as_indices(labels: list, split: str) -> torch.Tensor:
    odd = [v for v in labels if not _is_index(v)]
    if odd:
        raise PratiqueError(f"{split} labels must be class indices (ints), as the training labels "
                            f"are. Received e.g. {odd[0]!r}.")
    return torch.tensor([int(v) for v in labels], dtype=torch.int64)


def dataset_labels(ds) -> list:
    """Labels of a torch Dataset: its `targets` attribute when it has one, else one pass over it."""
    if not hasattr(ds, "__len__") or not hasattr(ds, "__getitem__"):
        raise PratiqueError(f"from_dataset needs a map-style torch Dataset (with __len__ and "
                            f"__getitem__). Received {type(ds).__name__}.")
    targets = getattr(ds, "targets", None)
    if targets is not None and len(targets) == len(ds):
        return [t.tolist() if isinstance(t, torch.Tensor) else t for t in targets]
    labels = []
    for i in range(len(ds)):
        item = ds[i]
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise PratiqueError(f"Dataset items must be (image, label) pairs. Item {i} is {type(item).__name__}.")
        lab = item[1]
        labels.append(lab.tolist() if isinstance(lab, torch.Tensor) else lab)
    return labels

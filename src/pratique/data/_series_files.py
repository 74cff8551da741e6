"""Series from CSV files: one series per row (a label column + values, UCR's layout), or one file
per series (rows = time steps, columns = channels) in class folders. Errors name file and line."""
from __future__ import annotations

import csv
import os

import numpy as np

from ..core.errors import PratiqueError
from . import sources as src

SERIES_EXTENSIONS = (".csv", ".tsv", ".txt")


def _rows(path):
    """(line number, cells) of every non-blank row; tab-separated for .tsv, else sniffed , ; or tab."""
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise PratiqueError(f"Cannot read {path!r}: {e}. Expected a text CSV file.") from e
    first = text.split("\n", 1)[0]
    delimiter = "\t" if path.endswith(".tsv") else max(",;\t", key=first.count)
    rows = csv.reader(text.splitlines(), delimiter=delimiter)
    out = [(i, [c.strip() for c in row]) for i, row in enumerate(rows, 1) if any(c.strip() for c in row)]
    if not out:
        raise PratiqueError(f"{path!r} is empty. Expected rows of numbers.")
    return out


def _number(cell: str, path, line: int, column: int) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise PratiqueError(f"{os.fspath(path)!r} line {line}, column {column + 1}: {cell!r} is not a "
                            "number. Expected numeric values (a header only on the first line).") from None
    if not np.isfinite(v):
        raise PratiqueError(f"{os.fspath(path)!r} line {line}, column {column + 1}: {cell!r} is not a "
                            "finite number. Fill the gap or drop the row.")
    return v


def _is_header(cells) -> bool:
    try:
        [float(c) for c in cells if c]
    except ValueError:
        return True
    return False


def read_rows(path, label_column=0) -> tuple[list[np.ndarray], list | None]:
    """(series, labels) from a CSV of one series per row. `label_column`: a column name (the
    file has a header), an index, or None (no labels). Empty cells at a row's end make it shorter."""
    rows = _rows(path)
    header, first = None, rows[0][1]
    if isinstance(label_column, int) and not isinstance(label_column, bool):
        first = [c for i, c in enumerate(first) if i != label_column % len(first)]
    if isinstance(label_column, str) or _is_header(first):
        (_, header), rows = rows[0], rows[1:]
    col = label_column
    if isinstance(label_column, str):
        if label_column not in header:
            raise PratiqueError(f"{os.fspath(path)!r} has no column {label_column!r}. Its header: "
                                f"{header[:20]}. Pass label_column= one of them, an index, or None.")
        col = header.index(label_column)
    elif label_column is not None and not isinstance(label_column, int) or isinstance(label_column, bool):
        raise PratiqueError("label_column must be a column name, an index or None (no labels). "
                            f"Received: label_column={label_column!r}")
    series, labels = [], []
    for line, cells in rows:
        skip = len(cells)  # the file column of the label, left out of the values
        if col is not None:
            if not (-len(cells) <= col < len(cells)) or not cells[col]:
                raise PratiqueError(f"{os.fspath(path)!r} line {line}: no label in column {col}. "
                                    "Expected a label in every row (or pass label_column=None).")
            labels.append(cells[col])
            skip = col % len(cells)
            del cells[skip]
        values = cells[: max((i + 1 for i, c in enumerate(cells) if c), default=0)]  # trailing blanks cut
        if not values:
            raise PratiqueError(f"{os.fspath(path)!r} line {line}: the row holds no values.")
        if "" in values:
            i = values.index("")
            raise PratiqueError(f"{os.fspath(path)!r} line {line}, column {i + (i >= skip) + 1}: empty "
                                "cell inside the series. Only trailing cells may be empty (a shorter series).")
        series.append(np.array([_number(c, path, line, i + (i >= skip)) for i, c in enumerate(values)],
                               np.float32))
    if not series:
        raise PratiqueError(f"{os.fspath(path)!r} holds a header but no series.")
    return series, (_labels(labels) if col is not None else None)


def _labels(labels: list[str]) -> list:
    """Integer-looking labels ("1", "2") as ints, so classes sort as numbers, as UCR's files do."""
    try:
        as_float = [float(v) for v in labels]
    except ValueError:
        return labels
    if all(v.is_integer() for v in as_float):
        return [str(int(v)) for v in as_float]
    return labels


def read_series_file(path) -> np.ndarray:
    """One series (C, L) from a file whose rows are time steps and columns channels (header optional)."""
    rows = _rows(path)
    if _is_header(rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise PratiqueError(f"{os.fspath(path)!r} holds a header but no time steps.")
    width = len(rows[0][1])
    values = []
    for line, cells in rows:
        if len(cells) != width:
            raise PratiqueError(f"{os.fspath(path)!r} line {line}: {len(cells)} columns, expected {width} "
                                f"(one per channel, as on line {rows[0][0]}).")
        values.append([_number(c, path, line, i) for i, c in enumerate(cells)])
    return np.asarray(values, np.float32).T  # (L, C) -> (C, L)


def read_folders(root) -> tuple[dict, dict]:
    """({split: [series (C, L)]}, {split: [class name]}) from `root/<class>/*.csv`, or from
    `root/train|val|test/<class>/*.csv`."""
    series, labels = {}, {}
    for split, folder in src.folder_layout(root).items():
        classes = sorted(d for d in os.listdir(folder)
                         if not d.startswith(".") and os.path.isdir(os.path.join(folder, d)))
        files = [(os.path.join(folder, c, f), c) for c in classes
                 for f in sorted(os.listdir(os.path.join(folder, c))) if f.lower().endswith(SERIES_EXTENSIONS)]
        if not files:
            raise PratiqueError(f"Folder {folder!r} holds no class folders of series files. Expected "
                                f"{folder}/<class>/<name>.csv (rows = time steps, columns = channels).")
        series[split] = [read_series_file(p) for p, _ in files]
        labels[split] = [c for _, c in files]
    return series, labels

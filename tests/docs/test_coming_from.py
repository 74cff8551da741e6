"""The "Coming from Keras / fastai / Lightning Flash" tables tell the truth about this build.

A row's pratique cell starts with a backticked reference, checked against the code:
`pq.a.b` (a module, class, function or method), `pq.X.method` with `param` (a parameter of it),
or `pq.ImageClassifier("name", ...)` (a registered model). A row marked ✓ must resolve; a row
marked "not yet" must not (when it starts to, change its mark to ✓).
"""
import importlib
import inspect
import re
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[2] / "docs" / "coming-from").glob("*.md"))
ROW = re.compile(r"^\|[^|]+\|\s*(`[^|]*?)\|\s*(✓|not yet)\s*\|$")


def _resolve(dotted: str):
    """`pq.a.b.C.m` -> the object, importing submodules on the way; AttributeError if absent."""
    parts = ["pratique", *dotted.split(".")[1:]]
    obj = importlib.import_module("pratique")
    for i, name in enumerate(parts[1:], start=2):
        try:
            obj = getattr(obj, name)
        except AttributeError:
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                raise AttributeError(dotted) from None
    return obj


def _exists(cell: str) -> bool:
    import pratique as pq

    if m := re.match(r'`pq\.ImageClassifier\("(\w+)"', cell):
        return m.group(1) in pq.models.list_models()
    m = re.match(r"`(pq(?:\.\w+)+)`(?: with `(\w+)`)?", cell)
    assert m, f"cannot read the reference in {cell!r}"
    try:
        obj = _resolve(m.group(1))
    except AttributeError:
        return False
    return m.group(2) is None or m.group(2) in inspect.signature(obj).parameters


def _rows():
    for page in PAGES:
        for line in page.read_text(encoding="utf-8").splitlines():
            if m := ROW.match(line.strip()):
                cell = m.group(1).strip()
                yield pytest.param(cell, m.group(2), id=f"{page.stem}:{cell[:40]}")


def test_pages_have_checked_rows():
    assert len(PAGES) == 3 and len(list(_rows())) >= 40


@pytest.mark.parametrize(("cell", "status"), list(_rows()))
def test_row_status_matches_the_code(cell, status):
    exists = _exists(cell)
    if status == "✓":
        assert exists, f"{cell} is marked ✓ but is not in this build"
    else:
        assert not exists, f"{cell} is now in this build: mark its row ✓ in docs/coming-from/"

"""Predictions and exports are written atomically: a writer failing halfway leaves no partial
file, and a previous file stays byte for byte."""
import os

import pytest
import torch
from torch import nn

import pratique as pq
from pratique.tasks.export import export
from pratique.tasks.predict import write_rows


def _rows(fail_after: int):
    for i in range(5):
        if i == fail_after:
            raise OSError("disk full")
        yield {"path": f"{i}.png", "label": "cat", "probability": 0.9, "top_k": [("cat", 0.9)],
               "error": None}


@pytest.mark.parametrize("name", ["preds.csv", "preds.json"])
def test_write_rows_failing_halfway_keeps_the_previous_file(tmp_path, name):
    path = tmp_path / name
    assert write_rows(_rows(99), path) == 5
    before = path.read_bytes()
    with pytest.raises(OSError, match="disk full"):
        write_rows(_rows(3), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [name]  # no temporary file left
    with pytest.raises(OSError):
        write_rows(_rows(2), tmp_path / ("new" + name[5:]))
    assert os.listdir(tmp_path) == [name]  # nothing partial where there was nothing


def _model():
    torch.manual_seed(0)
    model = pq.Model(nn.Sequential(nn.Flatten(), nn.Linear(16, 3)), accelerator="cpu")
    model.input_shape = (1, 4, 4)
    return model


def _half(f):
    """A writer that puts half a model in `f` (a path or a file) and crashes."""
    if isinstance(f, (str, os.PathLike)):  # the path itself: what a non-atomic export writes
        with open(f, "wb") as out:
            out.write(b"half a model")
    else:
        f.write(b"half a model")
    raise RuntimeError("exporter crashed")


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
def test_export_failing_halfway_keeps_the_previous_file(tmp_path, monkeypatch, format):
    if format == "onnx":
        pytest.importorskip("onnx")
    path = tmp_path / f"m.{format}"
    export(_model(), path, format=format, check=False)
    before = path.read_bytes()
    if format == "onnx":  # torch.onnx.export(module, args, f, ...)
        monkeypatch.setattr(torch.onnx, "export", lambda module, args, f, **kw: _half(f))
    else:  # torch.jit.save(module, f, ...)
        monkeypatch.setattr(torch.jit, "save", lambda module, f, **kw: _half(f))
    with pytest.raises(RuntimeError, match="exporter crashed"):
        export(_model(), path, format=format, check=False)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [path.name]

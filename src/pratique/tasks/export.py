"""Export a model to ONNX (dynamic batch, preprocessing in the metadata) or TorchScript, and
check that the exported model agrees with the eager one."""
from __future__ import annotations

import copy
import io
import json
import os
import warnings

import numpy as np
import torch
from torch import nn

from .._version import __version__
from ..core.errors import PratiqueError
from ..core.io import atomic_write
from ..data.preprocess import Preprocessing
from ..models.outputs import output_kind
from ._runners import METADATA_KEY

FORMATS = {"onnx": ".onnx", "torchscript": ".torchscript"}


class ExportCheckError(RuntimeError):
    """The exported model disagrees with the eager model beyond the tolerance."""


class _Normalized(nn.Module):
    """`module((x - mean) / std)`: a graph that takes pixels scaled to [0, 1]."""

    def __init__(self, module: nn.Module, mean, std):
        super().__init__()
        self.module = module
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x):
        return self.module((x - self.mean) / self.std)


def export(model, path=None, format: str = "onnx", bake_normalization: bool = False,
           check: bool = True, opset: int = 17) -> dict:
    """Export `model` to ONNX or TorchScript; returns {"path", "format", "max_abs_diff"}.

    The input is float32 (N, C, H, W) with a dynamic batch N: pixels scaled (by 1/255), then
    normalized with the model's mean/std, unless `bake_normalization` puts that step in the graph.
    The classes, preprocessing and input shape go into the ONNX metadata_props (key "pratique")
    or TorchScript extra file `pratique.json`, so `pratique predict model.onnx photos/` works.

    Args:
        model: a Model or a `.pratique` file.
        path: output file (default: the model file with the format's suffix, or model.onnx).
        format: "onnx" or "torchscript".
        bake_normalization: put (x - mean) / std inside the exported graph.
        check: run the exported model (onnxruntime / torch.jit) on a random batch and compare it
            with the eager model; raises ExportCheckError beyond atol 1e-4 + rtol 1e-3.
        opset: the ONNX opset.

    Example:
        >>> export("runs/train/best.pratique", format="onnx")["path"]
        'runs/train/best.onnx'
    """
    from .model import load

    if format not in FORMATS:
        raise PratiqueError(f"format must be one of {', '.join(map(repr, FORMATS))}. Received: {format!r}")
    source = model if isinstance(model, (str, os.PathLike)) else None
    model = load(model) if source is not None else model
    path = os.fspath(path) if path else _default_path(source, format)
    module, meta = _prepare(model, bake_normalization)
    x = torch.randn(2, *meta["input_shape"])
    if bake_normalization:
        x = torch.rand_like(x)
    (_to_onnx if format == "onnx" else _to_torchscript)(module, x, path, meta, opset)
    diff = _check(module, path, format, meta) if check else None
    return {"path": path, "format": format, "max_abs_diff": diff}


def _default_path(source, format: str) -> str:
    if source is None:
        return "model" + FORMATS[format]
    return os.path.splitext(os.fspath(source))[0] + FORMATS[format]


def _prepare(model, bake: bool) -> tuple[nn.Module, dict]:
    pre = dict(model.preprocessing or {})
    shape = model.input_shape or pre.get("input_shape")
    series = pre.get("kind") == "series" and shape is not None and len(shape) == 2  # (C, L)
    if series and bake:
        raise PratiqueError("bake_normalization is for images; a series model's normalization (per "
                            "series or per channel) is applied by the runner. Export without it.")
    if not series and (not shape or len(shape) != 3):
        raise PratiqueError(f"Export needs the model's input shape (C, H, W). Received: {shape!r}. "
                            "Fit the model on images first (or set model.input_shape).")
    pre = Preprocessing(pre, shape).config  # complete (mode, size): the runner reads files as training did
    module = copy.deepcopy(model.module).cpu().eval()
    if bake and pre.get("mean") is None:
        raise PratiqueError("bake_normalization needs the model's mean/std in its preprocessing; this "
                            "model has none. Export without it.")
    if bake:
        module = _Normalized(module, pre["mean"], pre["std"]).eval()
    kind = output_kind(model.module, getattr(model, "loss_fn", None))  # how runners read them
    meta = {"classes": model.classes, "preprocessing": pre, "input_shape": [int(s) for s in shape],
            "num_classes": getattr(model, "num_classes", None), "normalization_baked": bool(bake),
            "architecture": model.architecture, "pratique_version": __version__,
            "input": ("float32 (N, C, L) series, normalized as `preprocessing` says" if series else
                      "float32 (N, C, H, W), pixels * scale (default 1/255)"
                      + ("" if bake else ", then (x - mean) / std per channel")),
            "output": f"{kind} (N, num_classes)", "outputs": kind}
    return module, meta


def _to_onnx(module, x, path, meta, opset) -> None:
    try:
        import onnx
    except ImportError:
        raise PratiqueError("ONNX export needs the onnx package: pip install 'pratique[onnx]'.") from None
    with warnings.catch_warnings():  # the TorchScript-based exporter is deprecated but needs no onnxscript
        warnings.simplefilter("ignore")
        buffer = io.BytesIO()  # in memory, then written atomically: never a partial .onnx
        torch.onnx.export(module, (x,), buffer, dynamo=False, opset_version=opset,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    proto = onnx.load_from_string(buffer.getvalue())
    for key, value in {METADATA_KEY: json.dumps(meta), "classes": json.dumps(meta["classes"]),
                       "preprocessing": json.dumps(meta["preprocessing"]), "input": meta["input"]}.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.doc_string = f"pratique {__version__} export. Input: {meta['input']}. Output: {meta['output']}."
    data = proto.SerializeToString()
    atomic_write(path, lambda f: f.write(data))


def _to_torchscript(module, x, path, meta, opset) -> None:
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(module, (x,))
        buffer = io.BytesIO()
        torch.jit.save(traced, buffer, _extra_files={f"{METADATA_KEY}.json": json.dumps(meta)})
    atomic_write(path, lambda f: f.write(buffer.getvalue()))


def _check(module, path: str, format: str, meta: dict) -> float:
    from ._runners import open_runner

    x = torch.randn(3, *meta["input_shape"])  # a batch size other than the traced one
    if meta["normalization_baked"]:
        x = torch.rand_like(x)
    with torch.no_grad():
        ref = module(x).numpy()
    got = np.asarray(open_runner(path, trust=True)(x), dtype=np.float32)  # the file we just wrote
    diff = float(np.abs(got - ref).max()) if got.shape == ref.shape else float("inf")
    if not np.isfinite(diff) or diff > 1e-4 + 1e-3 * float(np.abs(ref).max()):
        raise ExportCheckError(f"The exported {format} model disagrees with the eager model: max abs "
                               f"difference {diff:.3g} (output shapes {got.shape} vs {ref.shape}).")
    return diff

"""Runners: one call `runner(x)` -> logits for a Model, an ONNX file or a TorchScript file.

Each carries what prediction on files needs: classes, input shape (C, H, W) and `preprocess`,
the model's `Preprocessing` (data/preprocess.py), the one path from a file to its input.
"""
from __future__ import annotations

import json
import os

import numpy as np
import torch

from ..core.errors import PratiqueError
from ..data.preprocess import Preprocessing
from ..models.outputs import output_kind
from ..training._layout import decided

METADATA_KEY = "pratique"  # JSON in ONNX metadata_props / TorchScript extra files


class TorchRunner:
    """A Model's module in eval mode on the device its Fabric picks (autocast as configured)."""

    def __init__(self, model):
        from ..training.trainer import make_fabric

        self.fabric = make_fabric(model.accelerator, model.devices)
        self.module = model.module.to(self.fabric.device)
        self.classes = list(model.classes) if model.classes else None
        self.outputs = output_kind(model.module, getattr(model, "loss_fn", None))
        pre = dict(model.preprocessing or {})
        self.input_shape = _check_shape(model.input_shape or pre.get("input_shape"), "the model",
                                        pre.get("kind"))
        self.preprocess = Preprocessing(pre, self.input_shape)
        self.num_classes = len(self.classes) if self.classes else _num_outputs(model)

    @torch.inference_mode()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        was_training = self.module.training
        self.module.eval()
        x = x.to(self.fabric.device, non_blocking=True)
        # channels-last helps cuDNN convolutions (on CPU it costs a copy per batch); only for a
        # module a fit or evaluate found safe (weights are not re-laid out under inference_mode)
        if x.is_cuda and x.dim() == 4 and decided(self.module):
            x = x.contiguous(memory_format=torch.channels_last)
        with self.fabric.autocast():
            out = self.module(x).float().cpu()
        self.module.train(was_training)
        return out


class OnnxRunner:
    """An exported `.onnx` file through onnxruntime; preprocessing read from its metadata."""

    def __init__(self, path: str):
        try:
            import onnxruntime as ort
        except ImportError:
            raise PratiqueError("Running .onnx models needs onnxruntime: pip install 'pratique[onnx]'.") from None
        options = ort.SessionOptions()
        # its threads would spin after each batch, taking the cores the next batch decodes on
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(path, options, providers=ort.get_available_providers())
        meta = self.session.get_modelmeta().custom_metadata_map
        if METADATA_KEY not in meta:
            raise PratiqueError(f"{path!r} has no pratique metadata: export it with `pratique export`.")
        _init_from_metadata(self, json.loads(meta[METADATA_KEY]), path)
        self.input_name = self.session.get_inputs()[0].name

    def __call__(self, x: torch.Tensor) -> np.ndarray:
        return self.session.run(None, {self.input_name: x.numpy().astype(np.float32)})[0]


class TorchScriptRunner:
    """A TorchScript file written by `export(..., format="torchscript")`."""

    def __init__(self, path: str):
        import warnings

        extra = {f"{METADATA_KEY}.json": ""}
        with warnings.catch_warnings():  # torch.jit is deprecated in favour of torch.export
            warnings.simplefilter("ignore", FutureWarning)
            self.module = torch.jit.load(path, map_location="cpu", _extra_files=extra).eval()
        if not extra[f"{METADATA_KEY}.json"]:
            raise PratiqueError(f"{path!r} has no pratique metadata: export it with `pratique export`.")
        _init_from_metadata(self, json.loads(extra[f"{METADATA_KEY}.json"]), path)

    @torch.inference_mode()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x)


def _init_from_metadata(runner, meta: dict, path: str) -> None:
    runner.classes = meta.get("classes")
    runner.outputs = meta.get("outputs", "logits")  # older exports held logits
    pre = dict(meta.get("preprocessing") or {})
    if meta.get("normalization_baked"):  # the graph normalizes; feed it scaled pixels only
        pre.pop("mean", None)
        pre.pop("std", None)
    runner.input_shape = _check_shape(meta.get("input_shape"), repr(path), pre.get("kind"))
    runner.preprocess = Preprocessing(pre, runner.input_shape)
    runner.num_classes = meta.get("num_classes") or len(runner.classes or [])


def _check_shape(shape, what: str, kind=None) -> tuple[int, ...]:
    if kind == "series" and shape and len(shape) == 2:  # (C, L)
        return tuple(int(s) for s in shape)
    if not shape or len(shape) != 3:
        raise PratiqueError(f"Prediction on image files needs {what}'s input shape (C, H, W). "
                            f"Received: {shape!r}. Fit or save the model on images first.")
    return tuple(int(s) for s in shape)


def _num_outputs(model) -> int:
    n = getattr(model, "num_classes", None)
    if n is None:
        raise PratiqueError("The model has neither class names nor num_classes; set model.classes.")
    return int(n)


def open_runner(model, trust: bool = False):
    """A runner for a Model, or for a `.pratique`, `.onnx` or TorchScript (`.torchscript`, `.pt`) path.

    A TorchScript file holds code that `torch.jit.load` compiles and runs, so it opens only with
    `trust=True`; `.pratique` (safetensors + JSON) and `.onnx` files hold none."""
    if hasattr(model, "module") and hasattr(model, "preprocessing"):
        return TorchRunner(model)
    path = os.fspath(model)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model file at {path!r}. Expected a .pratique, .onnx or "
                                ".torchscript file (e.g. runs/train/best.pratique).")
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".onnx":
        return OnnxRunner(path)
    if suffix in (".torchscript", ".pt"):
        if not trust:
            raise PratiqueError(
                f"{path!r} is a TorchScript file: loading it runs the code stored in it, so it is not "
                "opened without consent. Expected a file you made or trust: pass trust=True "
                "(`pratique predict --trust`), or use the .pratique or .onnx file, which hold no code.")
        return TorchScriptRunner(path)
    from .model import load

    return TorchRunner(load(path))


def class_names(runner) -> list:
    """The runner's class names, else "0", "1", ...; a one-output (binary) head has two classes."""
    return runner.classes or [str(i) for i in range(max(runner.num_classes, 2))]

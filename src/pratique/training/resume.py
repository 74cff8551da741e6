"""Exact resume: what a checkpoint holds, how fit restores it, when fit writes one.

`last.ckpt` holds the module, optimizer, scheduler, grad scaler, each callback's `state_dict()`,
the epoch, the batches done in it with the epoch's running loss and metric sums, the data order
(`InMemoryBatches.state_dict()`), every RNG (python, numpy, torch, CUDA) and the class names.
Restoring it and training on gives the same weights, bit for bit on CPU, as never stopping.

During `fit` a `FitRun` is the engine: it restores `model.fit(..., resume_from=...)`, writes
`last.ckpt` every `save_freq` batches and/or each epoch when a callback with a `resume_path`
asks (`ResumeCheckpoint`, Keras' `BackupAndRestore`), and turns SIGINT/SIGTERM into an emergency
checkpoint at the next batch boundary. With none of these the loop pays one `is None` per batch.
"""
from __future__ import annotations

import os
import random
import sys
import time
import warnings

import numpy as np
import torch

from .._version import __version__
from ..core.errors import PratiqueError
from .callbacks.resume_checkpoint import ResumeCheckpoint  # noqa: F401 (its home before the split)
from .checkpoint import FORMAT, load_checkpoint, save_checkpoint
from .interrupts import TrainingInterrupted, resume_hint, signal_name


# -- what a checkpoint holds ---------------------------------------------------------------------
def capture_rng() -> dict:
    """Every global RNG state, as tensors and plain data (loadable with weights_only=True)."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state(legacy=True)
    rng = {"python": random.getstate(), "torch": torch.get_rng_state(),
           "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss),
                     float(gauss)]}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        rng["cuda"] = torch.cuda.get_rng_state_all()
    return rng


def restore_rng(rng: dict) -> None:
    random.setstate(_tuples(rng["python"]))
    kind, keys, pos, has_gauss, gauss = rng["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    torch.set_rng_state(rng["torch"])
    if "cuda" in rng and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])


def _tuples(x):
    return tuple(_tuples(v) for v in x) if isinstance(x, (list, tuple)) else x


def _metric_state(m) -> dict:
    state = getattr(m, "metric_state", None)  # torchmetrics keeps its sums there
    if state is None:
        state = {k: v for k, v in vars(m).items()
                 if isinstance(v, (torch.Tensor, int, float, bool)) and not k.startswith("__")}
    return {k: (v.detach().cpu().clone() if isinstance(v, torch.Tensor) else v)
            for k, v in state.items()}


def _set_metric_state(m, state: dict, device) -> None:
    for k, v in state.items():
        setattr(m, k, v.to(device) if isinstance(v, torch.Tensor) else v)


def _keyed(callbacks) -> list:
    """(key, callback) with keys "CSVLogger", "CSVLogger#2"... stable across runs."""
    seen: dict[str, int] = {}
    out = []
    for cb in callbacks:
        name = type(cb).__name__
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name}#{seen[name]}", cb))
    return out


def _scaler(fabric):
    return getattr(getattr(fabric, "_precision", None), "scaler", None) if fabric else None


def capture_state(model, trainer_state: dict | None = None) -> dict:
    """The checkpoint dict of `model` at a batch or epoch boundary.

    Args:
        model: a compiled `Model`.
        trainer_state: where the loop stands: `epoch` (epochs completed), `batch` (batches done
            in the current epoch), `partial` (the epoch's running `loss_sum`, `seen`, `metrics`),
            `data` (the batches' `state_dict()`), `callbacks`, `fabric`, `epochs` (the fit's
            planned epochs). Missing keys mean
            "between epochs, outside fit".

    Example:
        >>> save_checkpoint(capture_state(model), "last.ckpt")
    """
    ts = trainer_state or {}
    scheduler, scaler = getattr(model, "scheduler", None), _scaler(ts.get("fabric"))
    return {
        "format": FORMAT, "pratique_version": __version__,
        "module": model.module.state_dict(),
        "optimizer": model.optimizer.state_dict() if model.optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "scaler": scaler.state_dict() if scaler is not None else None,
        "epoch": int(ts.get("epoch", model.epoch)), "batch": int(ts.get("batch", 0)),
        "partial": ts.get("partial"), "data": ts.get("data"), "rng": capture_rng(),
        "callbacks": {k: cb.state_dict() for k, cb in _keyed(ts.get("callbacks", ()))},
        "classes": model.classes, "preprocessing": dict(model.preprocessing),
        "epochs": ts.get("epochs"),
        "run_config": getattr(model, "run_config", None),  # set by tasks/run.py: resume uses it
    }


def capture_now(model, trainer=None) -> dict:
    """`capture_state` of `model`; inside a fit of `trainer`, at the epoch boundary it is called
    from (e.g. `on_epoch_end`), with data order, callbacks and RNGs, so resuming is exact."""
    run = getattr(trainer, "run", None)
    if run is None or getattr(run, "train", None) is None:
        return capture_state(model)
    position = run._position(0, None, 0)
    if (position["data"] or {}).get("position"):
        raise PratiqueError("A checkpoint saved in the middle of an epoch cannot be resumed exactly "
                            "this way. Use ResumeCheckpoint(path, save_freq=N) to save every N batches.")
    return capture_state(model, position)


def restore_state(model, state: dict) -> None:
    """Put the model-level parts of a checkpoint back: weights (strictly), optimizer, scheduler,
    epoch, class names, preprocessing. Exact mid-epoch resume (data order, RNGs, callbacks,
    running sums) goes through `model.fit(..., resume_from=path)`, which calls this first."""
    own = model.module.state_dict()
    missing = [k for k in own if k not in state["module"]]
    unexpected = [k for k in state["module"] if k not in own]
    if missing or unexpected:
        raise PratiqueError(
            f"The checkpoint does not match the model: missing keys {missing[:10]}, unexpected keys "
            f"{unexpected[:10]}. Resume with the same architecture the checkpoint was saved from.")
    model.module.load_state_dict(state["module"], strict=True)
    if model.optimizer is not None and state.get("optimizer"):
        model.optimizer.load_state_dict(state["optimizer"])
    if getattr(model, "scheduler", None) is not None and state.get("scheduler"):
        model.scheduler.load_state_dict(state["scheduler"])
    model.epoch = int(state.get("epoch", 0))
    if state.get("classes") is not None:
        model.classes = list(state["classes"])
    if state.get("preprocessing"):
        model.preprocessing = dict(state["preprocessing"])


def load_resume_state(path) -> dict:
    """Load a checkpoint for resuming (safe, falls back to `.prev` with a warning) and check it."""
    state = load_checkpoint(path)
    if "module" not in state:
        raise PratiqueError(f"{os.fspath(path)!r} is not a pratique training checkpoint (no 'module' "
                            "entry). Expected runs/<name>/last.ckpt.")
    saved, ours = str(state.get("pratique_version", "0")), __version__

    def parts(v):
        return tuple(int(p) for p in v.split(".")[:3] if p.isdigit())

    if parts(saved) > parts(ours):
        raise PratiqueError(f"{os.fspath(path)!r} was saved by pratique {saved}, newer than this "
                            f"pratique {ours}. Upgrade pratique (pip install -U pratique) to resume.")
    return state


# -- the engine during fit -----------------------------------------------------------------------
class _Idle:
    """Stands in for a FitRun when the loop runs outside `fit` (e.g. lr_find)."""

    hook = None
    last_saved = None

    def start(self, trainer, train, cbs, initial_epoch: int) -> int:
        return initial_epoch

    def epoch_end(self, logs=None) -> None:
        pass

    def invalid_loss(self) -> None:
        pass

    def begin_epoch(self, device) -> tuple[int, torch.Tensor, int]:
        return 0, torch.zeros((), device=device), 0


IDLE = _Idle()


class FitRun:
    """One fit's resume, backup and interrupt handling; `Trainer.fit` holds it for the call,
    with SIGINT/SIGTERM handlers (`InterruptGuard(run.on_signal)`) installed meanwhile."""

    def __init__(self, model, epochs: int | None = None, state: dict | None = None):
        self.model, self.epochs = model, epochs
        self.fabric = self.train = None
        self.cbs: list = []
        self.path = self.save_freq = None
        self.state = state  # loaded early by Model.fit(resume_from=)
        self.source = self.state.get("_loaded_from") if self.state else None
        self.hook = None
        self.last_saved: str | None = None
        self.interrupted: int | None = None
        self._partial = None
        self._count = 0
        self._invalid = False  # the epoch was cut short by a NaN/inf loss (TerminateOnNaN)

    def finish(self) -> None:
        if self.interrupted is not None:  # the signal came after the last batch
            self._stop(self._position(0, None, 0))

    def start(self, trainer, train, cbs, initial_epoch: int) -> int:
        """Restore the checkpoint (if resuming); returns the epoch to start from."""
        self.fabric, self.train, self.cbs = trainer.fabric, train, list(cbs)
        cfg = next((cb for cb in self.cbs if getattr(cb, "resume_path", None)), None)
        if cfg is not None:
            self.path, self.save_freq = cfg.resume_path, cfg.save_freq
            if isinstance(self.save_freq, int):
                self.hook = self._on_batch
            if self.state is None and cfg.auto_resume and (
                    os.path.exists(self.path) or os.path.exists(self.path + ".prev")):
                self.state = load_resume_state(self.path)
                self.source = self.state["_loaded_from"]
        if self.state is None:
            self.model.epoch = initial_epoch
            return initial_epoch
        return self._restore(self.state)

    def _restore(self, s: dict) -> int:
        planned = s.get("epochs")
        if planned and planned != self.epochs and self.model.scheduler is not None:
            raise PratiqueError(
                f"{self.source!r} comes from a run of epochs={planned} with a learning-rate schedule "
                f"over all of them; this fit asks for epochs={self.epochs}. Resume with "
                f"epochs={planned}, or start a new fit from its weights (model.load_checkpoint).")
        restore_state(self.model, s)
        saved = s.get("callbacks") or {}
        for key, cb in _keyed(self.cbs):
            if key in saved:
                cb.load_state_dict(saved[key])
        scaler = _scaler(self.fabric)
        if scaler is not None and s.get("scaler"):
            scaler.load_state_dict(s["scaler"])
        batch = int(s.get("batch", 0))
        if s.get("data") is not None and hasattr(self.train, "load_state_dict"):
            self.train.load_state_dict(s["data"])
        elif batch:
            warnings.warn("These batches cannot restore their order, so the interrupted epoch "
                          "restarts from its first batch.", stacklevel=2)
            batch = 0
        if batch:
            self._partial = (batch, s["partial"])
        if s.get("rng"):
            restore_rng(s["rng"])  # last: nothing above may draw from the restored streams
        if int(s["epoch"]) >= self.epochs:  # stopped between its last checkpoint and the end
            print(f"Resuming from {self.source}: training is complete ({s['epoch']} epochs); "
                  "nothing left to train.")
        else:
            print(f"Resuming from {self.source}: epoch {s['epoch'] + 1}, after batch {batch}.")
        return int(s["epoch"])

    def begin_epoch(self, device) -> tuple[int, torch.Tensor, int]:
        """(first batch, running loss sum, samples seen) for the epoch starting now; a resumed
        epoch continues its sums and metric states, every other starts from zero."""
        partial, self._partial = self._partial, None
        if partial is None:
            return 0, torch.zeros((), device=device), 0
        start, p = partial
        for m, st in zip(self.model.metrics, p.get("metrics", [])):
            _set_metric_state(m, st, device)
        return start, p["loss_sum"].to(device), int(p["seen"])

    def _position(self, batch: int, loss_sum, seen: int) -> dict:
        partial = None
        if batch:
            partial = {"loss_sum": loss_sum.detach().cpu().clone(), "seen": int(seen),
                       "metrics": [_metric_state(m) for m in self.model.metrics]}
        data = self.train.state_dict() if hasattr(self.train, "state_dict") else None
        return {"epoch": self.model.epoch, "batch": batch, "partial": partial, "data": data,
                "callbacks": self.cbs, "fabric": self.fabric, "epochs": self.epochs}

    def _on_batch(self, i: int, loss_sum, seen: int) -> None:
        if self.interrupted is not None:
            self._stop(self._position(i + 1, loss_sum, seen))
        self._count += 1
        if isinstance(self.save_freq, int) and self._count % self.save_freq == 0:
            self.save(self._position(i + 1, loss_sum, seen))

    def invalid_loss(self) -> None:
        """The loop met a NaN/inf loss and stops: this epoch must not overwrite last.ckpt."""
        self._invalid = True

    def epoch_end(self, logs=None) -> None:
        """After on_epoch_end: the epoch-boundary checkpoint, or the emergency one."""
        if self.interrupted is not None:
            self._stop(self._position(0, None, 0))
        if self.path is not None and self._good_epoch(logs):
            self.save(self._position(0, None, 0))

    def _good_epoch(self, logs) -> bool:
        """False (and says so) when the epoch ended on a NaN/inf loss or left non-finite weights:
        its checkpoint would replace the last good one with one not worth resuming from."""
        loss = (logs or {}).get("loss", 0.0)
        bad = self._invalid or not np.isfinite(float(loss)) or not all(
            bool(torch.isfinite(v).all()) for v in self.model.module.state_dict().values()
            if v.is_floating_point())
        if bad and (self.fabric is None or self.fabric.is_global_zero):
            kept = (f"the last good one ({self.path}) is kept" if os.path.exists(self.path)
                    else "none had been written yet")
            print(f"Epoch {self.model.epoch} ended with a non-finite loss or weights: its "
                  f"checkpoint was not written; {kept}.", file=sys.stderr, flush=True)
        return not bad

    def save(self, position: dict, path: str | None = None) -> str:
        path = path or self.path
        if self.fabric is not None and not self.fabric.is_global_zero:
            return path  # data-parallel: identical state on every rank, rank 0 writes it
        self._preserve_source(path)
        save_checkpoint(capture_state(self.model, position), path)
        self.last_saved = path
        return path

    def _preserve_source(self, path: str) -> None:
        """Never let rotation delete the checkpoint this run resumed from: hard-link it aside."""
        src, self.source = self.source, None  # once per run
        if not src or not os.path.exists(src):
            return
        if not any(os.path.exists(p) and os.path.samefile(src, p) for p in (path, path + ".prev")):
            return
        keep, n = f"{src}.resumed", 2
        while os.path.exists(keep):
            keep, n = f"{src}.resumed{n}", n + 1
        try:
            os.link(src, keep)
        except OSError:
            import shutil

            shutil.copy2(src, keep)

    def on_signal(self, signum: int) -> None:
        self.interrupted = signum
        self.hook = self._on_batch  # checked by the loop after the current batch

    def _stop(self, position: dict) -> None:
        path = self.path or self.source or os.path.abspath(
            time.strftime("interrupted-%Y%m%d-%H%M%S.ckpt"))
        self.save(position, path)
        where = f"epoch {position['epoch'] + 1}, after batch {position['batch']}"
        message = (f"Training stopped by {signal_name(self.interrupted)} at {where}. "
                   f"Saved {path}.\n{resume_hint(path)}")
        print(message, file=sys.stderr, flush=True)
        raise TrainingInterrupted(message, checkpoint=path, signum=self.interrupted)

"""Atomic writes, rotation to `.prev`, and safe loading of training checkpoints.

A checkpoint file is written to a temporary file in its own directory, fsynced, renamed over the
target and the directory fsynced: a reader (or a crash) sees the old file or the new one, never
half of one. The previous checkpoint stays beside it as `NAME.prev` so a file damaged after it was
written can fall back. Loading uses `torch.load(weights_only=True)` only: a file that carries
pickled code is refused, never loaded another way. Each checkpoint carries a SHA-256 digest of
its contents (`_digest.py`), checked on load: a file damaged in a way that still unpickles
(a flipped bit in the weights, a zeroed block) is refused like any other damaged file.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import warnings

import torch

from ..core.errors import PratiqueError
from ..core.io import atomic_write
from ._digest import KEY, digest

FORMAT = "pratique-checkpoint"
_SHARDED = ("fsdp", "deepspeed")  # Lightning strategies whose ranks hold parts of the weights


def check_strategy(strategy) -> None:
    """Refuse sharded strategies (FSDP, DeepSpeed): checkpoints do not support them yet.

    Checkpoints, resume and `.pratique` files are written from rank 0's `module.state_dict()`
    and `optimizer.state_dict()`; under a sharded strategy those hold rank 0's shard only, so
    a checkpoint would silently miss most of the model and its optimizer state.
    """
    name = strategy if isinstance(strategy, str) else type(strategy).__name__
    if any(s in name.lower() for s in _SHARDED):
        raise PratiqueError(
            f"strategy={name!r} is not supported: pratique's checkpoints and model files save "
            "rank 0's full state_dict, which a sharded strategy (FSDP, DeepSpeed) splits over the "
            "ranks. Expected a data-parallel strategy whose every rank holds the whole model. "
            "Use strategy=\"ddp\" (--strategy ddp), or \"auto\" on one device.")


def _keep_previous(path: str) -> None:
    """Make `path.prev` a copy of `path` without a moment when either name is missing or partial.

    A hard link to a temporary name, renamed over `.prev`, costs no copy; file systems without
    hard links get a full copy, written atomically.
    """
    if not os.path.exists(path):
        return
    prev = path + ".prev"
    tmp = os.path.join(os.path.dirname(prev), f".{os.path.basename(prev)}.link.tmp")
    if os.path.exists(tmp):  # our own link, left by a process killed mid-rotation
        os.unlink(tmp)
    try:
        os.link(path, tmp)
    except OSError:
        with open(path, "rb") as src:
            atomic_write(prev, lambda f: shutil.copyfileobj(src, f))
        return
    os.replace(tmp, prev)


def save_checkpoint(state: dict, path, keep_previous: bool = True) -> None:
    """Save a training checkpoint (tensors, numbers, strings, lists, dicts) atomically.

    The new file is written completely before anything is renamed; only then does the old
    `path` become `path.prev` and the new file `path`. A failure at any point (exception, full
    disk, kill) leaves the previous checkpoint readable under `path`.

    Args:
        state: the checkpoint dict (see `training.resume.capture_state`).
        path: e.g. "runs/train/last.ckpt".
        keep_previous: keep the previous file as `path.prev`.
    """
    path = os.fspath(path)
    state = {k: v for k, v in state.items() if k not in (KEY, "_loaded_from")}
    state[KEY] = digest(state)  # checked by load_checkpoint: damage that still unpickles is caught
    buf = io.BytesIO()
    torch.save(state, buf)  # serialise first: an unpicklable state fails before any file is touched
    atomic_write(path, lambda f: f.write(buf.getbuffer()),
                 before_replace=(lambda: _keep_previous(path)) if keep_previous else None)


def _why(e: Exception) -> str:
    """The informative line of a torch load error, without torch's advice to load unsafely."""
    text = str(e)
    for pattern in (r"(Trying to load unsupported GLOBAL[^\n]*)", r"(Unsupported [^\n]*)",
                    r"(PytorchStreamReader[^.\n]*)"):
        m = re.search(pattern, text)
        if m:
            return m.group(1).strip()
    return f"{type(e).__name__}: {text[:200]}" if text else type(e).__name__


def _read(path: str) -> dict:
    """Load one file safely; raises PratiqueError with `.unsafe` set when it carries code."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # protocol warnings of the restricted unpickler
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 -- refused or corrupt: never retried unsafely
        unsafe = "GLOBAL" in str(e)
        what = ("carries pickled code or objects other than tensors and plain data"
                if unsafe else "is damaged or not a pratique checkpoint")
        err = PratiqueError(
            f"Checkpoint {path!r} {what} ({_why(e)}). It was refused and nothing in it was run. "
            "Expected a file written by pratique (last.ckpt); use a checkpoint you trust.")
        err.unsafe = unsafe
        raise err from None
    if not isinstance(state, dict):
        err = PratiqueError(f"Checkpoint {path!r} holds a {type(state).__name__}, not a checkpoint "
                            "dict. Expected a file written by pratique (last.ckpt).")
        err.unsafe = False
        raise err
    _verify(path, state)
    return state


def _verify(path: str, state: dict) -> None:
    """Check (and remove) the digest; a file without one predates digests and loads with a warning."""
    saved = state.pop(KEY, None)
    if saved is None:  # pratique 0.1.0 before digests: refusing would strand every run in progress
        warnings.warn(f"Checkpoint {path!r} carries no digest (written by an older pratique), so "
                      "damage to its contents cannot be detected. It was loaded; the next "
                      "checkpoint written will carry one.", stacklevel=4)
        return
    found = digest(state)
    if saved != found:
        err = PratiqueError(
            f"Checkpoint {path!r} is damaged: its contents do not match the digest stored in it "
            f"(stored {str(saved)[:20]}..., computed {found[:20]}...). It was refused. Expected "
            "a file written by pratique and unchanged since; resume from its .prev or start again.")
        err.unsafe = False
        raise err


def load_checkpoint(path, fallback: bool = True) -> dict:
    """Load a training checkpoint with `weights_only=True`; a file carrying pickled code is refused.

    When `path` is damaged (truncated, zeroed, not a checkpoint) and `path.prev` exists, the
    previous checkpoint is loaded instead with a warning that says so; the state dict then has
    `"_loaded_from"` set to the file actually read. A file refused for carrying code never falls
    back: that is an error to look at, not damage.

    Args:
        path: e.g. "runs/train/last.ckpt".
        fallback: try `path.prev` when `path` is damaged.

    Example:
        >>> state = load_checkpoint("runs/train/last.ckpt")
        >>> state["epoch"], state["batch"]
    """
    path = os.fspath(path)
    prev = path + ".prev"
    if not os.path.exists(path):
        if fallback and os.path.exists(prev):
            return _fall_back(path, prev, f"{path!r} is missing")
        raise FileNotFoundError(f"No checkpoint at {path!r}. Expected a file written by pratique "
                                "(runs/<name>/last.ckpt).")
    try:
        state = _read(path)
    except PratiqueError as e:
        if e.unsafe or not fallback or not os.path.exists(prev):
            raise
        return _fall_back(path, prev, str(e))
    state["_loaded_from"] = path
    return state


def _fall_back(path: str, prev: str, why: str) -> dict:
    try:
        state = _read(prev)
    except PratiqueError as e:
        err = PratiqueError(f"Neither {path!r} nor its previous checkpoint {prev!r} can be used. "
                            f"\n- {why}\n- {e}\nBoth files were left untouched; start the run "
                            "again (or from a copy you trust).")
        err.unsafe = e.unsafe
        raise err from None
    warnings.warn(f"Could not use {path!r} ({why}); resuming from the previous checkpoint "
                  f"{prev!r} instead (epoch {state.get('epoch')}, batch {state.get('batch', 0)}).",
                  stacklevel=3)
    state["_loaded_from"] = prev
    return state

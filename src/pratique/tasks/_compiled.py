"""The manifest's "compile" entry: the loss and metrics by name, so `pq.load` compiles again.

Names and JSON-able arguments are stored; a callable (a custom loss or metric function) cannot
be, and is stored as None with a note, so the loaded model says what to pass again.
"""
from __future__ import annotations

import json
import warnings

_NOTE = ("Losses, metrics, schedules and optimizer arguments given as callables or objects are "
         "stored as None: pass them to compile() again after pq.load.")


def _jsonable(value) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def saved_compile(loss, metrics) -> dict:
    """{"loss_kwargs", "metrics", "note"} for the manifest (beside optimizer, lr, loss)."""
    names = [m if isinstance(m, str) else None for m in (metrics or ())]
    entry: dict = {"metrics": names}
    if loss.name is not None and loss.kwargs and _jsonable(loss.kwargs):
        entry["loss_kwargs"] = dict(loss.kwargs)
    if loss.name is None or None in names or (loss.kwargs and "loss_kwargs" not in entry):
        entry["note"] = _NOTE
    return entry


def saved_settings(optimizer_kwargs: dict, schedule, terminate_on_nan: bool) -> dict:
    """The rest of a compile call, so that a loaded model fits as the saved one did: the
    optimizer's own arguments (momentum, nesterov, weight_decay, EMA, clipping), the schedule by
    name and terminate_on_nan. What JSON cannot hold is left out, with the note."""
    entry: dict = {}
    if optimizer_kwargs:
        if _jsonable(optimizer_kwargs):
            entry["optimizer_kwargs"] = dict(optimizer_kwargs)
        else:
            entry["note"] = _NOTE
    if isinstance(schedule, str):
        entry["schedule"] = schedule
    elif schedule is not None:
        entry["note"] = _NOTE
    if terminate_on_nan:
        entry["terminate_on_nan"] = True
    return entry


def restore_compile(model, compiled: dict | None) -> None:
    """Compile `model` as the manifest says (Keras' load_model: ready to evaluate or fit)."""
    if not compiled:
        return
    from ..training import losses

    args = {k: v for k, v in compiled.items()
            if v is not None and k not in ("loss_kwargs", "note", "optimizer_kwargs")}
    args.update(compiled.get("optimizer_kwargs") or {})
    if "loss" in args and compiled.get("loss_kwargs"):
        args["loss"] = losses.get(args["loss"], **compiled["loss_kwargs"])
    if "metrics" in args:
        args["metrics"] = [m for m in args["metrics"] if m is not None]
    if compiled.get("note") or compiled.get("loss") is None:
        warnings.warn(f"The saved model was compiled with a custom loss or metric: {_NOTE}", stacklevel=3)
    model.compile(**args)

"""The metrics' running values mid-epoch, for callbacks that show or write them now and then."""
from __future__ import annotations


def running_metrics(model) -> dict:
    """{name: float} of each scalar metric over the epoch's batches so far.

    A device sync per metric: call it every N batches or seconds, never on every batch.
    Empty when data-parallel: the callbacks that ask run on rank 0 only, and a torchmetrics
    `compute()` there would wait for a sync the other ranks never join.
    """
    trainer = getattr(model, "_trainer", None)
    if trainer is not None and trainer.fabric.world_size > 1:
        return {}
    values: dict = {}
    for m in getattr(model, "metrics", None) or []:
        value = m.compute()
        if isinstance(value, (int, float)):  # per-class dicts would flood a progress line
            values[m.name] = float(value)
    return values

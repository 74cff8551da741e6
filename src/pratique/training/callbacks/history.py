"""History: per-epoch lists of every logged value, returned by `fit`."""
from __future__ import annotations

from .base import Callback


class _Logs(dict):
    """Per-epoch lists; `["lr"]` answers `learning_rate` (Keras 2's key, still in the courses)."""

    def __missing__(self, key):
        if key == "lr" and "learning_rate" in self:
            return self["learning_rate"]
        raise KeyError(key)


class History(Callback):
    """Records the logs of each epoch; `history.history["val_loss"]` is a list, one per epoch.

    Times are kept apart from Keras' logs, in `history.timing` (so `history.history` holds the
    same keys as Keras'): per epoch `epoch_seconds` (training, validation and callbacks),
    `train_seconds` (the training pass) and `images_per_second` (training samples / training
    pass); `finetune` adds `features_seconds`, `features_images` and `features_cache_hit` when
    the frozen backbone's outputs were computed once.

    Example:
        >>> history = model.fit(x, y, epochs=3)
        >>> history.history["loss"], history.timing["epoch_seconds"]
    """

    def __init__(self):
        self.history: dict[str, list[float]] = _Logs()
        self.epoch: list[int] = []
        self.timing: dict = {"epoch_seconds": [], "train_seconds": [], "images_per_second": []}

    def record_time(self, epoch_seconds: float, train_seconds: float, images_per_second: float) -> None:
        """One epoch's times (the trainer calls it after the epoch's callbacks)."""
        for key, value in zip(("epoch_seconds", "train_seconds", "images_per_second"),
                              (epoch_seconds, train_seconds, images_per_second)):
            self.timing[key].append(round(float(value), 4))

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)

    def _repr_html_(self) -> str:
        """One row per epoch, one column per logged value, for Jupyter."""
        from ..._html import table

        keys = list(self.history)
        rows = [(e + 1, *(_at(self.history[k], i) for k in keys)) for i, e in enumerate(self.epoch)]
        return table(("epoch", *keys), rows, caption=f"History ({len(self.epoch)} epochs)")

    def state_dict(self) -> dict:
        # timings are this process' own: a resumed fit times the epochs it runs
        return {"history": {k: list(v) for k, v in self.history.items()}, "epoch": list(self.epoch)}

    def load_state_dict(self, state: dict) -> None:
        self.history = _Logs({k: list(v) for k, v in state["history"].items()})
        self.epoch = list(state["epoch"])


def _at(values: list, i: int):
    value = values[i] if i < len(values) else ""
    return float(value) if hasattr(value, "item") else value  # 0-d tensors as plain floats

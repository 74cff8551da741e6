"""Keras' one-batch methods and `load_weights`, on `Model` (a mixin: model.py stays readable).

`train_on_batch` is one optimizer step on the whole batch given, as Keras does: the loss and
metrics returned are those of that batch, computed before the update; `test_on_batch` and
`predict_on_batch` evaluate and predict the batch as one batch.
"""
from __future__ import annotations

import os

from ..core.errors import PratiqueError


class KerasBatchMethods:
    """`train_on_batch`, `test_on_batch`, `predict_on_batch`, `load_weights` (Keras' names)."""

    def train_on_batch(self, x, y=None, return_dict: bool = False):
        """One optimizer step on `(x, y)`; returns the batch's loss, `[loss, *metrics]`, or a
        dict with `return_dict=True` (Keras' return values)."""
        n = len(x[0] if isinstance(x, tuple) and y is None else x)
        history = self.fit(x, y, epochs=1, batch_size=n, shuffle=False, verbose=0).history
        logs = {k: v[-1] for k, v in history.items() if k not in ("learning_rate", "lr")}
        return _keras_return(logs, return_dict)

    def test_on_batch(self, x, y=None, return_dict: bool = False):
        """The loss (and metrics) of `(x, y)` as one batch, in eval mode."""
        n = len(x[0] if isinstance(x, tuple) and y is None else x)
        return self.evaluate(x, y, batch_size=n, verbose=0, return_dict=return_dict)

    def predict_on_batch(self, x):
        """The module's outputs for `x` as one batch, as a numpy array."""
        return self.predict(x, batch_size=len(x))

    def load_weights(self, path) -> None:
        """Load weights written by `save_weights` (or `ModelCheckpoint(save_weights_only=True)`)
        into this model, strictly: every tensor or none."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        from .model import _load_strict

        if not os.path.isfile(path):
            raise PratiqueError(f"No weights file at {os.fspath(path)!r}. Expected a file written by "
                                "model.save_weights(path); for a .pratique file use pq.load(path).")
        try:
            state = load_file(os.fspath(path))
        except SafetensorError as e:
            raise PratiqueError(f"{os.fspath(path)!r} is not a weights file written by save_weights "
                                f"(safetensors): {e}. For a .pratique file use pq.load(path); for a "
                                "training checkpoint, model.load_checkpoint(path).") from None
        _load_strict(self.module, state, path)


def _keras_return(logs: dict, return_dict: bool):
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values

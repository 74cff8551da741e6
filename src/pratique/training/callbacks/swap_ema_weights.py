"""SwapEMAWeights: keep an exponential moving average of the weights; evaluate with it."""
from __future__ import annotations

import torch

from ..._errors import PratiqueError
from .base import Callback


class SwapEMAWeights(Callback):
    """Track an EMA of the weights, and swap it in for evaluation (Keras' SwapEMAWeights).

    After every batch `ema = decay * ema + (1 - decay) * weights` (one fused foreach op on the
    device, no host sync). During fit's validation the EMA weights are swapped in and out.
    With `swap_on_epoch=True` they are swapped in at the end of each epoch (so ModelCheckpoint
    saves them) and out at the start of the next. When training ends the model keeps the EMA
    weights if `finalize` (as Keras' `use_ema` optimizers do).

    Args:
        decay: the EMA decay, in [0, 1).
        swap_on_epoch: swap at epoch boundaries too, for other callbacks.
        finalize: leave the EMA weights in the model at the end of training.

    Example:
        >>> model.fit(x, y, callbacks=[SwapEMAWeights(decay=0.99)])
    """

    float_batch_logs = False  # reads no logs: the EMA step needs no sync

    def __init__(self, decay: float = 0.999, swap_on_epoch: bool = False, finalize: bool = True):
        if not 0.0 <= decay < 1.0:
            raise PratiqueError(f"decay must be in [0, 1). Received: decay={decay!r}")
        self.decay, self.swap_on_epoch, self.finalize = decay, swap_on_epoch, finalize
        self.ema: list[torch.Tensor] | None = None
        self.swapped = False

    def _tensors(self) -> list[torch.Tensor]:
        # floating parameters and buffers (BatchNorm statistics too); counters are copied as they are
        return [t for t in self.model.module.state_dict(keep_vars=True).values() if t.is_floating_point()]

    def on_train_begin(self, logs=None):
        self._live = [t.detach() for t in self._tensors()]  # same storage as the model's
        if self.ema is None:
            self.ema = [t.clone() for t in self._live]

    def on_train_batch_end(self, batch, logs=None):
        with torch.no_grad():
            torch._foreach_lerp_(self.ema, self._live, 1.0 - self.decay)

    def swap(self) -> None:
        """Exchange the model's weights and the EMA weights (in place)."""
        with torch.no_grad():
            for live, avg in zip(self._tensors(), self.ema):
                tmp = live.detach().clone()
                live.data.copy_(avg)
                avg.copy_(tmp)
        self.swapped = not self.swapped

    def on_test_begin(self, logs=None):
        if not self.swapped and self.ema is not None:
            self.swap()
            self._test_swap = True

    def on_test_end(self, logs=None):
        if getattr(self, "_test_swap", False):
            self.swap()
            self._test_swap = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self.swapped:
            self.swap()

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self.swapped:
            self.swap()

    def on_train_end(self, logs=None):
        if self.finalize and not self.swapped or not self.finalize and self.swapped:
            self.swap()
        self.swapped = False  # training is over: the model's weights are now the ones kept

    def state_dict(self) -> dict:
        return {"ema": self.ema, "swapped": self.swapped}

    def load_state_dict(self, state: dict) -> None:
        self.ema, self.swapped = state["ema"], state["swapped"]

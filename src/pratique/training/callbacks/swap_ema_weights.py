"""SwapEMAWeights: evaluate (and checkpoint) with the exponential moving average of the weights."""
from __future__ import annotations

import torch

from ...core.errors import PratiqueError
from .base import Callback


class SwapEMAWeights(Callback):
    """Swap the EMA of the weights in for evaluation (Keras' SwapEMAWeights).

    As Keras: the EMA is the optimizer's, `compile(..., use_ema=True, ema_momentum=0.99)`.
    During validation (and evaluate / predict, when passed as a callback) the EMA weights are
    swapped in and out again; with `swap_on_epoch=True` they are swapped in at the end of each
    epoch (so ModelCheckpoint saves them) and out at the start of the next. At the end of fit
    the model keeps the EMA weights (Keras' `finalize_variable_values`).

    pratique's extension: `decay=` keeps the callback's own EMA (floating parameters and
    buffers, BatchNorm statistics too), updated after every batch, without `use_ema`.

    Args:
        swap_on_epoch: swap at epoch boundaries too, for other callbacks.
        decay: the callback's own EMA decay in [0, 1); None (default) uses the optimizer's EMA.
        finalize: with `decay`, leave the EMA weights in the model at the end of training.

    Example:
        >>> model.compile("sgd", loss="mse", use_ema=True, ema_momentum=0.9)
        >>> model.fit(x, y, validation_split=0.2, callbacks=[SwapEMAWeights()])
    """

    float_batch_logs = False  # reads no logs: the EMA step needs no sync

    def __init__(self, swap_on_epoch: bool = False, decay: float | None = None, finalize: bool = True):
        if not isinstance(swap_on_epoch, bool):  # the old signature was (decay, swap_on_epoch)
            raise PratiqueError(f"swap_on_epoch must be True or False. Received: {swap_on_epoch!r}. "
                                "For the callback's own EMA pass decay= by name: SwapEMAWeights(decay=0.999).")
        if decay is not None and not 0.0 <= decay < 1.0:
            raise PratiqueError(f"decay must be in [0, 1). Received: decay={decay!r}")
        self.decay, self.swap_on_epoch, self.finalize = decay, swap_on_epoch, finalize
        self.ema: list[torch.Tensor] | None = None
        self.swapped = False
        if decay is not None:  # only then is there a batch hook for the loop to call
            self.on_train_batch_end = self._update_own

    # -- the optimizer's EMA (Keras) or our own -------------------------------------------------
    def _optimizer_ema(self):
        ema = getattr(getattr(self.model, "optimizer", None), "ema", None)
        if ema is None:
            raise PratiqueError(
                "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                "Received: use_ema=False. Compile with model.compile(..., use_ema=True, "
                "ema_momentum=0.99), or give the callback its own EMA: SwapEMAWeights(decay=0.999).")
        return ema

    def _in_model(self) -> bool:
        return self.swapped if self.decay is not None else self._optimizer_ema().swapped

    def _tensors(self) -> list[torch.Tensor]:
        # floating parameters and buffers (BatchNorm statistics too); counters are copied as they are
        return [t for t in self.model.module.state_dict(keep_vars=True).values() if t.is_floating_point()]

    def on_train_begin(self, logs=None):
        if self.decay is None:
            self._optimizer_ema()  # fail before the first batch, not at the first validation
            return
        self._live = [t.detach() for t in self._tensors()]  # same storage as the model's
        if self.ema is None:
            self.ema = [t.clone() for t in self._live]

    def _update_own(self, batch, logs=None):
        with torch.no_grad():
            torch._foreach_lerp_(self.ema, self._live, 1.0 - self.decay)

    def swap(self) -> None:
        """Exchange the model's weights and the EMA weights (in place)."""
        if self.decay is None:
            self._optimizer_ema().swap()
            return
        with torch.no_grad():
            for live, avg in zip(self._tensors(), self.ema):
                tmp = live.detach().clone()
                live.data.copy_(avg)
                avg.copy_(tmp)
        self.swapped = not self.swapped

    # -- Keras' hooks -----------------------------------------------------------------------------
    def _swap_in(self):
        if not self._in_model() and (self.decay is None or self.ema is not None):
            self.swap()
            return True
        return False

    def on_test_begin(self, logs=None):
        self._test_swap = self._swap_in()

    def on_test_end(self, logs=None):
        if getattr(self, "_test_swap", False):
            self.swap()
            self._test_swap = False

    on_predict_begin, on_predict_end = on_test_begin, on_test_end

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap_in()

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._in_model():
            self.swap()

    def on_train_end(self, logs=None):
        if self.decay is None:
            return  # the trainer finalized the optimizer's EMA before on_train_end (as Keras)
        if self.finalize and not self.swapped or not self.finalize and self.swapped:
            self.swap()
        self.swapped = False  # training is over: the model's weights are now the ones kept

    def state_dict(self) -> dict:
        if self.decay is None:  # the optimizer's EMA: resume saves it with this callback
            ema = getattr(getattr(self.model, "optimizer", None), "ema", None)
            return {"optimizer_ema": ema.state_dict()} if ema is not None else {}
        return {"ema": self.ema, "swapped": self.swapped}

    def load_state_dict(self, state: dict) -> None:
        if "optimizer_ema" in state:
            self._optimizer_ema().load_state_dict(state["optimizer_ema"])
        elif "ema" in state:
            self.ema, self.swapped = state["ema"], state["swapped"]

"""SIGINT / SIGTERM during fit: note the signal, stop at the next batch boundary, save, explain.

A signal handler must do almost nothing, so it only records the signal and calls `on_signal`
(which arms a per-batch hook); the loop writes the emergency checkpoint at the next batch
boundary, where the state is consistent. A second Ctrl-C stops at once, without a checkpoint.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Callable

from ..core.errors import PratiqueError

_SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None))
                 if s is not None)


class TrainingInterrupted(KeyboardInterrupt):
    """Raised after an emergency checkpoint was written; `.checkpoint` is its path.

    A KeyboardInterrupt, so scripts stop (exit status 130) and notebooks get control back.
    """

    def __init__(self, message: str, checkpoint: str | None = None, signum: int | None = None):
        super().__init__(message)
        self.checkpoint = checkpoint
        self.signum = signum


class NonFiniteLoss(PratiqueError):
    """The loss became NaN or infinite; raised before the update that would spread it."""


class InterruptGuard:
    """Install SIGINT/SIGTERM handlers for the duration of a `with` block, then restore the
    previous ones. Outside the main thread (where handlers cannot be installed) it does nothing.

    Args:
        on_signal: called (in the main thread, between bytecodes) with the signal number.

    Example:
        >>> with InterruptGuard(lambda signum: print("stopping")):
        ...     train()
    """

    def __init__(self, on_signal: Callable[[int], None]):
        self.on_signal = on_signal
        self.signum: int | None = None
        self._previous: dict = {}

    def _handle(self, signum, frame):
        if self.signum is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt("Second Ctrl-C: stopped without an emergency checkpoint.")
        self.signum = signum
        self.on_signal(signum)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for s in _SIGNALS:
                self._previous[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        self._previous = {}


def signal_name(signum: int | None) -> str:
    try:
        return signal.Signals(signum).name
    except (ValueError, TypeError):
        return f"signal {signum}"


def resume_hint(path: str) -> str:
    """How to continue from `path`, for the CLI and for Python."""
    return (f"Resume with:  pratique train --resume {path}\n"
            f"          or  model.fit(..., resume_from={path!r})")


def non_finite_loss(loss, epoch: int, batch: int, checkpoint: str | None) -> NonFiniteLoss:
    """The error for a NaN/inf loss at (0-based) `epoch`, `batch`, saying what was kept."""
    kept = (f"The last good checkpoint {checkpoint!r} was kept. " if checkpoint
            else "No checkpoint was written for this run. ")
    return NonFiniteLoss(
        f"The loss is {float(loss.detach())} at epoch {epoch + 1}, batch {batch + 1}: training stopped before "
        f"this update, so the model holds the weights from before batch {batch + 1}. {kept}"
        "Expected a finite loss; try a lower learning rate, gradient clipping, or check the "
        "inputs of this batch for NaN/inf.")

"""Argument checks of Model's fit / evaluate / predict: each refuses bad input before any work."""
from __future__ import annotations

from ..core.errors import PratiqueError
from ..training.callbacks import Callback


def check_image_data_fit(data, y, batch_size, validation_data, validation_split,
                         validation_batch_size=None) -> None:
    """An ImageData carries its own splits and batch size: fit arguments that would be ignored
    are refused instead."""
    given = [name for name, value in (("y", y), ("validation_data", validation_data),
                                      ("validation_split", validation_split or None)) if value is not None]
    kind = "SeriesData" if type(data).__name__ == "SeriesData" else "ImageData"
    if given:
        raise PratiqueError(
            f"fit({kind}) takes no {', '.join(given)}: the {kind} carries its own validation "
            f"split. Received: {', '.join(given)}. Build it with val_split=0.2 (or a val folder) instead.")
    for name, size in (("batch_size", batch_size), ("validation_batch_size", validation_batch_size)):
        if size is not None and size != data.batch_size:
            raise PratiqueError(
                f"fit({kind}) batches with the {kind}'s batch_size={data.batch_size}. Received: "
                f"{name}={size}. Pass batch_size={size} when building the {kind}.")


def as_callbacks(callbacks) -> list:
    """`callbacks` (None, a Callback or a list of them) as a new list; anything else is refused."""
    callbacks = [callbacks] if isinstance(callbacks, Callback) else list(callbacks or [])
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise PratiqueError(f"callbacks must be Callback instances (pratique.callbacks). "
                                f"Received: {type(cb).__name__}. Pass e.g. callbacks=[LambdaCallback(...)].")
    return callbacks


def check_int(name: str, value, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise PratiqueError(f"{name} must be an int >= {minimum}. Received: {name}={value!r}")


def check_validation_freq(freq) -> None:
    """Keras' validation_freq: an int >= 1 (every N-th epoch) or a list of epochs, from 1."""
    if isinstance(freq, list) and all(isinstance(e, int) and not isinstance(e, bool) and e >= 1 for e in freq):
        return
    if not isinstance(freq, int) or isinstance(freq, bool) or freq < 1:
        raise PratiqueError("validation_freq must be an int >= 1 (validate every N-th epoch) or a "
                            f"list of epochs counted from 1. Received: validation_freq={freq!r}")


def check_verbose(verbose) -> None:
    if verbose not in (0, 1, 2, "auto") or isinstance(verbose, bool):
        raise PratiqueError(f"verbose must be 0 (silent), 1, 2 or 'auto'. Received: verbose={verbose!r}")


def check_schedule_callbacks(schedule, callbacks) -> None:
    """A compiled per-batch schedule sets the LR at every batch, so an LR callback's change
    would be undone at the next one; Keras refuses the combination too (its optimizer with a
    LearningRateSchedule has no settable LR)."""
    from ..training.callbacks import LearningRateScheduler, ReduceLROnPlateau

    if schedule is None or getattr(schedule, "name", schedule) == "constant":
        return
    clashing = [type(cb).__name__ for cb in callbacks
                if isinstance(cb, (LearningRateScheduler, ReduceLROnPlateau))]
    if clashing:
        raise PratiqueError(
            f"The model was compiled with schedule={getattr(schedule, 'name', schedule)!r}, which sets the "
            f"learning rate at every batch, and fit received {', '.join(clashing)}, which sets it "
            "too: the callback's rate would be undone at the next batch. Expected one of the two. "
            "Compile without schedule= to let the callback drive the rate, or drop the callback.")


def warn_if_nothing_trains(module) -> None:
    """Keras fits a model without trainable weights, with a warning: the loss and metrics are
    computed, nothing is updated."""
    if not any(p.requires_grad for p in module.parameters()):
        import warnings

        warnings.warn("The model does not have any trainable weights (all frozen, or none at all): "
                      "fit computes the loss and metrics and updates nothing. Unfreeze some layers "
                      "(requires_grad=True) to train.", UserWarning, stacklevel=3)


def steps_per_epoch_batches(train, steps: int, resume_from):
    """`train` cut into epochs of `steps` batches; refused with resume_from, whose saved data
    position counts whole passes over the data."""
    from ..training.steps import StepsPerEpoch

    check_int("steps_per_epoch", steps, 1)
    if resume_from is not None:
        raise PratiqueError("fit(steps_per_epoch=...) cannot resume from a checkpoint: the saved "
                            f"data position counts whole epochs. Received: steps_per_epoch={steps}, "
                            f"resume_from={resume_from!r}. Resume without steps_per_epoch.")
    return StepsPerEpoch(train, steps)

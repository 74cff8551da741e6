"""LambdaCallback: a callback made of plain functions, one per hook."""
from __future__ import annotations

from ..._errors import PratiqueError
from .base import _HOOKS, Callback

_ALIASES = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}


class LambdaCallback(Callback):
    """Build a callback from functions (Keras' LambdaCallback).

    Args:
        **hooks: any hook name (on_epoch_end, on_train_begin, on_train_batch_end, ...; Keras'
            on_batch_begin / on_batch_end are aliases of the train batch hooks) mapped to a
            function with that hook's arguments, e.g. `on_epoch_end=lambda epoch, logs: ...`.

    Example:
        >>> LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, **hooks):
        for name, fn in hooks.items():
            hook = _ALIASES.get(name, name)
            if hook not in _HOOKS:
                raise PratiqueError(f"LambdaCallback has no hook {name!r}. Expected one of: "
                                    f"{', '.join(_HOOKS)}.")
            if fn is not None:
                setattr(self, hook, fn)  # an instance attribute: the loop sees it as overridden

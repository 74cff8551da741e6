"""LambdaCallback: a callback made of plain functions, one per hook."""
from __future__ import annotations

from ...core.errors import PratiqueError
from .base import _HOOKS, Callback

_ALIASES = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}


class LambdaCallback(Callback):
    """Build a callback from functions (Keras' LambdaCallback).

    Args:
        on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
        on_train_batch_end, **kwargs: any hook name (on_test_begin, on_predict_end, ...; Keras'
            on_batch_begin / on_batch_end are aliases of the train batch hooks) mapped to a
            function with that hook's arguments, e.g. `on_epoch_end=lambda epoch, logs: ...`.
            As Keras, other keywords (not starting with "on_") become attributes.

    Example:
        >>> LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}
        for name, fn in hooks.items():
            if fn is None:
                continue
            hook = _ALIASES.get(name, name)
            if hook in _HOOKS:
                setattr(self, hook, fn)  # an instance attribute: the loop sees it as overridden
            elif name.startswith("on_"):  # a misspelt hook would never be called: say so
                raise PratiqueError(f"LambdaCallback has no hook {name!r}. Expected one of: "
                                    f"{', '.join(_HOOKS)} (or on_batch_begin / on_batch_end).")
            else:  # as Keras: any other keyword becomes an attribute (e.g. a helper function)
                setattr(self, name, fn)

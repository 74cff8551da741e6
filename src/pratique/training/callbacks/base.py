"""Keras' callback hooks, and the list that calls them in order."""
from __future__ import annotations


class Callback:
    """Base class: override the hooks you need. `self.model` is the `Model` being trained.

    Hooks (Keras' names): on_train_begin/end, on_epoch_begin/end, on_train_batch_begin/end,
    on_test_begin/end, on_test_batch_begin/end, on_predict_begin/end, on_predict_batch_begin/end.
    Callbacks that hold state return it from `state_dict()` so resume restores it.
    """

    model = None

    def set_model(self, model) -> None:
        self.model = model

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


class CallbackList:
    """Calls each hook on every callback, in order. Batch hooks are skipped entirely when no
    callback overrides them, which keeps the hot loop free of empty calls."""

    def __init__(self, callbacks, model):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
        for hook in _HOOKS:
            overriding = [getattr(cb, hook) for cb in self.callbacks
                          if getattr(type(cb), hook) is not getattr(Callback, hook)]
            setattr(self, hook, _fan_out(overriding))
        self.wants_train_batch_end = any(
            type(cb).on_train_batch_end is not Callback.on_train_batch_end for cb in self.callbacks)

    def __iter__(self):
        return iter(self.callbacks)


def _fan_out(methods):
    if not methods:
        return lambda *args, **kwargs: None

    def call(*args, **kwargs):
        for m in methods:
            m(*args, **kwargs)

    return call

"""Keras' callback hooks, and the list that calls them in order."""
from __future__ import annotations


class Callback:
    """Base class: override the hooks you need. `self.model` is the `Model` being trained;
    `self.params` describes the call (Keras' `params`): `epochs`, `steps` (batches per epoch),
    `verbose`, and in fit `do_validation` (whether there is validation data).

    Hooks (Keras' names): on_train_begin/end, on_epoch_begin/end, on_train_batch_begin/end
    (or their Keras aliases on_batch_begin/end),
    on_test_begin/end, on_test_batch_begin/end, on_predict_begin/end, on_predict_batch_begin/end.
    Callbacks that hold state return it from `state_dict()` so resume restores it.
    A callback that sets `checks_finite_loss = True` makes the loop test each batch's loss
    before the update and call its `on_invalid_loss(batch, loss)` (one host sync per batch,
    paid only when asked for).
    A callback that sets `wants_outputs = True` finds the batch's `outputs` and `targets` in the
    logs of on_train_batch_end / on_test_batch_end (references: no copy, no sync; absent else).
    A callback that overrides `transform_train_batch(x, y)` gets each training batch on the
    device (the model's input: normalized) and returns the `(x, y)` to train on (e.g.
    adversarial training), as Lightning's `on_after_batch_transfer` does.
    """

    model = None
    params: dict = {}  # noqa: RUF012  (replaced, never mutated: set_params)
    checks_finite_loss = False
    wants_outputs = False
    rank_zero_only = False  # True: the Trainer runs it on rank 0 only (data-parallel)
    # batch logs hold Keras' floats (the mean loss so far, running metrics: a device sync per
    # batch); a callback that reads them only now and then sets False and gets the loss tensor
    float_batch_logs = True

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

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
    def on_invalid_loss(self, batch, loss): pass

    def transform_train_batch(self, x, y):
        return x, y
    # Keras' aliases of the train-batch hooks: a subclass may override either name
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass


_ALIASES = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}
_OUTPUT_HOOKS = ("on_train_batch_end", "on_test_batch_end")  # where `wants_outputs` applies
_HOOKS = [name for name in vars(Callback) if name.startswith("on_") and name not in _ALIASES]


def overrides(cb: Callback, hook: str) -> bool:
    """True when `cb`'s class defines its own `hook` (or the instance was given one)."""
    return hook in vars(cb) or getattr(type(cb), hook) is not getattr(Callback, hook)


class CallbackList:
    """Calls each hook on every callback, in order. Batch hooks are skipped entirely when no
    callback overrides them, which keeps the hot loop free of empty calls."""

    def __init__(self, callbacks, model, params: dict | None = None):
        self.callbacks = list(callbacks)
        # `custom_logs`: a user's callback may add its own epoch log keys (ModelCheckpoint's check)
        for cb in self.callbacks:
            cb.set_model(model)
        self.set_params(params or {})
        self._wanted, self._floats, self._outputs = set(), set(), set()
        for hook in _HOOKS:
            overriding = [(cb, m) for cb, m in ((cb, _method(cb, hook)) for cb in self.callbacks)
                          if m is not None]
            if overriding:
                self._wanted.add(hook)
            if any(cb.float_batch_logs for cb, _ in overriding):
                self._floats.add(hook)
            if hook in _OUTPUT_HOOKS and any(cb.wants_outputs for cb, _ in overriding):
                self._outputs.add(hook)
                setattr(self, hook, _fan_out_outputs([(m, cb.wants_outputs) for cb, m in overriding]))
            else:
                setattr(self, hook, _fan_out([m for _, m in overriding]))
        self.wants_train_batch_end = self.wants("on_train_batch_end")
        self.checks_finite_loss = any(cb.checks_finite_loss for cb in self.callbacks)
        self.batch_transforms = [cb.transform_train_batch for cb in self.callbacks
                                 if overrides(cb, "transform_train_batch")]

    def set_params(self, params: dict) -> None:
        """Hand every callback `params` (Keras' `set_params`), plus `custom_logs`."""
        self.params = {**params, "custom_logs": any(map(_may_add_logs, self.callbacks))}
        for cb in self.callbacks:
            cb.set_params(self.params)

    def wants(self, hook: str) -> bool:
        """Whether any callback overrides `hook` (the loop skips the call otherwise)."""
        return hook in self._wanted

    def wants_floats(self, hook: str) -> bool:
        """Whether a callback overriding `hook` reads its logs as floats (`float_batch_logs`)."""
        return hook in self._floats

    def wants_outputs(self, hook: str) -> bool:
        """Whether a callback overriding `hook` asks for `outputs` / `targets` in its logs."""
        return hook in self._outputs

    def __iter__(self):
        return iter(self.callbacks)


def _may_add_logs(cb: Callback) -> bool:
    """Whether `cb` may add keys to the epoch logs: a user's callback (or a LambdaCallback given
    an on_epoch_end) that overrides on_epoch_end; pratique's own add only learning_rate."""
    return overrides(cb, "on_epoch_end") and (not type(cb).__module__.startswith("pratique.")
                                              or "on_epoch_end" in vars(cb))


def _method(cb: Callback, hook: str):
    """`cb`'s own `hook`; for the train-batch hooks, Keras' alias (on_batch_begin/end) when
    only that one is overridden (Keras' on_train_batch_* call it by default)."""
    if overrides(cb, hook):
        return getattr(cb, hook)
    alias = next((a for a, h in _ALIASES.items() if h == hook), None)
    return getattr(cb, alias) if alias and overrides(cb, alias) else None


def _fan_out_outputs(methods):
    """A batch hook whose logs hold `outputs` / `targets`: only the callbacks that asked see them
    (others iterate their logs as Keras' scalars)."""
    def call(batch, logs):
        plain = {k: v for k, v in logs.items() if k not in ("outputs", "targets")}
        for m, wants in methods:
            m(batch, logs if wants else plain)

    return call


def _fan_out(methods):
    if not methods:
        return lambda *args, **kwargs: None

    def call(*args, **kwargs):
        for m in methods:
            m(*args, **kwargs)

    return call

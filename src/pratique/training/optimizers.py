"""Optimizers by name: `get(name, params, lr, **kwargs)`."""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError, unknown_name
from ..core.registry import Registry
from ._fused_adam import Adam, AdamW

__all__ = ["OPTIMIZERS", "check_name", "get", "list_optimizers", "rebuild"]

_KERAS_LR = {"sgd": 0.01}  # Keras' default learning rate where it is not 1e-3 (torch's SGD: 1e-3)

_FUSABLE = {"sgd", "adam", "adamw", "adagrad"}  # fused kernels exist on CPU and CUDA (torch >= 2.4)


def _make(name: str, cls, params, lr: float | None = None, **kwargs) -> torch.optim.Optimizer:
    if name in _FUSABLE and "fused" not in kwargs and "foreach" not in kwargs:
        kwargs["fused"] = True  # one kernel for all parameters: the step costs a fraction
    try:
        return cls(params, lr=_KERAS_LR.get(name, 1e-3) if lr is None else lr, **kwargs)
    except TypeError as e:
        raise PratiqueError(f"Bad arguments for optimizer {name!r}: {e}. Received: {kwargs}") from e


# name -> optimizer class; OPTIMIZERS.get(name, params=..., lr=..., **kwargs) builds one
OPTIMIZERS = Registry("optimizer", build=_make)
for _name, _cls in {"sgd": torch.optim.SGD,
                    "adam": Adam,  # torch's, with the fused kernel called directly (_fused_adam.py)
                    "adamw": AdamW, "rmsprop": torch.optim.RMSprop,
                    "adagrad": torch.optim.Adagrad, "adadelta": torch.optim.Adadelta}.items():
    OPTIMIZERS.add(_name, _cls)


def list_optimizers(glob: str | None = None) -> list[str]:
    """Registered optimizer names, sorted, optionally matching a glob."""
    return OPTIMIZERS.list(glob)


def check_name(name) -> None:
    """Raise early (at compile time) for an unknown optimizer name."""
    if not isinstance(name, torch.optim.Optimizer) and not callable(name) and name not in OPTIMIZERS:
        raise unknown_name("optimizer", name, OPTIMIZERS)


def get(name, params, lr: float | None = None, use_ema: bool = False, ema_momentum: float = 0.99,
        **kwargs) -> torch.optim.Optimizer:
    """Build an optimizer over `params`: by name, or from a class, a `functools.partial` or a
    function `f(params, **kwargs)`, which get `lr` (when given) and `kwargs` as torch would.

    `use_ema=True` keeps an exponential moving average of the weights on the optimizer
    (`optimizer.ema`, Keras' `use_ema` / `ema_momentum`; see training/ema.py).

    Example:
        >>> opt = get("sgd", model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
        >>> opt = get(partial(torch.optim.SGD, momentum=0.9), model.parameters(), lr=0.1)
    """
    from . import ema

    optimizer = _build(name, params, lr, **kwargs)
    if use_ema:
        ema.attach(optimizer, True, ema_momentum)
    return optimizer


def _build(name, params, lr: float | None, **kwargs) -> torch.optim.Optimizer:
    if lr is not None and (not isinstance(lr, (int, float)) or isinstance(lr, bool) or lr <= 0):
        raise PratiqueError(f"lr must be a positive number. Received: lr={lr!r}")
    if isinstance(name, torch.optim.Optimizer):
        return _own(name, params, lr, kwargs)
    given = {**({"lr": lr} if lr is not None else {}), **kwargs}
    if callable(name):
        _check_partial(name, given)
        try:
            return name(params, **given)
        except TypeError as e:
            raise PratiqueError(f"Bad arguments for optimizer {_label(name)}: {e}. Received: {given}") from e
    return OPTIMIZERS.get(name, params=params, lr=lr, **kwargs)


def _label(fn) -> str:
    fn = getattr(fn, "func", fn)
    return getattr(fn, "__qualname__", type(fn).__name__)


def _check_partial(fn, given: dict) -> None:
    """partial(SGD, momentum=0.9) with compile(momentum=0.5): which one was meant is unknown."""
    import functools

    if not isinstance(fn, functools.partial):
        return
    clash = {k: (fn.keywords[k], v) for k, v in given.items() if k in fn.keywords and fn.keywords[k] != v}
    if clash:
        raise PratiqueError(
            f"The optimizer partial and compile() both set {', '.join(clash)} to different values. "
            f"Received: {', '.join(f'{k}={a!r} in the partial, {k}={b!r} in compile' for k, (a, b) in clash.items())}. "
            "Set each in one place.")


def _own(optimizer: torch.optim.Optimizer, params, lr, kwargs) -> torch.optim.Optimizer:
    """An optimizer instance as it is (Keras: it carries its own settings), if it is over `params`."""
    if lr is not None or kwargs:
        received = {**({"lr": lr} if lr is not None else {}), **kwargs}
        raise PratiqueError(
            f"An optimizer instance carries its own settings; compile() cannot change them. Received: "
            f"{received}. Pass them when building it (torch.optim.SGD(module.parameters(), lr=0.1)), "
            "or pass the class: compile(optimizer=torch.optim.SGD, lr=0.1).")
    mine = {id(p) for p in params}
    theirs = [p for g in optimizer.param_groups for p in g["params"]]
    foreign = sum(id(p) not in mine for p in theirs)
    if foreign:
        raise PratiqueError(
            f"The optimizer updates {foreign} of its {len(theirs)} parameters that are not this model's: "
            "it was built on other parameters (another module, or a copy), so fit would never change "
            "this model. Expected an optimizer over model.module.parameters(). Build it on them, or "
            "pass the optimizer's class (compile(optimizer=torch.optim.SGD, lr=0.1)).")
    return optimizer


def rebuild(optimizer: torch.optim.Optimizer, params, **overrides) -> torch.optim.Optimizer:
    """A new optimizer of the same class and settings over `params` (tensors or param groups)."""
    import inspect

    accepted = inspect.signature(type(optimizer).__init__).parameters
    settings = {k: v for k, v in optimizer.defaults.items() if k in accepted}
    settings.update(overrides)
    new = type(optimizer)(params, **settings)
    old_ema = getattr(optimizer, "ema", None)
    if old_ema is not None:  # compile(use_ema=True) holds for the rebuilt optimizer too
        from . import ema

        ema.attach(new, True, old_ema.momentum)
    return new

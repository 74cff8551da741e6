"""Optimizers by name: `get(name, params, lr, **kwargs)`."""
from __future__ import annotations

import torch

from .._errors import PratiqueError, unknown_name
from ._fused_adam import Adam, AdamW

_OPTIMIZERS = {
    "sgd": torch.optim.SGD,
    "adam": Adam,  # torch's, with the fused kernel called directly (_fused_adam.py)
    "adamw": AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
    "adadelta": torch.optim.Adadelta,
}


_FUSABLE = {"sgd", "adam", "adamw", "adagrad"}  # fused kernels exist on CPU and CUDA (torch >= 2.4)


def list_optimizers() -> list[str]:
    return sorted(_OPTIMIZERS)


def check_name(name) -> None:
    """Raise early (at compile time) for an unknown optimizer name."""
    if not isinstance(name, torch.optim.Optimizer) and not callable(name) and name not in _OPTIMIZERS:
        raise unknown_name("optimizer", name, _OPTIMIZERS)


def get(name, params, lr: float = 1e-3, use_ema: bool = False, ema_momentum: float = 0.99,
        **kwargs) -> torch.optim.Optimizer:
    """Build an optimizer by name over `params`.

    `use_ema=True` keeps an exponential moving average of the weights on the optimizer
    (`optimizer.ema`, Keras' `use_ema` / `ema_momentum`; see training/ema.py).

    Example:
        >>> opt = get("sgd", model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    """
    from . import ema

    optimizer = _build(name, params, lr, **kwargs)
    if use_ema:
        ema.attach(optimizer, True, ema_momentum)
    return optimizer


def _build(name, params, lr: float, **kwargs) -> torch.optim.Optimizer:
    if isinstance(name, torch.optim.Optimizer):
        return name
    if callable(name):
        return name(params)
    check_name(name)
    if not isinstance(lr, (int, float)) or lr <= 0:
        raise PratiqueError(f"lr must be a positive number. Received: lr={lr!r}")
    if name in _FUSABLE and "fused" not in kwargs and "foreach" not in kwargs:
        kwargs["fused"] = True  # one kernel for all parameters: the step costs a fraction
    try:
        return _OPTIMIZERS[name](params, lr=lr, **kwargs)
    except TypeError as e:
        raise PratiqueError(f"Bad arguments for optimizer {name!r}: {e}. Received: {kwargs}") from e


def rebuild(optimizer: torch.optim.Optimizer, params, **overrides) -> torch.optim.Optimizer:
    """A new optimizer of the same class and settings over `params` (tensors or param groups)."""
    import inspect

    accepted = inspect.signature(type(optimizer).__init__).parameters
    settings = {k: v for k, v in optimizer.defaults.items() if k in accepted}
    settings.update(overrides)
    return type(optimizer)(params, **settings)

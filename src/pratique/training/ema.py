"""The optimizer's exponential moving average of the weights (Keras' `use_ema=True`).

Keras keeps the EMA on the optimizer: after every step `average = momentum * average +
(1 - momentum) * weight` (the first step copies the weights), and at the end of `fit` the
weights are overwritten by their averages. `SwapEMAWeights` swaps them in for validation.
"""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError


class WeightEMA:
    """The averages of an optimizer's parameters, updated by a step post-hook."""

    def __init__(self, optimizer: torch.optim.Optimizer, momentum: float = 0.99):
        if not isinstance(momentum, (int, float)) or not 0.0 <= momentum <= 1.0:
            raise PratiqueError(f"ema_momentum must be in the range [0, 1]. Received: ema_momentum={momentum!r}")
        self.momentum = float(momentum)
        self.params = [p for g in optimizer.param_groups for p in g["params"]]
        self.averages = [p.detach().clone() for p in self.params]
        self.steps = 0
        self.swapped = False  # True while the averages are in the model (SwapEMAWeights)
        optimizer.register_step_post_hook(lambda opt, args, kwargs: self.update())

    @torch.no_grad()
    def update(self) -> None:
        live = [p.detach() for p in self.params]
        if self.steps == 0:  # as Keras: the first step starts the average at the weights
            torch._foreach_copy_(self.averages, live)
        else:  # one fused op, no host sync
            torch._foreach_lerp_(self.averages, live, 1.0 - self.momentum)
        self.steps += 1

    @torch.no_grad()
    def swap(self) -> None:
        """Exchange the weights and their averages, in place."""
        for p, avg in zip(self.params, self.averages):
            tmp = p.detach().clone()
            p.copy_(avg)
            avg.copy_(tmp)
        self.swapped = not self.swapped

    @torch.no_grad()
    def finalize(self) -> None:
        """End of fit (Keras' finalize_variable_values): the model keeps the averages."""
        if self.swapped:  # already in the model (swap_on_epoch): keep them there
            self.swapped = False
            torch._foreach_copy_(self.averages, [p.detach() for p in self.params])
            return
        if self.steps:
            torch._foreach_copy_([p.detach() for p in self.params], self.averages)

    def state_dict(self) -> dict:
        return {"averages": [a.clone() for a in self.averages], "steps": self.steps, "swapped": self.swapped}

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            torch._foreach_copy_(self.averages, [a.to(b.device) for a, b in zip(state["averages"], self.averages)])
        self.steps, self.swapped = int(state["steps"]), bool(state["swapped"])


def attach(optimizer: torch.optim.Optimizer, use_ema: bool, ema_momentum: float = 0.99) -> None:
    """Give `optimizer` an EMA of its parameters (`optimizer.ema`) when `use_ema`."""
    optimizer.ema = WeightEMA(optimizer, ema_momentum) if use_ema else None


def finalize(optimizer) -> None:
    ema = getattr(optimizer, "ema", None)
    if ema is not None:
        ema.finalize()

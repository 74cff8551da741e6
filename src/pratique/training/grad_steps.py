"""When a batch's gradients update the weights, and how they are clipped first, through Fabric.

Clipping takes Keras' optimizer arguments (`compile(clipnorm=...)`), accumulation Lightning's
(`fit(accumulate_grad_batches=...)`); both run on Fabric's `clip_gradients` and
`no_backward_sync`, which unscale mixed-precision gradients and skip DDP's all-reduce.
"""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError

__all__ = ["CLIP_ARGUMENTS", "GradientSteps", "check_accumulate", "pop_clip"]

CLIP_ARGUMENTS = ("clipnorm", "global_clipnorm", "clipvalue")  # Keras' optimizer arguments


def pop_clip(kwargs: dict) -> dict | None:
    """Take Keras' clipping arguments out of compile's optimizer kwargs: None, or {name: value}.

    As in Keras, at most one of them, each a positive number: `clipnorm` clips each parameter's
    gradient to that norm, `global_clipnorm` all gradients together (torch's
    `clip_grad_norm_`), `clipvalue` each element to [-value, value].
    """
    given = {k: kwargs.pop(k) for k in CLIP_ARGUMENTS if k in kwargs}
    given = {k: v for k, v in given.items() if v is not None}
    if len(given) > 1:
        raise PratiqueError(f"Only one of clipnorm, global_clipnorm and clipvalue can be set (as in "
                            f"Keras). Received: {given}. Keep one.")
    for k, v in given.items():
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not v > 0:
            raise PratiqueError(f"{k} must be a positive number. Received: {k}={v!r}")
    return given or None


def check_accumulate(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PratiqueError("accumulate_grad_batches must be an int >= 1 (Lightning's: the batches "
                            f"whose gradients add up before one step). Received: {value!r}")
    return value


class GradientSteps:
    """One epoch's optimizer steps: every `accumulate` batches (and at the epoch's last batch),
    as Lightning does, with each batch's loss divided by `accumulate`; the gradients are clipped
    (`clip`, from `pop_clip`) just before each step."""

    def __init__(self, fabric, module, optimizer, n_batches: int, accumulate: int = 1, clip=None):
        self.fabric, self.module, self.optimizer = fabric, module, optimizer
        self.n, self.k, self.clip = n_batches, accumulate, clip

    def begins(self, i: int) -> bool:
        """Batch `i` opens a group: its gradients start from zero."""
        return i % self.k == 0

    def backward_and_step(self, i: int, loss: torch.Tensor) -> bool:
        """Backward `loss`; step (after clipping) when batch `i` closes a group. True if stepped."""
        last = (i + 1) % self.k == 0 or i + 1 == self.n
        if self.k == 1:
            self.fabric.backward(loss)
        else:  # no all-reduce for the batches before the group's last (DDP)
            with self.fabric.no_backward_sync(self.module, enabled=not last):
                self.fabric.backward(loss / self.k)
        if not last:
            return False
        if self.clip:
            self._clip()
        self.optimizer.step()
        return True

    def _clip(self) -> None:
        (name, value), = self.clip.items()
        f = self.fabric
        if name == "global_clipnorm":
            f.clip_gradients(self.module, self.optimizer, max_norm=value, error_if_nonfinite=False)
        elif name == "clipvalue":
            f.clip_gradients(self.module, self.optimizer, clip_val=value)
        else:  # Keras' clipnorm: each parameter's gradient on its own (Fabric clips them together)
            f.strategy.precision.unscale_gradients(self.optimizer)
            for group in self.optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        torch.nn.utils.clip_grad_norm_([p], value)

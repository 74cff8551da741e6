"""Adam and AdamW whose step calls torch's fused kernel directly.

The kernel, the arguments and the state (`exp_avg`, `exp_avg_sq`, `step`) are those of
`torch.optim.Adam(fused=True)`, so the numbers are bit for bit the same and `state_dict()` is
unchanged; what is skipped is the general path's Python around the kernel, which costs more than
the kernel itself on small models (LeNet-5 on the CPU: 507 us a step through `Adam.step`, 88 us
calling the kernel; a whole training step is about 6.5 ms). Anything the direct call does not
cover (a closure, AMP grad scaling, amsgrad, capturable or differentiable groups, tensor lr or
betas, sparse or mixed device/dtype parameters, a first step) takes torch's own path.
"""
from __future__ import annotations

import torch


class _DirectFusedStep:
    decoupled = False  # AdamW: weight decay applied to the weights, not added to the gradient

    def step(self, closure=None):
        groups = None if closure is not None else self._direct_groups()
        if groups is None:
            return super().step(closure)
        kernel = torch._fused_adamw_ if self.decoupled else torch._fused_adam_
        with torch.no_grad():
            for group, params, grads, avgs, sqs, steps in groups:
                beta1, beta2 = group["betas"]
                torch._foreach_add_(steps, 1)
                kernel(params, grads, avgs, sqs, [], steps, amsgrad=False, lr=group["lr"], beta1=beta1,
                       beta2=beta2, weight_decay=group["weight_decay"], eps=group["eps"],
                       maximize=group["maximize"], grad_scale=None, found_inf=None)
        return None

    def _direct_groups(self) -> list | None:
        """Per group (group, params, grads, exp_avgs, exp_avg_sqs, steps), or None: torch's path."""
        if getattr(self, "grad_scale", None) is not None or getattr(self, "found_inf", None) is not None:
            return None
        out = []
        for group in self.param_groups:
            if not _direct_ok(group):
                return None
            params = [p for p in group["params"] if p.grad is not None]
            if not params:  # e.g. a frozen backbone's group
                continue
            states = [self.state.get(p) for p in params]
            if any(not s for s in states):
                return None  # a first step: torch creates the state
            if (len({(p.device, p.dtype) for p in params}) > 1
                           or any(p.grad.is_sparse or p.grad.device != p.device or p.grad.dtype != p.dtype
                                  for p in params)):
                return None
            out.append((group, params, [p.grad for p in params], [s["exp_avg"] for s in states],
                        [s["exp_avg_sq"] for s in states], [s["step"] for s in states]))
        return out


def _direct_ok(group: dict) -> bool:
    return (bool(group.get("fused")) and not group["amsgrad"] and not group["differentiable"]
            and not group["capturable"] and not isinstance(group["lr"], torch.Tensor)
            and not any(isinstance(b, torch.Tensor) for b in group["betas"]))


class Adam(_DirectFusedStep, torch.optim.Adam):
    """`torch.optim.Adam`; with `fused=True` each step calls the fused kernel directly."""

    @property
    def decoupled(self) -> bool:
        return bool(self.defaults.get("decoupled_weight_decay", False))


class AdamW(_DirectFusedStep, torch.optim.AdamW):
    """`torch.optim.AdamW`; with `fused=True` each step calls the fused kernel directly."""

    decoupled = True

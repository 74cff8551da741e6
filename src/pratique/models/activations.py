"""Activation functions by name: the courses' table (step, sign, linear, piecewise linear, sigmoid,
tanh, relu) and the usual modern ones.

`step` and `sign` are flat almost everywhere, so their gradient is zero (and we define it as zero at
the jump too): a network built on them cannot learn by backpropagation. They are here for the
perceptron rule (`pq.lab`) and for plotting; train with sigmoid, tanh or relu.
"""
from __future__ import annotations

import torch
from torch import nn

from ..core.errors import unknown_name


class Step(nn.Module):
    """Heaviside step: 1 where x > 0, else 0. Gradient: zero everywhere (kept in the graph)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # `0 * x` keeps the graph connected so backward() runs and yields zeros, not an error.
        return (x > 0).to(x.dtype) + 0 * x


class Sign(nn.Module):
    """Sign: +1 where x > 0, -1 where x < 0, 0 at 0. Gradient: zero everywhere."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sign(x)  # autograd defines d sign / dx = 0


class PiecewiseLinear(nn.Module):
    """Haykin's piecewise-linear unit: 0 below -1/2, x + 1/2 between, 1 above +1/2."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.clamp(x + 0.5, 0.0, 1.0)


ACTIVATIONS: dict[str, type[nn.Module]] = {
    # the courses' table
    "step": Step, "sign": Sign, "linear": nn.Identity, "piecewise_linear": PiecewiseLinear,
    "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
    # the usual modern ones
    "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "selu": nn.SELU, "gelu": nn.GELU, "silu": nn.SiLU,
    "swish": nn.SiLU, "mish": nn.Mish, "softplus": nn.Softplus, "softsign": nn.Softsign,
    "hardtanh": nn.Hardtanh, "hard_sigmoid": nn.Hardsigmoid, "hard_swish": nn.Hardswish,
    "relu6": nn.ReLU6,
}


def get_activation(name: str) -> nn.Module:
    """A fresh activation layer by name.

    Args:
        name: one of `list_activations()`, e.g. "relu", "tanh", "step".

    Example:
        >>> get_activation("piecewise_linear")(torch.tensor([-1.0, 0.0, 1.0]))  # [0.0, 0.5, 1.0]
    """
    if name not in ACTIVATIONS:
        raise unknown_name("activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]()


def list_activations() -> list[str]:
    """Names accepted by `get_activation`, sorted."""
    return sorted(ACTIVATIONS)

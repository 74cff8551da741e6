"""The small classics, written out: the MLP and LeNet-5 (more come with the models issue)."""
from __future__ import annotations

import torch.nn as nn

from .._errors import PratiqueError, unknown_name
from .registry import register_model

_ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU,
    "elu": nn.ELU, "leaky_relu": nn.LeakyReLU, "silu": nn.SiLU, "linear": nn.Identity,
}
_POOLS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}


def get_activation(name: str) -> nn.Module:
    """An activation layer by name, e.g. `get_activation("relu")`."""
    if name not in _ACTIVATIONS:
        raise unknown_name("activation", name, _ACTIVATIONS)
    return _ACTIVATIONS[name]()


def _pool(name: str) -> nn.Module:
    if name not in _POOLS:
        raise unknown_name("pool", name, _POOLS)
    return _POOLS[name](2)


@register_model("mlp", input_size=(1, 28, 28))
def mlp(num_classes=10, in_channels=1, hidden=(128,), activation="relu", dropout=0.0,
        input_size=28):
    """Multi-layer perceptron: Flatten -> [Linear -> activation -> dropout] * len(hidden) -> Linear."""
    if isinstance(input_size, int):
        input_size = (input_size, input_size)
    width = in_channels * input_size[0] * input_size[1]
    layers: list[nn.Module] = [nn.Flatten()]
    for h in hidden:
        layers += [nn.Linear(width, h), get_activation(activation)]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = h
    layers.append(nn.Linear(width, num_classes))
    return nn.Sequential(*layers)


@register_model("lenet5", input_size=(1, 28, 28))
def lenet5(num_classes=10, in_channels=1, activation="relu", pool="max", input_size=28):
    """LeNet-5 (LeCun et al., 1998): 6@5x5 -> pool -> 16@5x5 -> pool -> 120 -> 84 -> classes.

    Designed for 32x32 inputs; a 28x28 input is padded by 2 in the first convolution, as is usual
    for MNIST.
    """
    if input_size not in (28, 32):
        raise PratiqueError(f"lenet5 takes input_size 28 or 32. Received: input_size={input_size!r}")
    pad = 2 if input_size == 28 else 0
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, padding=pad), get_activation(activation), _pool(pool),  # (6, 14, 14)
        nn.Conv2d(6, 16, 5), get_activation(activation), _pool(pool),                      # (16, 5, 5)
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), get_activation(activation),
        nn.Linear(120, 84), get_activation(activation),
        nn.Linear(84, num_classes),
    )

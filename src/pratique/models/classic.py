"""The small classics, written out: perceptron, MLP, LeNet-1/4/5 and the two course CNNs.

Convolutions are fully connected across channels (every map of a layer sees every map of the
layer before), not LeNet's 1998 sparse connection table, so parameter counts differ slightly from
the paper's for LeNet-1 and LeNet-4; LeNet-5 on 32x32 has the textbook 61,706.
The defaults (relu, max-pool) train fastest; `activation="tanh", pool="avg"` is the 1998 network.
"""
from __future__ import annotations

from torch import nn

from ..core.errors import PratiqueError, unknown_name
from .activations import get_activation
from .registry import register_model

_POOLS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}


def _pool(name: str) -> nn.Module:
    if name not in _POOLS:
        raise unknown_name("pool", name, _POOLS)
    return _POOLS[name](2)


def _size(input_size) -> tuple[int, int]:
    return (input_size, input_size) if isinstance(input_size, int) else tuple(input_size)


@register_model("perceptron", input_size=(1, 28, 28))
def perceptron(num_classes=10, in_channels=1, input_size=28, activation="linear"):
    """Single-layer perceptron: Flatten -> Linear -> activation (one neuron per class)."""
    h, w = _size(input_size)
    return nn.Sequential(nn.Flatten(), nn.Linear(in_channels * h * w, num_classes),
                         get_activation(activation))


@register_model("mlp", input_size=(1, 28, 28))
def mlp(num_classes=10, in_channels=1, hidden=(128,), activation="relu", dropout=0.0,
        input_size=28, input_length=None):
    """Multi-layer perceptron: Flatten -> [Linear -> activation -> dropout] * len(hidden) -> Linear.

    On images (C, H, W) give `input_size` (H, or (H, W)); on series or windows (C, L) give
    `input_length` (L): the first layer takes C * L values.
    """
    h, w = (1, input_length) if input_length is not None else _size(input_size)
    width = in_channels * h * w
    layers: list[nn.Module] = [nn.Flatten()]
    for units in hidden:
        layers += [nn.Linear(width, units), get_activation(activation)]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = units
    layers.append(nn.Linear(width, num_classes))
    return nn.Sequential(*layers)


def _lenet_pad(name: str, input_size) -> int:
    if input_size not in (28, 32):
        raise PratiqueError(f"{name} takes input_size 28 or 32. Received: input_size={input_size!r}")
    return 2 if input_size == 28 else 0  # 28x28 MNIST is padded to the 32x32 of the design


@register_model("lenet1", input_size=(1, 28, 28))
def lenet1(num_classes=10, in_channels=1, activation="relu", pool="max"):
    """LeNet-1 (LeCun et al., 1989): 4@5x5 -> pool -> 12@5x5 -> pool -> classes, on 28x28."""
    def act():
        return get_activation(activation)

    return nn.Sequential(
        nn.Conv2d(in_channels, 4, 5), act(), _pool(pool),  # (4, 24, 24) -> (4, 12, 12)
        nn.Conv2d(4, 12, 5), act(), _pool(pool),           # (12, 8, 8) -> (12, 4, 4)
        nn.Flatten(), nn.Linear(12 * 4 * 4, num_classes),
    )


@register_model("lenet4", input_size=(1, 28, 28))
def lenet4(num_classes=10, in_channels=1, activation="relu", pool="max", input_size=28):
    """LeNet-4 (LeCun et al., 1995): 4@5x5 -> pool -> 16@5x5 -> pool -> 120 -> classes, on 32x32."""
    def act():
        return get_activation(activation)

    return nn.Sequential(
        nn.Conv2d(in_channels, 4, 5, padding=_lenet_pad("lenet4", input_size)), act(), _pool(pool),
        nn.Conv2d(4, 16, 5), act(), _pool(pool),  # (16, 10, 10) -> (16, 5, 5)
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), act(), nn.Linear(120, num_classes),
    )


@register_model("lenet5", input_size=(1, 28, 28))
def lenet5(num_classes=10, in_channels=1, activation="relu", pool="max", input_size=28):
    """LeNet-5 (LeCun et al., 1998): 6@5x5 -> pool -> 16@5x5 -> pool -> 120 -> 84 -> classes.

    Designed for 32x32 inputs; a 28x28 input is padded by 2 in the first convolution, as is usual
    for MNIST.
    """
    def act():
        return get_activation(activation)

    pad = _lenet_pad("lenet5", input_size)
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, padding=pad), act(), _pool(pool),  # (6, 28, 28) -> (6, 14, 14)
        nn.Conv2d(6, 16, 5), act(), _pool(pool),                        # (16, 10, 10) -> (16, 5, 5)
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), act(),
        nn.Linear(120, 84), act(),
        nn.Linear(84, num_classes),
    )


@register_model("cnn_mnist", input_size=(1, 28, 28))
def cnn_mnist(num_classes=10, in_channels=1, dropout=0.5):
    """The course's MNIST CNN: two conv-relu-pool blocks (32, 64 maps) -> dense 128 -> dropout."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 32, 3), nn.ReLU(), nn.MaxPool2d(2),  # (32, 26, 26) -> (32, 13, 13)
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),           # (64, 11, 11) -> (64, 5, 5)
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(128, num_classes),
    )


@register_model("cnn_cifar10", input_size=(3, 32, 32))
def cnn_cifar10(num_classes=10, in_channels=3):
    """The Keras CIFAR-10 example CNN: (conv32, conv32, pool, drop) (conv64, conv64, pool, drop) -> 512."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),  # (32, 15, 15)
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),  # (64, 6, 6)
        nn.Flatten(), nn.Linear(64 * 6 * 6, 512), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(512, num_classes),
    )

"""1-D networks for series (N, C, L): FCN and ResNet (Wang et al. 2017), the course's Conv1D stack.

InceptionTime lives in `inceptiontime.py`. Every convolution keeps the length (`padding="same"`,
as the Keras originals: an even kernel of 8 pads 3 on the left, 4 on the right) except in
`cnn1d`, which is the course's Keras stack with Keras' default `padding="valid"`. The networks
end in global average pooling, so they take any length; `cnn1d` flattens and needs
`input_length`.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..core.errors import PratiqueError
from .registry import MODELS, get_model_card, register_model

_SERIES = {"input_size": (1, 150), "tags": ("series",)}  # (C, L): GunPoint's length

# The default classification recipe for series (bench/series.py measures it on the bundled
# GunPoint, ItalyPowerDemand and BasicMotions). "per_series": each series and channel minus its
# mean over time, divided by its std (UCR's z-normalization). The cosine decay matters: with a
# constant Adam rate the last epochs jump between minima (0.60 on GunPoint once, data README).
FCN_RECIPE = {"epochs": 100, "batch_size": 16, "optimizer": "adam", "lr": 1e-3,
              "schedule": "cosine", "loss": "cross_entropy", "normalize": "per_series"}


class SameConv1d(nn.Conv1d):
    """Conv1d keeping the length, padded as Keras' `padding="same"`: kernel - 1 zeros, the extra
    one on the right for even kernels (torch's `padding="same"` does the same, with a warning)."""

    def __init__(self, c_in: int, c_out: int, kernel: int, bias: bool = True):
        super().__init__(c_in, c_out, kernel, bias=bias)
        self.pad = ((kernel - 1) // 2, kernel // 2)  # (left, right)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, C, L) -> (N, c_out, L)
        return super().forward(F.pad(x, self.pad))


def _conv_bn(c_in: int, c_out: int, kernel: int, relu: bool = True) -> list[nn.Module]:
    layers = [SameConv1d(c_in, c_out, kernel), nn.BatchNorm1d(c_out)]
    return layers + [nn.ReLU()] if relu else layers


class GlobalAvgPool1d(nn.Module):
    """(N, C, L) -> (N, C): Keras' GlobalAveragePooling1D."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=-1)


@register_model("fcn", min_input_size=(1, 8), recipe=FCN_RECIPE, **_SERIES)
def fcn(num_classes=10, in_channels=1, filters=(128, 256, 128), kernels=(8, 5, 3)):
    """FCN (Wang et al., 2017): 3 conv-BN-ReLU blocks (128, 256, 128 maps; kernels 8, 5, 3) -> GAP -> linear."""
    if len(filters) != len(kernels):
        raise PratiqueError(f"fcn takes one kernel per block. Received filters={filters}, "
                            f"kernels={kernels}. Pass two tuples of the same length.")
    layers: list[nn.Module] = []
    width = in_channels
    for f, k in zip(filters, kernels):
        layers += _conv_bn(width, f, k)  # (f, L)
        width = f
    return nn.Sequential(*layers, GlobalAvgPool1d(), nn.Linear(width, num_classes))


class ResidualBlock1d(nn.Module):
    """Three conv-BN (kernels 8, 5, 3) plus a shortcut (1x1 conv + BN when the width changes,
    BN alone otherwise, as in Fawaz et al.'s code), then ReLU."""

    def __init__(self, c_in: int, c_out: int, kernels=(8, 5, 3)):
        super().__init__()
        layers: list[nn.Module] = []
        width = c_in
        for i, k in enumerate(kernels):
            layers += _conv_bn(width, c_out, k, relu=i < len(kernels) - 1)
            width = c_out
        self.body = nn.Sequential(*layers)
        self.shortcut = (nn.Sequential(nn.Conv1d(c_in, c_out, 1), nn.BatchNorm1d(c_out))
                         if c_in != c_out else nn.BatchNorm1d(c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, c_in, L) -> (N, c_out, L)
        return torch.relu(self.body(x) + self.shortcut(x))


@register_model("resnet1d", min_input_size=(1, 8), **_SERIES)
def resnet1d(num_classes=10, in_channels=1, filters=(64, 128, 128)):
    """ResNet for series (Wang et al., 2017): 3 residual blocks (64, 128, 128 maps; kernels 8, 5, 3) -> GAP -> linear."""
    blocks, width = [], in_channels
    for f in filters:
        blocks.append(ResidualBlock1d(width, f))
        width = f
    return nn.Sequential(*blocks, GlobalAvgPool1d(), nn.Linear(width, num_classes))


def _cnn1d_length(length: int, kernel: int, blocks: int) -> int:
    for _ in range(blocks):
        length = (length - kernel + 1) // 2  # valid convolution, then max-pool 2
    return length


@register_model("cnn1d", **_SERIES)
def cnn1d(num_classes=10, in_channels=1, input_length=150, filters=(32, 64), kernel_size=3,
          hidden=100):
    """The course's Conv1D stack: [Conv1D -> ReLU -> MaxPool1D(2)] x 2 -> flatten -> dense -> classes."""
    out_length = _cnn1d_length(input_length, kernel_size, len(filters))
    if out_length < 1:
        raise PratiqueError(f"cnn1d's {len(filters)} conv-pool blocks (kernel {kernel_size}) leave "
                            f"nothing of a series of length {input_length}. Pass a longer "
                            "input_length, a smaller kernel_size, or use fcn (any length).")
    layers: list[nn.Module] = []
    width = in_channels
    for f in filters:
        layers += [nn.Conv1d(width, f, kernel_size), nn.ReLU(), nn.MaxPool1d(2)]
        width = f
    layers += [nn.Flatten(), nn.Linear(width * out_length, hidden), nn.ReLU(),
               nn.Linear(hidden, num_classes)]
    return nn.Sequential(*layers)


def series_recipe(model: str = "fcn") -> dict:
    """The default recipe to classify series with `model` (its card's `recipe`), as plain data.

    Keys: model, epochs, batch_size, optimizer, lr, schedule, loss, normalize ("per_series").

    Example:
        >>> r = series_recipe()
        >>> clf = pq.ImageClassifier(r["model"], num_classes=2, in_channels=x.shape[1])
        >>> clf.compile(optimizer=r["optimizer"], lr=r["lr"], schedule=r["schedule"], loss=r["loss"])
        >>> clf.fit(znorm(x), y, epochs=r["epochs"], batch_size=r["batch_size"])
    """
    card = get_model_card(model)
    if not card.recipe:
        with_recipe = sorted(n for n, c in MODELS.items() if c.recipe)
        raise PratiqueError(f"Model {model!r} has no default recipe. Received model={model!r}; "
                            f"models with one: {', '.join(with_recipe)}.")
    return {"model": model, **card.recipe}

"""Autoencoders by name: dense (flattened inputs), convolutional 2-D (images) and 1-D (windows).

Each maps its input to a `latent_dim` code (`encode`) and back to the input's shape (`decode`),
so `fit(x, x)` teaches it to reconstruct. `num_classes` is taken and ignored, as every registry
builder receives it: an autoencoder's output has the shape of its input.

Outputs go through `output_activation`: "sigmoid" by default for images (pratique scales uint8
pixels to [0, 1], as the Keras tutorials do by hand), "linear" for signals (normalized windows
take any value). The code itself is linear: the bottleneck is the only constraint.
"""
from __future__ import annotations

import itertools
import math

import torch
from torch import nn

from ..core.errors import PratiqueError
from .activations import get_activation
from .registry import register_model

TAG = "autoencoder"


class Autoencoder(nn.Module):
    """`decoder(encoder(x))`, reshaped to the input's shape.

    `encode(x)` is the latent code (N, latent_dim): what `Model.embed` returns and what other
    models (scikit-learn's, a classifier head) can be trained on.
    """

    def __init__(self, encoder: nn.Module, decoder: nn.Module, latent_dim: int):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder
        self.latent_dim = latent_dim

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)  # (N, latent_dim)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x)).reshape(x.shape)


def _check_positive(name: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PratiqueError(f"{name} must be a positive int. Received: {name}={value!r}")


def _dims(input_size) -> tuple[int, ...]:
    # an int is a square image (as `mlp`); a tuple gives the sizes after the channels, (L,) for windows
    dims = (input_size, input_size) if isinstance(input_size, int) else tuple(input_size)
    if not dims or not all(isinstance(d, int) and d > 0 for d in dims):
        raise PratiqueError("input_size must be an int (a square image) or a tuple of positive ints "
                            f"((H, W) for images, (L,) for windows). Received: input_size={input_size!r}")
    return dims


def _down(name: str, size: int, times: int) -> int:
    if size % 2**times:
        raise PratiqueError(f"{name} halves its input {times} times, so each size must be divisible "
                            f"by {2**times}. Received a size of {size}. Pad or crop the inputs, or "
                            "pass fewer `channels`.")
    return size // 2**times


def _dense(num_classes=10, in_channels=1, input_size=28, latent_dim=32, hidden=(128,),
           activation="relu", output_activation="sigmoid"):
    _check_positive("latent_dim", latent_dim)
    width = in_channels * math.prod(_dims(input_size))
    sizes = [width, *hidden, latent_dim]
    enc: list[nn.Module] = [nn.Flatten()]
    dec: list[nn.Module] = []
    for a, b in itertools.pairwise(sizes):
        enc += [nn.Linear(a, b), get_activation(activation)]
    for a, b in itertools.pairwise(sizes[::-1]):
        dec += [nn.Linear(a, b), get_activation(activation)]
    enc.pop()  # a linear code
    dec[-1] = get_activation(output_activation)
    return Autoencoder(nn.Sequential(*enc), nn.Sequential(*dec), latent_dim)


@register_model("autoencoder", input_size=(1, 28, 28), tags=(TAG,))
def autoencoder(num_classes=10, in_channels=1, input_size=28, latent_dim=32, hidden=(128,),
                activation="relu", output_activation="sigmoid"):
    """Dense autoencoder: Flatten -> hidden -> latent_dim -> hidden -> the input's shape."""
    return _dense(num_classes, in_channels, input_size, latent_dim, hidden, activation,
                  output_activation)


@register_model("dense_autoencoder", input_size=(1, 28, 28), tags=(TAG,))
def dense_autoencoder(num_classes=10, in_channels=1, input_size=28, latent_dim=32, hidden=(128,),
                      activation="relu", output_activation="sigmoid"):
    """Dense autoencoder (the same as `autoencoder`): Flatten -> hidden -> latent_dim -> back."""
    return _dense(num_classes, in_channels, input_size, latent_dim, hidden, activation,
                  output_activation)


def _conv(dim: int, in_channels, dims, latent_dim, channels, kernel_size, output_activation, name):
    _check_positive("latent_dim", latent_dim)
    if not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
        raise PratiqueError(f"{name} takes an odd kernel_size (the decoder must double sizes exactly). "
                            f"Received: kernel_size={kernel_size!r}")
    conv, up = (nn.Conv1d, nn.ConvTranspose1d) if dim == 1 else (nn.Conv2d, nn.ConvTranspose2d)
    if len(dims) != dim:
        raise PratiqueError(f"{name} takes input_size {'(L,) or L' if dim == 1 else '(H, W) or an int'}. "
                            f"Received: input_size={dims!r}")
    small = tuple(_down(name, d, len(channels)) for d in dims)  # spatial size at the bottleneck
    flat = channels[-1] * math.prod(small)
    pad = kernel_size // 2
    enc: list[nn.Module] = []
    for a, b in zip((in_channels, *channels[:-1]), channels):
        enc += [conv(a, b, kernel_size, stride=2, padding=pad), nn.ReLU()]  # halves the size
    enc += [nn.Flatten(), nn.Linear(flat, latent_dim)]
    dec: list[nn.Module] = [nn.Linear(latent_dim, flat), nn.ReLU(), nn.Unflatten(1, (channels[-1], *small))]
    for a, b in zip(channels[::-1], (*channels[::-1][1:], in_channels)):
        dec += [up(a, b, kernel_size, stride=2, padding=pad, output_padding=1), nn.ReLU()]  # doubles it
    dec[-1] = get_activation(output_activation)
    return Autoencoder(nn.Sequential(*enc), nn.Sequential(*dec), latent_dim)


@register_model("conv_autoencoder", input_size=(1, 28, 28), tags=(TAG,))
def conv_autoencoder(num_classes=10, in_channels=1, input_size=28, latent_dim=32, channels=(16, 32),
                     kernel_size=3, output_activation="sigmoid"):
    """Convolutional autoencoder for images: strided Conv2d -> latent_dim -> ConvTranspose2d."""
    return _conv(2, in_channels, _dims(input_size), latent_dim, tuple(channels), kernel_size,
                 output_activation, "conv_autoencoder")


@register_model("conv1d_autoencoder", input_size=(1, 64), tags=(TAG,))
def conv1d_autoencoder(num_classes=10, in_channels=1, input_size=64, latent_dim=16, channels=(16, 32),
                       kernel_size=7, output_activation="linear"):
    """1-D convolutional autoencoder for windows (N, C, L): strided Conv1d -> latent_dim -> back."""
    size = (input_size,) if isinstance(input_size, int) else tuple(input_size)
    return _conv(1, in_channels, _dims(size), latent_dim, tuple(channels), kernel_size,
                 output_activation, "conv1d_autoencoder")

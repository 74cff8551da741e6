"""Activation maximization (DeepViz, Yosinski et al. 2015): the input that excites a unit.

Gradient ascent on the pixels from a faint random start, with the course's regularizers
applied after each step, in the model's centred pixel space (pixels minus the model's mean,
0.5 when it has none), so that "decay" and "zeroing" pull towards the average image:
  l2              x <- (1 - l2) x            (L2 decay)
  blur_every      Gaussian blur (blur_sigma) every k steps
  value_pct       zero the pixels whose norm is under this percentile (small values)
  contribution_pct zero the pixels whose |x * grad| is under this percentile (small contributions)
  jitter          shift the image by up to this many pixels before each forward (Lucid's jitter)
"""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError
from ._pixels import device_of, find_layer, pixel_module

REGULARIZERS = {"l2": 1e-3, "blur_every": 4, "blur_sigma": 0.5, "value_pct": 0.0,
                "contribution_pct": 0.0, "jitter": 1}


def maximize(model, layer: str | None = None, channel: int = 0, neuron=None, steps: int = 200,
             lr: float = 0.05, seed: int = 0, **regularizers) -> torch.Tensor:
    """The image (C, H, W), pixels in [0, 1], that maximizes one unit of `model`.

    Args:
        model: a `Model` / `ImageClassifier` (with its input_shape) or an nn.Module.
        layer: a name from `module.named_modules()` (e.g. "features.3"); None: the output
            (class logits), `channel` being the class.
        channel: the channel (conv layers), unit (dense layers) or class maximized.
        neuron: (row, col) of one position of the channel; None maximizes its spatial mean.
        steps, lr: gradient ascent (Adam) on the pixels.
        seed: the random start.
        **regularizers: l2, blur_every, blur_sigma, value_pct, contribution_pct, jitter
            (defaults in `pq.explain.REGULARIZERS`; 0 turns one off).

    Example:
        >>> img = pq.explain.maximize(model, layer="3", channel=5, steps=100)
    """
    return _ascend(model, layer, [int(channel)], neuron, steps, lr, seed, regularizers)[0][0]


def objective(model, images: torch.Tensor, layer: str | None = None, channel: int = 0, neuron=None):
    """The value maximize() climbs, for pixel images (N, C, H, W): one number per image."""
    net = pixel_module(model)
    with torch.no_grad():
        return _unit(_activation(net, layer, images.to(device_of(net))), [int(channel)] * len(images), neuron)


def _ascend(model, layer, channels, neuron, steps, lr, seed, regularizers):
    """Images (N, C, H, W) in [0, 1], one per channel, climbed together; and their objective."""
    reg = _check(regularizers, steps, lr)
    net = pixel_module(model)
    shape = _input_shape(model)
    dev = device_of(net)
    center = (net.mean if net.mean is not None else torch.full((shape[0],), 0.5)).view(1, -1, 1, 1).to(dev)
    g = torch.Generator().manual_seed(seed)
    z = (torch.randn((len(channels), *shape), generator=g) * 0.01).to(dev).requires_grad_(True)
    opt = torch.optim.Adam([z], lr=lr)
    for step in range(1, steps + 1):
        x = (z + center).clamp(0, 1)
        if reg["jitter"]:
            dy, dx = (int(v) for v in torch.randint(-reg["jitter"], reg["jitter"] + 1, (2,), generator=g))
            x = torch.roll(x, (dy, dx), dims=(2, 3))
        loss = -_unit(_activation(net, layer, x), channels, neuron).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            _regularize(z, center, reg, step)
    x = (z.detach() + center).clamp(0, 1)
    with torch.no_grad():
        return x.cpu(), _unit(_activation(net, layer, x), channels, neuron).cpu()


def _regularize(z: torch.Tensor, center: torch.Tensor, reg: dict, step: int) -> None:
    """The DeepViz regularizers, in place on the centred pixels z (N, C, H, W)."""
    if reg["l2"]:
        z.mul_(1 - reg["l2"])
    if reg["blur_every"] and step % reg["blur_every"] == 0 and reg["blur_sigma"] > 0:
        from torchvision.transforms.v2.functional import gaussian_blur

        k = 2 * round(3 * reg["blur_sigma"]) + 1
        z.copy_(gaussian_blur(z, [k, k], [reg["blur_sigma"]] * 2))
    if reg["value_pct"]:
        _zero_below(z, z.norm(dim=1, keepdim=True), reg["value_pct"])
    if reg["contribution_pct"] and z.grad is not None:
        _zero_below(z, (z * -z.grad).sum(1, keepdim=True).abs(), reg["contribution_pct"])
    z.copy_((z + center).clamp(0, 1) - center)  # stay a valid image


def _zero_below(z: torch.Tensor, score: torch.Tensor, pct: float) -> None:
    """Zero the pixels (all channels) of each image whose score (N, 1, H, W) is under the pct-th percentile."""
    cut = torch.quantile(score.flatten(1), pct / 100, dim=1).view(-1, 1, 1, 1)
    z.mul_((score >= cut).to(z.dtype))


def _activation(net, layer, x):
    if layer is None:
        return net(x)
    store = {}
    handle = find_layer(net.module, layer).register_forward_hook(lambda _m, _i, o: store.__setitem__("a", o))
    try:
        net(x)
    finally:
        handle.remove()
    return store["a"]


def _unit(a: torch.Tensor, channels, neuron) -> torch.Tensor:
    """(N,) the unit of each image: channel c of its activation, at `neuron` or averaged."""
    if not 0 <= max(channels) < a.shape[1]:
        raise PratiqueError(f"channel must be in [0, {a.shape[1] - 1}] for this layer "
                            f"({a.shape[1]} channels). Received: {max(channels)}")
    picked = a[torch.arange(len(channels)), torch.as_tensor(channels)]  # (N, *spatial)
    if neuron is not None:
        if picked.dim() == 1:
            raise PratiqueError("neuron=(row, col) needs a convolutional layer; for a dense layer "
                                "pass the unit as channel=.")
        return picked[(slice(None), *tuple(int(i) for i in neuron))]
    return picked.flatten(1).mean(1) if picked.dim() > 1 else picked


def _check(regularizers: dict, steps, lr) -> dict:
    unknown = set(regularizers) - set(REGULARIZERS)
    if unknown:
        raise PratiqueError(f"Unknown regularizer {', '.join(map(repr, sorted(unknown)))}. "
                            f"Expected some of: {', '.join(REGULARIZERS)}.")
    if not isinstance(steps, int) or steps < 1 or not lr > 0:
        raise PratiqueError(f"steps must be a positive int and lr a positive float. Received steps={steps!r}, lr={lr!r}")
    return {**REGULARIZERS, **regularizers}


def _input_shape(model) -> tuple:
    shape = getattr(model, "input_shape", None) or (getattr(model, "preprocessing", None) or {}).get("input_shape")
    if not shape or len(shape) != 3:
        raise PratiqueError("maximize needs the model's input shape (C, H, W). Received a model without "
                            "one; wrap the module: m = pq.Model(module); m.input_shape = (3, 224, 224).")
    return tuple(int(s) for s in shape)


def maximize_grid(model, layer: str | None = None, channels=None, steps: int = 200, lr: float = 0.05,
                  path=None, **regularizers):
    """A figure (saved as PNG to `path` when given) of the images that maximize each channel of
    `layer` (default: the first 16), or each class when `layer` is None; every panel titled with
    its unit and the objective reached. All units are climbed together, as one batch.

    Example:
        >>> pq.explain.maximize_grid(model, path="classes.png")          # one image per class
        >>> pq.explain.maximize_grid(model, layer="0", path="conv1.png")  # the first conv's channels
    """
    from ..reports._images import grid, show
    from ..reports.curves import plt, save_figure

    if channels is None:
        channels = range(min(16, _width(model, layer)))
    channels = [int(c) for c in channels]
    images, reached = _ascend(model, layer, channels, None, steps, lr, 0, regularizers)
    names = getattr(model, "classes", None) if layer is None else None
    rows, cols = grid(len(channels))
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.8 * rows), squeeze=False)
    for ax in axes.flat[len(channels):]:
        ax.axis("off")
    for ax, c, img, v in zip(axes.flat, channels, images, reached):
        label = names[c] if names else (f"class {c}" if layer is None else f"{layer}[{c}]")
        show(ax, img, f"{label}\n{float(v):.2f}")
    fig.suptitle(f"activation maximization: {'class logits' if layer is None else layer}", fontsize=10)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def _width(model, layer) -> int:
    """Channels (or classes) of `layer`'s output, from one forward of a gray image."""
    net = pixel_module(model)
    x = torch.full((1, *_input_shape(model)), 0.5, device=device_of(net))
    with torch.no_grad():
        return int(_activation(net, layer, x).shape[1])

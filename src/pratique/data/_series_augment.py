"""Augmentations for signals, on whole normalized batches (N, C, L), seeded by the batch generator.

jitter (Gaussian noise, std in normalized units), scaling (one factor ~ N(1, std) per series and
channel), time_shift (a circular roll by up to that fraction of the length), window_warp (a
window of that fraction of the length sped up x2 or slowed x0.5, the series then resampled to its
length; Le Guennec et al. 2016). Um et al. 2017 and Iwana & Uchida 2021 describe them.
"""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError, unknown_name

DEFAULTS = {"jitter": 0.03, "scaling": 0.1, "time_shift": 0.1, "window_warp": 0.1}
PRESETS = {"standard": {"jitter": 0.03, "scaling": 0.1, "window_warp": 0.1}}
ORDER = ("window_warp", "time_shift", "scaling", "jitter")  # shape first, then values
_FRACTIONS = ("time_shift", "window_warp")  # strengths that are fractions of the length
MOVES_TIME = ("time_shift", "window_warp")


def augment_spec(augment) -> dict:
    """{name: strength} from None, "standard", a list of names (default strengths) or a dict."""
    if augment is None or augment == "none":
        return {}
    if isinstance(augment, str) and augment in PRESETS:
        return dict(PRESETS[augment])
    if isinstance(augment, str):
        raise unknown_name("series augment", augment, [*PRESETS, *DEFAULTS, "none"])
    if isinstance(augment, (list, tuple)):
        augment = {name: None for name in augment}
    if not isinstance(augment, dict):
        raise PratiqueError("augment must be None, 'standard', a list of names or a dict {name: strength}, "
                            f"names from {list(DEFAULTS)}. Received: augment={augment!r}")
    spec = {}
    for name, value in augment.items():
        if name not in DEFAULTS:
            raise unknown_name("series augment", name, DEFAULTS)
        value = DEFAULTS[name] if value is None else value
        high = 1.0 if name in _FRACTIONS else float("inf")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < high:
            rule = "a fraction of the length in (0, 1)" if name in _FRACTIONS else "a number > 0"
            raise PratiqueError(f"augment {name!r} strength must be {rule}. Received: {value!r}")
        spec[name] = float(value)
    return spec


def augment(x: torch.Tensor, spec: dict, g: torch.Generator) -> torch.Tensor:
    """A new augmented batch (N, C, L); `x` is never written to."""
    for name in ORDER:
        if name in spec:
            x = _OPS[name](x, spec[name], g)
    return x


def jitter(x, std: float, g):
    return x + torch.randn(x.shape, generator=g) * std


def scaling(x, std: float, g):
    return x * (1 + torch.randn(x.shape[0], x.shape[1], 1, generator=g) * std)


def time_shift(x, fraction: float, g):
    """Roll each series by k steps, k uniform in [-fraction * L, fraction * L]: out[t] = x[t - k]."""
    n, _, length = x.shape
    most = int(fraction * length)
    k = torch.randint(-most, most + 1, (n, 1, 1), generator=g)
    idx = (torch.arange(length).view(1, 1, -1) - k) % length
    return torch.gather(x, 2, idx.expand_as(x))


def window_warp(x, fraction: float, g, scales=(0.5, 2.0)):
    """Stretch or squeeze a random window of each series, then resample to the same length."""
    n, _, length = x.shape
    w = max(1, round(fraction * length))
    a = torch.randint(0, length - w, (n, 1), generator=g).double() if length > w else torch.zeros(n, 1).double()
    s = torch.tensor(scales, dtype=torch.float64)[torch.randint(0, 2, (n, 1), generator=g)]  # (N, 1)
    warped = (length - 1) + w * (s - 1)  # the warped series spans [0, warped]
    u = torch.arange(length, dtype=torch.float64).view(1, -1) * warped / max(length - 1, 1)  # (N, L)
    # back from warped time u to original time t: identity before the window, / s inside, shifted after
    t = torch.where(u < a, u, torch.where(u < a + w * s, a + (u - a) / s, u - w * (s - 1)))
    t = t.clamp(0, length - 1)
    lo = t.floor().long().clamp(max=length - 2) if length > 1 else t.floor().long()
    frac = (t - lo).to(x.dtype).unsqueeze(1)  # (N, 1, L)
    hi = (lo + 1).clamp(max=length - 1)
    lo, hi = lo.unsqueeze(1).expand_as(x), hi.unsqueeze(1).expand_as(x)
    return torch.gather(x, 2, lo) * (1 - frac) + torch.gather(x, 2, hi) * frac


_OPS = {"jitter": jitter, "scaling": scaling, "time_shift": time_shift, "window_warp": window_warp}


class SeriesBatch:
    """The batch transform of SeriesData: (x, y, generator) -> (x, y). Training batches are
    augmented (`spec`); `inputs_as_targets` (autoencoders) makes y the clean inputs; NaN
    (padding kept through augmentation) becomes 0, the padding value of normalized series."""

    def __init__(self, spec: dict | None, inputs_as_targets: bool):
        self.spec, self.inputs_as_targets = spec or None, inputs_as_targets

    def __call__(self, x, y, g):
        clean = torch.nan_to_num(x, nan=0.0)
        if self.inputs_as_targets:
            y = clean
        x = clean if self.spec is None else torch.nan_to_num(augment(x, self.spec, g), nan=0.0)
        return x, y

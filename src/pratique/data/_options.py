"""ImageData's options: their defaults and their checks (before any work is done)."""
from __future__ import annotations

from ..core.errors import PratiqueError, unknown_name
from . import _flash
from .transforms import augment_spec

OPTIONS = {"image_size": None, "color_mode": None, "batch_size": 32, "augment": None,
           "normalize": True, "seed": 0, "num_workers": None, "val_split": None, "sampler": None,
           "skip_bad": False, "check": True, "memory_budget": 2 * 2**30, "classes": None,
           "cache": "disk", "cache_max_bytes": None, "cache_dir": None, "verbose": 1}


def check_options(options: dict) -> dict:
    options = _flash.transform_options(options)
    for k in options:
        if k not in OPTIONS:
            raise unknown_name("ImageData option", k, OPTIONS)
    o = {**OPTIONS, **options}
    size = o["image_size"]
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        o["image_size"] = (size, size)
    elif size is not None and not (isinstance(size, (tuple, list)) and len(size) == 2
                                   and all(isinstance(s, int) and s > 0 for s in size)):
        raise PratiqueError(f"image_size must be an int or (height, width). Received: image_size={size!r}")
    if o["color_mode"] not in (None, "rgb", "grayscale"):
        raise PratiqueError(f"color_mode must be 'rgb' or 'grayscale'. Received: {o['color_mode']!r}")
    b = o["batch_size"]
    if not isinstance(b, int) or isinstance(b, bool) or b < 1:
        raise PratiqueError(f"batch_size must be a positive int. Received: batch_size={b!r}")
    vs = o["val_split"]
    if vs is not None and not (isinstance(vs, float) and 0.0 < vs < 1.0):
        raise PratiqueError(f"val_split must be a float in (0, 1). Received: val_split={vs!r}")
    if o["sampler"] not in (None, "weighted"):
        raise PratiqueError(f"sampler must be None or 'weighted'. Received: {o['sampler']!r}")
    augment_spec(o["augment"])  # fails early on unknown arguments
    check_normalize(o["normalize"])
    if o["verbose"] not in (0, 1, 2):  # True and False are 1 and 0
        raise PratiqueError(f"verbose must be 0 (silent), 1 (progress bar) or 2 (one line). "
                            f"Received: verbose={o['verbose']!r}")
    n = o["num_workers"]
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
        raise PratiqueError(f"num_workers must be None (automatic) or an int >= 0 (0: decode in "
                            f"this process). Received: num_workers={n!r}")
    return o


def check_normalize(norm) -> None:
    if norm is True or norm is False or norm in ("dataset", "imagenet"):
        return
    pair = isinstance(norm, (tuple, list)) and len(norm) == 2
    try:
        mean, std = ([float(v) for v in part] for part in norm) if pair else (None, None)
    except (TypeError, ValueError):
        mean = std = None
    if mean is None or not mean or len(mean) != len(std) or min(std) <= 0:
        raise PratiqueError("normalize must be True (the training set's per-channel stats), "
                            "'dataset' (the same), 'imagenet', False, or (mean, std) with one value "
                            f"per channel and std > 0, e.g. ((0.5,), (0.25,)). Received: normalize={norm!r}")

"""SeriesData's checks and steps: options, val split, padding, the preprocessing config."""
from __future__ import annotations

import numpy as np
import torch

from ..core.errors import PratiqueError, unknown_name
from ._series_augment import MOVES_TIME, augment_spec
from ._series_norm import NORMALIZE, channel_stats
from .datasets import stratified_split

OPTIONS = {"batch_size": 32, "normalize": "channel", "augment": None, "seed": 0, "classes": None}


def check_val_split(vs) -> None:
    if not (isinstance(vs, float) and 0.0 < vs < 1.0):
        raise PratiqueError(f"val_split must be None or a float in (0, 1). Received: val_split={vs!r}")


def check_options(options: dict) -> dict:
    for k in options:
        if k not in {*OPTIONS, "val_split"}:
            raise unknown_name("SeriesData option", k, [*OPTIONS, "val_split"])
    o = {**OPTIONS, **options}
    b = o["batch_size"]
    if not isinstance(b, int) or isinstance(b, bool) or b < 1:
        raise PratiqueError(f"batch_size must be a positive int. Received: batch_size={b!r}")
    if o["val_split"] is not None:
        check_val_split(o["val_split"])
    if o["normalize"] not in NORMALIZE:
        raise PratiqueError("normalize must be 'channel' (the training split's per-channel mean/std), "
                            f"'series' (each series z-scored) or None. Received: normalize={o['normalize']!r}")
    if not isinstance(o["seed"], int) or isinstance(o["seed"], bool):
        raise PratiqueError(f"seed must be an int. Received: seed={o['seed']!r}")
    augment_spec(o["augment"])  # fails early on unknown names
    return o


def check_augment(spec: dict, target: str, padded: bool) -> None:
    moved = sorted(set(spec) & {*MOVES_TIME, "scaling"}) if target == "values" else []
    if moved:
        raise PratiqueError(f"augment {moved} would change the inputs but not their float targets (a "
                            "forecast or regression would learn wrong pairs). Use augment=['jitter'] or none.")
    moved = sorted(set(spec) & set(MOVES_TIME))
    if padded and moved:
        raise PratiqueError(f"augment {moved} would move the padding of series of different lengths "
                            "into the signal. Use 'jitter' and 'scaling', or series of one length.")


def val_split(xs, ys, fraction, seed, target):
    """Hold out `fraction` of the training series (stratified by class), seeded."""
    if not fraction or "val" in xs:
        return xs, ys
    y = ys["train"]
    if target == "classes":
        train_idx, val_idx = stratified_split(y.numpy(), fraction, seed)
    else:
        order = np.random.default_rng(seed).permutation(len(xs["train"]))
        cut = round(len(order) * fraction)
        val_idx, train_idx = order[:cut], order[cut:]
    if len(val_idx) == 0 or len(train_idx) == 0:
        raise PratiqueError(f"val_split={fraction} of {len(xs['train'])} series leaves an empty split. "
                            "Pass more series, another val_split, or val_split=None.")
    take = (lambda a, idx: None if a is None else a[torch.as_tensor(idx)])
    x = xs["train"]
    return ({**xs, "train": take(x, train_idx), "val": take(x, val_idx)},
            {**ys, "train": take(y, train_idx), "val": take(y, val_idx)})


def pad_to(x: torch.Tensor, length: int) -> torch.Tensor:
    if x.shape[-1] == length:
        return x
    return torch.cat([x, torch.full((*x.shape[:2], length - x.shape[-1]), float("nan"))], -1)


def preprocessing(x_train: torch.Tensor, normalize, length: int) -> dict:
    mean = std = None
    if normalize == "channel":
        mean, std = channel_stats(x_train)  # the training split only
    return {"kind": "series", "input_shape": [int(x_train.shape[1]), int(length)],
            "normalize": normalize, "mean": mean, "std": std}

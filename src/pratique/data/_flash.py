"""Lightning Flash's `transform_kwargs={"image_size", "mean", "std"}` as ImageData options.

Flash's ImageClassificationInputTransform reads images as RGB, resizes them to `image_size`
(default (196, 196)), normalizes with `mean`/`std` (default ImageNet's) and, for training only,
flips horizontally. The same options here give the same pipeline.
"""
from __future__ import annotations

from ..core.errors import PratiqueError

FLASH_DEFAULTS = {"image_size": (196, 196), "mean": (0.485, 0.456, 0.406), "std": (0.229, 0.224, 0.225)}


def transform_options(options: dict) -> dict:
    """`options` with a `transform_kwargs` entry turned into image_size, color_mode, normalize
    and augment; an option given both ways is an error."""
    if "transform_kwargs" not in options:
        return options
    options = dict(options)
    kw = options.pop("transform_kwargs") or {}
    if not isinstance(kw, dict) or set(kw) - set(FLASH_DEFAULTS):
        bad = sorted(set(kw) - set(FLASH_DEFAULTS)) if isinstance(kw, dict) else kw
        raise PratiqueError(f"transform_kwargs takes Flash's image_size, mean and std. Received: {bad!r}. "
                            "Pass other options (augment=, color_mode=...) as ImageData options.")
    both = [k for k, o in (("image_size", "image_size"), ("mean", "normalize"), ("std", "normalize"))
            if k in kw and o in options]
    if both:
        raise PratiqueError(f"{both[0]} is given both in transform_kwargs and as an option. Pass it once.")
    kw = {**FLASH_DEFAULTS, **kw}
    size = kw["image_size"]
    mean, std = (_per_channel(kw[k]) for k in ("mean", "std"))
    flash = {"image_size": size if isinstance(size, int) else tuple(size), "color_mode": "rgb",
             "normalize": (mean, std), "augment": {"horizontal_flip": True}}
    return {**flash, **options}


def _per_channel(v) -> list[float]:
    return [float(v)] * 3 if isinstance(v, (int, float)) else [float(c) for c in v]


class PredictFiles:
    """Flash's prediction-only data: `ImageData.from_files(predict_files=[...])`; pass it to
    `model.predict(data)` (or pass the list itself)."""

    def __init__(self, predict_files):
        self.predict_files = predict_files

    def __repr__(self) -> str:
        return f"PredictFiles({len(self.predict_files)} files)"


def with_predict_files(data, predict_files):
    import os

    files = [os.fspath(f) for f in predict_files]
    missing = [f for f in files if not os.path.exists(f)]
    if missing or not files:
        raise PratiqueError(f"predict_files must be existing image files. Received {len(files)} "
                            f"files, {len(missing)} missing: {missing[:5]}")
    if data is None:
        return PredictFiles(files)
    data.predict_files = files
    return data

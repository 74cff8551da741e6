"""What a `.pratique` manifest may say, checked before anything is built from it.

A model file comes from anyone. Its manifest picks an architecture and its arguments, so it
could ask for a 2 GB model, for weights from the network (`pretrained="hf-hub:..."`), for a local
file to be opened (`checkpoint_path=`), or for preprocessing that makes every prediction the same
(`std: 0`). Every field has an allowed form; anything else is refused naming the file and the
field. Nothing a manifest names is fetched or opened: the architecture is always built with
`pretrained=False`, and its weights are the file's.
"""
from __future__ import annotations

import math
import re

from ..core.errors import PratiqueError

# the manifest's keys (Model.manifest() plus what write_model_file adds)
TOP_KEYS = {"format", "pratique_version", "weights_sha256", "task", "architecture", "classes",
            "preprocessing", "input_shape", "compile", "metrics"}
# data/preprocess.py's config keys (module.py, Model.adapt_normalization and zoo.py write them)
PREPROCESSING_KEYS = {"kind", "scale", "color_mode", "image_size", "input_shape", "mean", "std",
                      "normalize",  # SeriesData's "series" / "channel" (data/_series_build.py)
                      "forecast"}  # a Forecaster's scaling and series tail (tasks/_forecast_prep.py)
TASKS = ("model", "classifier", "forecaster")
# builder arguments that fetch or open weights, in create_model or timm.create_model
SOURCE_KWARGS = {"pretrained", "checkpoint_path", "pretrained_cfg", "pretrained_cfg_overlay",
                 "cache_dir", "weights", "weights_path", "file", "url", "hf_hub_id"}
_NAME = re.compile(r"^(timm:)?[A-Za-z0-9_.\-]+$")
_PATHLIKE = re.compile(r"[/\\]|://|^~|hf[-_]hub|\.(pth|pt|bin|safetensors|ckpt|npz|h5|pkl)$", re.IGNORECASE)
MAX_SIDE = 16384  # image height and width a manifest may name
MAX_DIM = 2**24  # channels, or features of (D,) inputs
MAX_INT = 2**31
MAX_CLASSES = 1_000_000
MAX_DEPTH = 4
_SHAPE = f'"{{key}}" must list positive ints, 1 to 3 of them ([C, H, W], sides up to {MAX_SIDE})'


def check_manifest(path: str, manifest: dict) -> None:
    """Raise a PratiqueError naming `path` and the field when `manifest` is not of the allowed form."""
    def bad(what: str, value) -> PratiqueError:
        shown = repr(value)
        shown = shown if len(shown) <= 200 else shown[:200] + "..."
        return PratiqueError(f"{path!r} has a manifest.json that was refused: {what}. Received: "
                             f"{shown}. Nothing was built or loaded. Expected a file written by "
                             "Model.save(); save the model again.")

    unknown = sorted(set(manifest) - TOP_KEYS)
    if unknown:
        raise bad(f"unknown keys {unknown} (allowed: {sorted(TOP_KEYS)})", unknown)
    if manifest.get("task", "model") not in TASKS:
        raise bad(f'"task" must be one of {list(TASKS)}', manifest.get("task"))
    if (manifest.get("task") == "forecaster") != ("forecast" in (manifest.get("preprocessing") or {})):
        raise bad('a "forecaster" and only a forecaster has "preprocessing.forecast"', manifest.get("task"))
    arch = manifest.get("architecture")
    if arch is not None:
        _check_arch(arch, bad, "architecture")
    _check_classes(manifest.get("classes"), bad)
    shape = manifest.get("input_shape")
    if shape is not None and not (_dims(shape, 1, 3) or _series_shape(shape, manifest.get("preprocessing"))):
        raise bad(_SHAPE.format(key="input_shape"), shape)
    if manifest.get("preprocessing") is not None:
        _check_preprocessing(manifest["preprocessing"], bad)
    for key in ("compile", "metrics"):
        value = manifest.get(key)
        if value is not None and not (isinstance(value, dict) and _plain(value, 0)):
            raise bad(f'"{key}" must be null or a dict of numbers, strings and lists', value)


def _check_arch(arch, bad, where: str) -> None:
    if not (isinstance(arch, dict) and set(arch) <= {"name", "kwargs"}
            and isinstance(arch.get("name"), str) and isinstance(arch.get("kwargs"), dict)):
        raise bad(f'"{where}" must be null or {{"name": str, "kwargs": dict}}', arch)
    if not _NAME.match(arch["name"]):
        raise bad(f'"{where}" name must be a registered model name (letters, digits, _ . -, '
                  'optionally "timm:"), never a path or URL', arch["name"])
    _check_kwargs(arch["kwargs"], bad, where, 0)


def _check_kwargs(kwargs: dict, bad, where: str, depth: int) -> None:
    for key, value in kwargs.items():
        if key in SOURCE_KWARGS:
            raise bad(f'"{where}" kwargs may not name a weights source ({key!r}): a model file '
                      "carries its own weights and loading never fetches or opens another file", key)
        if not (isinstance(key, str) and key.isidentifier()):
            raise bad(f'"{where}" kwargs keys must be argument names', key)
        if key == "members" and isinstance(value, list):  # an ensemble's member specs
            for m in value:
                if isinstance(m, dict):
                    _check_arch(m, bad, f"{where}.members")
                elif not (isinstance(m, str) and _NAME.match(m)):
                    raise bad(f'"{where}.members" must be model names or {{"name", "kwargs"}}', m)
            continue
        if not _plain(value, depth + 1):
            raise bad(f'"{where}" kwargs {key!r} must be a number (|x| < 2**31), a bool, a short '
                      "string that is not a path or URL, or a list of these", value)


def _plain(value, depth: int) -> bool:
    """JSON values without paths or URLs, numbers in range, nested at most MAX_DEPTH."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) < MAX_INT
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return len(value) <= 200 and not _PATHLIKE.search(value)
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, list):
        return all(_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    return False


def _dims(value, low: int, high: int) -> bool:
    """A list of low..high ints: the first up to MAX_DIM (channels, features), the rest sides."""
    return (isinstance(value, list) and low <= len(value) <= high
            and all(isinstance(d, int) and not isinstance(d, bool) and 0 < d for d in value)
            and value[0] <= MAX_DIM and all(d <= MAX_SIDE for d in value[1:]))


def _series_shape(shape, pre) -> bool:
    """[C, L] of a series model: a length may pass MAX_SIDE (a signal is not an image side)."""
    return (isinstance(pre, dict) and pre.get("kind") == "series" and isinstance(shape, list)
            and len(shape) == 2 and all(isinstance(d, int) and not isinstance(d, bool) and 0 < d <= MAX_DIM
                                        for d in shape))


def _check_classes(classes, bad) -> None:
    if classes is None:
        return
    if not (isinstance(classes, list) and len(classes) <= MAX_CLASSES and all(
            (isinstance(c, str) and len(c) <= 1000) or (isinstance(c, int) and not isinstance(c, bool))
            for c in classes)):
        raise bad(f'"classes" must be null or a list of at most {MAX_CLASSES} names (str or int)',
                  classes)


def _check_preprocessing(pre, bad) -> None:
    if not isinstance(pre, dict):
        raise bad('"preprocessing" must be null or a dict', pre)
    unknown = sorted(set(pre) - PREPROCESSING_KEYS)
    if unknown:
        raise bad(f'"preprocessing" has unknown keys {unknown} '
                  f"(allowed: {sorted(PREPROCESSING_KEYS)})", unknown)
    if pre.get("color_mode") not in (None, "rgb", "grayscale"):
        raise bad('"preprocessing.color_mode" must be "rgb" or "grayscale"', pre["color_mode"])
    if pre.get("kind") not in (None, "image", "features", "series"):
        raise bad('"preprocessing.kind" must be "image", "features" or "series"', pre["kind"])
    if pre.get("normalize") not in (None, "series", "channel"):
        raise bad('"preprocessing.normalize" must be null, "series" or "channel"', pre["normalize"])
    if pre.get("normalize") == "channel" and pre.get("mean") is None:
        raise bad('"preprocessing.normalize" "channel" needs mean and std', pre)
    size = pre.get("image_size")
    if size is not None and not _dims([1, *size] if isinstance(size, list) else size, 3, 3):
        raise bad(f'"preprocessing.image_size" must be [height, width], ints in 1..{MAX_SIDE}',
                  size)
    shape = pre.get("input_shape")
    if shape is not None and not (_dims(shape, 1, 3) or _series_shape(shape, pre)):
        raise bad(_SHAPE.format(key="preprocessing.input_shape"), shape)
    scale = pre.get("scale")
    if scale is not None and not (_number(scale) and scale > 0):
        raise bad('"preprocessing.scale" must be a finite number > 0', scale)
    _check_stats(pre, bad)
    if "forecast" in pre:
        from ._forecast_prep import check_config

        check_config(pre["forecast"], bad)


def _check_stats(pre, bad) -> None:
    mean, std = pre.get("mean"), pre.get("std")
    if mean is None and std is None:
        return
    for key, value in (("mean", mean), ("std", std)):
        if not (isinstance(value, list) and 1 <= len(value) <= MAX_DIM and all(map(_number, value))):
            raise bad(f'"preprocessing.{key}" must be a list of finite numbers, one per channel', value)
    if len(mean) != len(std):
        raise bad('"preprocessing" mean and std must have one value per channel each', [mean, std])
    if any(s <= 0 for s in std):
        # x / 0 is inf or nan for every input: every prediction would be the same class
        raise bad('"preprocessing.std" must be > 0 for every channel (inputs are divided by it)', std)
    shape = pre.get("input_shape")
    if shape and len(mean) not in (1, shape[0]):
        raise bad(f'"preprocessing" mean/std have {len(mean)} values but input_shape has '
                  f"{shape[0]} channels", [mean, shape])


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

"""Augmentation specs (presets and Keras' ImageDataGenerator arguments) and the batch pipeline:
uint8 (N, C, H, W) -> float32 scaled, augmented, normalized. Scaling and normalization are
`Preprocessing.normalize` (data/preprocess.py), the same arithmetic as prediction's."""
from __future__ import annotations

import math

import torch

from ..core.errors import PratiqueError, unknown_name
from . import _augment
from .preprocess import Preprocessing

DEFAULTS = {
    "rotation_range": 0.0, "width_shift_range": 0.0, "height_shift_range": 0.0, "shear_range": 0.0,
    "zoom_range": 0.0, "brightness_range": None, "horizontal_flip": False, "vertical_flip": False,
    "fill_mode": "nearest", "color_jitter": 0.0, "random_resized_crop": None, "randaugment": False,
    "random_erasing": 0.0, "mixup": 0.0, "cutmix": 0.0,
}
PRESETS = {
    "none": {},
    "standard": {"horizontal_flip": True, "rotation_range": 10.0, "width_shift_range": 0.1,
                 "height_shift_range": 0.1, "zoom_range": 0.1, "fill_mode": "reflect"},
    "strong": {"horizontal_flip": True, "rotation_range": 15.0, "width_shift_range": 0.1,
               "height_shift_range": 0.1, "random_resized_crop": 0.35, "fill_mode": "reflect",
               "color_jitter": 0.3, "random_erasing": 0.25},
}
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def augment_spec(augment) -> dict:
    """Resolve `augment` (None, a preset name, or a dict of arguments, optionally with a "preset"
    key as the base) into a full, validated dict of arguments.

    Example:
        >>> augment_spec({"preset": "standard", "vertical_flip": True})["vertical_flip"]
        True
    """
    if augment in (None, False):
        augment = "none"
    if isinstance(augment, str):
        augment = {"preset": augment}
    if not isinstance(augment, dict):
        raise PratiqueError("augment must be None, 'none', 'standard', 'strong' or a dict of "
                            f"arguments. Received: {augment!r}")
    augment = dict(augment)
    preset = augment.pop("preset", "none")
    if preset not in PRESETS:
        raise unknown_name("augment preset", preset, PRESETS)
    for k in augment:
        if k not in DEFAULTS:
            raise unknown_name("augment argument", k, DEFAULTS)
    spec = {**DEFAULTS, **PRESETS[preset], **augment}
    z = spec["zoom_range"]
    spec["zoom_range"] = [1 - z, 1 + z] if isinstance(z, (int, float)) else [float(v) for v in z]
    if spec["fill_mode"] not in _augment._PADDING:
        raise unknown_name("fill_mode", spec["fill_mode"], _augment._PADDING)
    if spec["brightness_range"] is not None and len(spec["brightness_range"]) != 2:
        raise PratiqueError("brightness_range must be (low, high), e.g. (0.8, 1.2). "
                            f"Received: {spec['brightness_range']!r}")
    return spec


def is_identity(spec: dict) -> bool:
    return spec == augment_spec(None)


class BatchPipeline:
    """uint8 or float (N, C, H, W) -> float32: [randaugment], scale to [0, 1], geometric, flips,
    photometric, normalize, random erasing, MixUp/CutMix. Train pipelines augment; eval ones not.

    Args:
        spec: from `augment_spec` (None: no augmentation).
        mean, std: per-channel normalization, or None.
        num_classes, multi_label: needed for MixUp/CutMix targets.
    """

    def __init__(self, spec: dict | None, mean=None, std=None, num_classes: int = 0,
                 multi_label: bool = False):
        self.spec = spec if spec is not None and not is_identity(spec) else None
        self.pre = Preprocessing({"mean": mean, "std": std})  # the one scale + normalize
        self.mean, self.std = self.pre.mean, self.pre.std
        self.num_classes, self.multi_label = num_classes, multi_label

    def __call__(self, x: torch.Tensor, y=None, generator: torch.Generator | None = None):
        s, g = self.spec, generator
        if s is not None and g is None:
            g = torch.Generator().manual_seed(int(torch.randint(2**62, (1,))))
        if s is not None and s["randaugment"] and x.dtype == torch.uint8:
            x = _augment.randaugment(x, g)
        if s is not None and x.dim() == 4:
            x = _augment.flips(x, s, g)  # exact, and cheapest on uint8
        between = s is not None and x.dim() == 4 and (_geometric_on(s) or _photometric_on(s))
        x, normalized = self._to_float(x, fuse_normalize=not between)
        if between:
            if _geometric_on(s):
                x = _augment.geometric(x, s, g)
            x = _augment.photometric(x, s, g)
        if self.mean is not None and not normalized:
            shape = (1, -1, 1, 1) if x.dim() == 4 else (1, -1)
            x = x.sub_(self.mean.view(shape)).div_(self.std.view(shape))
        if s is not None and x.dim() == 4:
            if s["random_erasing"]:
                x = _augment.random_erasing(x, s["random_erasing"], g)
            if (s["mixup"] or s["cutmix"]) and y is not None:
                x, y = _augment.mix(x, y, s, self.num_classes, self.multi_label, g)
        return x, y


    def _to_float(self, x: torch.Tensor, fuse_normalize: bool) -> tuple[torch.Tensor, bool]:
        """A new float32 tensor (the in-place ops after it never touch the caller's data): x / 255,
        or straight to (x / 255 - mean) / std in two passes when nothing comes in between. Inside
        a DataLoader worker it is allocated in shared memory, so handing the batch over copies nothing."""
        out = _new_float(x.shape)
        if fuse_normalize and self.mean is not None:
            return self.pre.normalize(x, out=out), True
        return Preprocessing().normalize(x, out=out), False


def _new_float(shape) -> torch.Tensor:
    if torch.utils.data.get_worker_info() is None:
        return torch.empty(shape, dtype=torch.float32)
    # as torch's default_collate does in a worker: the storage is born shared, never copied to it
    proto = torch.empty(0, dtype=torch.float32)
    storage = proto._typed_storage()._new_shared(math.prod(shape), device=proto.device)
    return proto.new(storage).view(shape)


def _photometric_on(s: dict) -> bool:
    return bool(s["brightness_range"] or s["color_jitter"])


def _geometric_on(s: dict) -> bool:
    return bool(s["rotation_range"] or s["width_shift_range"] or s["height_shift_range"]
                or s["shear_range"] or s["zoom_range"] != [1.0, 1.0] or s["random_resized_crop"])

"""One path for an image: file -> uint8 (C, H, W) -> the float batch a model takes.

`Preprocessing` decodes (EXIF orientation, bit depth: `decode.py`), converts the colour mode,
resizes, scales to [0, 1] and normalizes with mean/std. Training (`ImageData`), evaluation,
`Model.predict`, prediction on files, export metadata and the ONNX runner all use it, with the
config a model keeps in its manifest (`model.preprocessing`). Two code paths from a file to a
tensor drift apart (they did: a 16-bit PNG reached the model in [0, 1] when training and in
[0, 257] through predict), so there is one. Series (kind "series", `SeriesData`) take the same
path: layout to (N, C, L) and per-series or per-channel normalization (`_series_norm.py`).
"""
from __future__ import annotations

import os
import warnings
import weakref

import torch

from ..core.errors import PratiqueError
from ._series_norm import as_ncl, normalize_series
from .decode import decode_image

COLOR_MODES = ("rgb", "grayscale")


class Preprocessing:
    """From image files or uint8 arrays to the model's input, as the manifest describes it.

    Config keys (all optional): color_mode ("rgb" / "grayscale"), image_size ([H, W]),
    input_shape ([C, H, W]; gives the two above when they are missing), mean and std (one per
    channel, applied after scaling to [0, 1]); other keys ("kind", "scale") are kept as they are.
    uint8 pixels are divided by 255; float inputs are taken as already scaled.
    Series (kind "series"): input_shape [C, L], normalize ("series", "channel" with mean/std
    per channel, or None); `normalize(x)` takes (N, C, L), Keras' (N, L, C) or (N, L).

    Args:
        config: the preprocessing dict (`model.preprocessing`, `data.preprocessing`).
        input_shape: the model's (C, H, W), used where the config names no mode or size.

    Example:
        >>> pre = Preprocessing(model.preprocessing, model.input_shape)
        >>> x = pre(["a.jpg", "b.png"])            # float32 (2, C, H, W), ready for model.module
        >>> u8 = pre.read("a.jpg")                 # uint8 (C, H, W): decoded, converted, resized
        >>> x = pre.normalize(torch.stack([u8]))   # the same float batch
    """

    def __init__(self, config: dict | None = None, input_shape=None):
        cfg = dict(config or {})
        shape = cfg.get("input_shape") or input_shape
        shape = list(shape) if shape is not None and len(shape) == 3 else None
        mode = cfg.get("color_mode") or (None if shape is None else ("grayscale" if shape[0] == 1 else "rgb"))
        if mode not in (None, *COLOR_MODES):
            raise PratiqueError(f"color_mode must be 'rgb' or 'grayscale'. Received: {mode!r}")
        size = cfg.get("image_size") or (None if shape is None else shape[1:])
        self.color_mode = mode
        self.size = None if size is None else (int(size[0]), int(size[1]))
        self.mean = self.std = None
        if cfg.get("mean") is not None:
            self.mean = torch.tensor(cfg["mean"], dtype=torch.float32)
            self.std = torch.tensor(cfg["std"], dtype=torch.float32)
        self.kind = cfg.get("kind")
        self._config = cfg

    @property
    def identity(self) -> bool:
        """True when `normalize` returns float32 inputs unchanged (nothing to scale or reshape)."""
        return self.mean is None and self.kind != "series"

    @property
    def config(self) -> dict:
        """The manifest dict, completed with the mode, size and input shape it implies."""
        cfg = dict(self._config)
        if self.color_mode is not None and self.size is not None and cfg.get("kind") != "features":
            cfg.update(color_mode=self.color_mode, image_size=list(self.size),
                       input_shape=[1 if self.color_mode == "grayscale" else 3, *self.size])
        return cfg

    # -- uint8 stage: decode, colour mode, size (cached and augmented by ImageData) ---------------
    def read(self, path) -> torch.Tensor:
        """One file as uint8 (C, H, W): decoded (EXIF orientation, 16-bit scaled by its bit depth),
        in the colour mode, at the size. JPEGs take libjpeg-turbo's fast path."""
        x = None
        if str(path).lower().endswith((".jpg", ".jpeg")):
            x = _decode_jpeg_fast(path, self.color_mode)
        if x is None:
            x = decode_image(path, self.color_mode)
        return resize_uint8(x, self.size) if self.size is not None else x

    def convert(self, x: torch.Tensor) -> torch.Tensor:
        """Images (N, C, H, W) of any channel count and size -> the colour mode and size."""
        if self.color_mode is not None:
            x = match_channels(x, 1 if self.color_mode == "grayscale" else 3)
        if self.size is not None and tuple(x.shape[-2:]) != self.size:
            if x.dtype == torch.uint8:
                return resize_uint8(x, self.size)
            from torchvision.transforms.v2 import functional as F

            x = F.resize(x, list(self.size), antialias=True)
        return x

    # -- float stage ---------------------------------------------------------------------------
    def normalize(self, x: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
        """uint8 pixels / 255 (floats as they are), then (x - mean) / std per channel, into a new
        float32 tensor (or `out`). Images (N, C, H, W) or (C, H, W); feature vectors (N, D);
        series (kind "series") in any accepted layout, made (N, C, L)."""
        if self.kind == "series":
            x = self.series(x)
            return x if out is None else out.copy_(x)
        out = torch.empty(x.shape, dtype=torch.float32) if out is None else out
        uint8 = x.dtype == torch.uint8
        if self.mean is None:
            return torch.div(x, 255.0, out=out) if uint8 else out.copy_(x)
        shape = (-1, 1, 1) if x.dim() == 3 else (1, -1, 1, 1) if x.dim() == 4 else (1, -1)
        # fused: x * (scale / std) - mean / std, two passes over the batch
        torch.mul(x, ((1 / 255.0 if uint8 else 1.0) / self.std).view(shape), out=out)
        return out.sub_((self.mean / self.std).view(shape))

    def series(self, x, layout: str = "auto") -> torch.Tensor:
        """Series (N, C, L), Keras' (N, L, C) or (N, L) -> normalized float32 (N, C, L), the
        layout told from the channels in input_shape (or by `layout`); NaN steps become 0."""
        shape = self._config.get("input_shape")
        x = as_ncl(torch.as_tensor(x), shape[0] if shape else None, layout)
        return normalize_series(x, self._config.get("normalize"), self._config.get("mean"),
                                self._config.get("std"))

    def __call__(self, images) -> torch.Tensor:
        """Files (a path or a list) or uint8 images (N, C, H, W) -> float32 (N, C, H, W)."""
        if isinstance(images, (str, bytes)) or hasattr(images, "__fspath__"):
            images = [images]
        if not isinstance(images, torch.Tensor):
            images = [self.read(p) for p in images]
            if self.size is None and len({tuple(i.shape) for i in images}) > 1:
                raise PratiqueError("Images of different sizes need an image_size in the preprocessing "
                                    f"(e.g. {{'image_size': [224, 224]}}). Received sizes "
                                    f"{sorted({tuple(i.shape[-2:]) for i in images})}.")
            images = torch.stack(images)
        return self.normalize(self.convert(images))

    def load(self, path) -> torch.Tensor:
        """One file as the model expects it: float32 (C, H, W)."""
        return self.normalize(self.read(path))

    def __repr__(self) -> str:
        return f"Preprocessing({self.config!r})"


def match_channels(x: torch.Tensor, channels: int) -> torch.Tensor:
    """(N, C, H, W) -> (N, channels, H, W): gray repeated to RGB, RGB to luma, alpha dropped.
    uint8 luma is PIL's, to the bit (the decoder converts files with PIL)."""
    c = x.shape[1]
    if c == channels:
        return x
    if c in (2, 4):
        x, c = x[:, : c - 1], c - 1
    if c == 1 and channels == 3:
        return x.expand(-1, 3, -1, -1).contiguous()
    if c == 3 and channels == 1:
        if x.dtype == torch.uint8:  # ITU-R 601-2 in 16-bit fixed point, rounded, as PIL's convert("L")
            w = torch.tensor([19595, 38470, 7471], dtype=torch.int32).view(1, 3, 1, 1)
            return ((x.int() * w).sum(1, keepdim=True) + 0x8000).bitwise_right_shift(16).to(torch.uint8)
        w = torch.tensor([0.299, 0.587, 0.114], dtype=x.dtype).view(1, 3, 1, 1)
        return (x * w).sum(1, keepdim=True)
    return x


def resize_uint8(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize uint8 images (C, H, W) or (N, C, H, W) to `size` (H, W), bilinear with antialias."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    from torchvision.transforms.v2 import functional as F

    # channels-last uint8 takes torch's vectorized antialiased path (about 2x faster)
    batch = x if x.dim() == 4 else x.unsqueeze(0)
    out = F.resize(batch.contiguous(memory_format=torch.channels_last), list(size), antialias=True)
    return out.contiguous() if x.dim() == 4 else out[0]  # torch.stack makes the batch contiguous


def _decode_jpeg_fast(path, color_mode: str | None):
    if color_mode is None:
        return None  # the file's own mode: PIL tells gray from colour
    with warnings.catch_warnings():  # torchvision 0.29 announces a move to torchcodec
        warnings.simplefilter("ignore", DeprecationWarning)
        from torchvision.io import ImageReadMode, decode_jpeg, read_file

        mode = ImageReadMode.GRAY if color_mode == "grayscale" else ImageReadMode.RGB
        try:
            return decode_jpeg(read_file(os.fspath(path)), mode=mode, apply_exif_orientation=True)
        except Exception:  # noqa: BLE001 - not really a JPEG, CMYK oddities...: PIL decides and names the file
            return None


# -- batches pratique produced are model inputs already ---------------------------------------
_PRODUCED: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # id -> live batch


def mark_model_input(x: torch.Tensor) -> torch.Tensor:
    """Record `x` (a batch ImageData or Model built: scaled and normalized) so that
    `Model.predict` / `evaluate` given it back, or a slice or `.numpy()` of it, do not normalize
    it a second time (Keras' `model.predict(next(generator)[0])` idiom). Kept while `x` lives."""
    if x.numel():
        _PRODUCED[id(x)] = x  # by id: a view sharing the data pointer must not evict the batch
    return x


def is_model_input(x) -> bool:
    """True when `x` (tensor or numpy array) lies in the memory of a batch pratique produced."""
    if not _PRODUCED or not hasattr(x, "shape"):
        return False
    if isinstance(x, torch.Tensor):
        start, nbytes, dtype = x.data_ptr(), x.numel() * x.element_size(), x.dtype
    else:
        try:
            start, nbytes = x.__array_interface__["data"][0], x.nbytes
            dtype = torch.from_numpy(x[:0]).dtype
        except (AttributeError, TypeError):
            return False
    for batch in list(_PRODUCED.values()):
        lo = batch.data_ptr()
        if batch.dtype == dtype and lo <= start and start + nbytes <= lo + batch.numel() * batch.element_size():
            return True
    return False


def eval_transform_from(preprocessing: dict):
    """The saved eval transform as a callable: images (N, C, H, W) (uint8, any size and channel
    count) -> the float batch the model was trained on. `Preprocessing(preprocessing)` itself.

    Example:
        >>> x = eval_transform_from(data.preprocessing)(decode_image("cat.jpg").unsqueeze(0))
    """
    return Preprocessing(preprocessing)


def load_images_for_prediction(paths, preprocessing: dict) -> torch.Tensor:
    """Decode files through the one path: float32 (N, C, H, W), normalized, ready for
    `model.module` (`model.predict` recognizes it and does not normalize it again).

    Example:
        >>> x = load_images_for_prediction(["a.jpg", "b.png"], model.preprocessing)
    """
    return mark_model_input(Preprocessing(preprocessing)(paths))

"""Any image file -> uint8 tensor (C, H, W). Every error names the file."""
from __future__ import annotations

import numpy as np
import torch

from ..core.errors import PratiqueError

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")
_GRAY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}


class DecodeError(PratiqueError):
    """A file that is not a readable image; `.path` names it."""

    def __init__(self, path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"Cannot decode image {str(path)!r}: {reason}")


def is_image_file(path) -> bool:
    return str(path).lower().endswith(IMAGE_EXTENSIONS)


def decode_image(path, color_mode: str | None = None) -> torch.Tensor:
    """Decode an image file to a uint8 tensor (C, H, W).

    JPEG, PNG, BMP, GIF (first frame), WebP and TIFF; modes L, LA, P, RGB, RGBA, CMYK and 16-bit
    (scaled to 8 bits, not clipped). EXIF orientation is applied. Alpha is dropped.

    Args:
        path: the file.
        color_mode: "rgb" (3 channels), "grayscale" (1 channel) or None (1 for gray files, else 3).

    Example:
        >>> decode_image("cat.jpg").shape
        torch.Size([3, 375, 500])
    """
    if color_mode not in (None, "rgb", "grayscale"):
        raise PratiqueError(f"color_mode must be 'rgb', 'grayscale' or None. Received: {color_mode!r}")
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as img:
            sixteen = _is_16bit(img)  # read from the undecoded tiles, before the decode drops them
            img = ImageOps.exif_transpose(img)  # also forces the full decode
            return _to_tensor(img, color_mode, sixteen)
    except FileNotFoundError:
        raise DecodeError(path, "no such file") from None
    except DecodeError:
        raise
    except Exception as e:  # noqa: BLE001 - PIL raises many types (OSError, SyntaxError...)
        raise DecodeError(path, f"{type(e).__name__}: {e}") from None


def _is_16bit(img) -> bool:
    """16-bit samples, by mode (I;16, I;16B...) or by the decoder's raw mode (Pillow < 10 opens
    16-bit PNGs as mode I), never by the pixel values: a dark 16-bit image is still 16-bit."""
    if img.mode.startswith("I;16"):
        return True
    return img.mode == "I" and any("I;16" in str(t[-1] if isinstance(t, tuple) else t.args)
                                   for t in (img.tile or []))


def _to_tensor(img, color_mode: str | None, sixteen: bool = False) -> torch.Tensor:
    gray = img.mode in _GRAY_MODES
    if img.mode.startswith("I") or img.mode == "F":
        a = np.asarray(img).astype(np.float64)
        # 16-bit: 0..65535 -> 0..255 (65535 / 257 = 255), scaled, not clipped. 32-bit ints and
        # floats have no fixed range: 0..255 values are taken as they are, larger ones as 16-bit.
        if sixteen or a.max(initial=0) > 255:
            a = a / 257.0
        arr = np.clip(np.rint(a), 0, 255).astype(np.uint8)
        if color_mode == "rgb":
            arr = np.repeat(arr[..., None], 3, axis=-1)
    else:
        if img.mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
            gray = False
        want = "L" if (color_mode == "grayscale" or (color_mode is None and gray)) else "RGB"
        arr = np.asarray(img.convert(want))
    if arr.ndim == 2:
        arr = arr[..., None]
    return torch.from_numpy(np.array(arr)).permute(2, 0, 1).contiguous()  # (C, H, W)

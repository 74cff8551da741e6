"""Uploaded bytes -> the uint8 (C, H, W) image the model's `Preprocessing.read` gives for a file.

The bytes are written to a temporary file named with the upload's suffix and read by the very
`Preprocessing.read` that training and `pratique predict` use (JPEGs take its libjpeg-turbo path
by their suffix, as a file on disk does), so a served prediction equals `predict` on the file.
Before any decoding the header's pixel count is checked: a small file that claims a huge image
(a decompression bomb) is refused without allocating it.
"""
from __future__ import annotations

import os
import tempfile
import warnings

import torch

from ..data.decode import IMAGE_EXTENSIONS, DecodeError


class UploadError(Exception):
    """A client's mistake: answered with `status` and a JSON body {"error": message}."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


_MAGIC = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG", ".png"), (b"GIF8", ".gif"), (b"BM", ".bmp"),
          (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"))


def suffix_for(name: str | None, data: bytes) -> str:
    """The upload's own image suffix, else one sniffed from its first bytes (base64 has no name)."""
    ext = os.path.splitext(name or "")[1].lower()
    if ext in IMAGE_EXTENSIONS:
        return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return next((s for magic, s in _MAGIC if data.startswith(magic)), ".img")


def read_upload(pre, name: str, data: bytes, max_pixels: int, tmpdir: str) -> torch.Tensor:
    """One upload through `pre.read`; raises UploadError (4xx) naming `name` and the problem."""
    if not data:
        raise UploadError(400, f"{name!r} is empty: expected the bytes of an image file.")
    fd, path = tempfile.mkstemp(suffix=suffix_for(name, data), dir=tmpdir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        _check_pixels(path, name, max_pixels)
        try:
            return pre.read(path)
        except DecodeError as e:
            raise UploadError(415, f"{name!r} is not a readable image ({e.reason}). Expected a "
                                   "JPEG, PNG, BMP, GIF, WebP or TIFF file.") from None
    finally:
        os.unlink(path)


def _check_pixels(path: str, name: str, max_pixels: int) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():  # the size is compared below; PIL's warning adds nothing
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                w, h = img.size
    except Image.DecompressionBombError as e:
        raise UploadError(413, f"{name!r} is refused as a decompression bomb: {e}") from None
    except Exception as e:  # noqa: BLE001 - PIL raises many types for what is not an image
        raise UploadError(415, f"{name!r} is not a readable image ({type(e).__name__}: {e}). "
                               "Expected a JPEG, PNG, BMP, GIF, WebP or TIFF file.") from None
    if w * h > max_pixels:
        raise UploadError(413, f"{name!r} is refused as a possible decompression bomb: its header "
                               f"claims {w}x{h} = {w * h:,} pixels, over the limit of {max_pixels:,} "
                               "(max_pixels). Resize the image, or raise max_pixels if you trust it.")

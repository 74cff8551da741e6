"""The server's limits: one flat, validated dataclass (unknown keys and bad values are errors)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from ..core.errors import PratiqueError


@dataclass
class Limits:
    """What one server accepts and how it batches.

    Args:
        max_batch: most images in one model call (1 turns batching off).
        max_wait_ms: how long a batch's first request waits for others to join it.
        max_queue: most images waiting for the model; more gets 503 with Retry-After.
        max_images: most images in one request.
        max_upload_mb: most bytes in one request body, in MiB.
        max_pixels: most pixels an image's header may claim (PIL's decompression-bomb limit).
        timeout_s: a request not answered within this gets 504.
        top_k: best classes listed per image when the request does not say.
    """

    max_batch: int = 32
    max_wait_ms: float = 5.0
    max_queue: int = 256
    max_images: int = 16
    max_upload_mb: float = 20.0
    max_pixels: int = 0  # 0: PIL's Image.MAX_IMAGE_PIXELS
    timeout_s: float = 30.0
    top_k: int = 5

    def __post_init__(self):
        if not self.max_pixels:
            from PIL import Image

            self.max_pixels = int(Image.MAX_IMAGE_PIXELS or 89_478_485)
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or \
                    (v == 0 and f.name != "max_wait_ms"):
                raise PratiqueError(f"serve limit {f.name} must be a positive number. Received: {v!r}")

    @classmethod
    def from_dict(cls, limits: dict | None) -> Limits:
        limits = dict(limits or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(limits) - known)
        if unknown:
            raise PratiqueError(f"Unknown serve limits {unknown}. Expected some of {sorted(known)}.")
        return cls(**limits)

    def to_dict(self) -> dict:
        return asdict(self)

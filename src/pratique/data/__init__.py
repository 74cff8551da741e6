"""Where samples come from and how they become batches (`pq.data`).

Names are imported on first use: `pratique datasets` reads the registry without torch.
"""
from typing import TYPE_CHECKING

from ..core.lazy import lazy_names

_NAMES = {  # public name -> "module:attr", relative to this package
    "DecodeError": ".decode:DecodeError",
    "add_noise": ".noise:add_noise",
    "decode_image": ".decode:decode_image",
    "ImageData": ".module:ImageData",
    "Preprocessing": ".preprocess:Preprocessing",
    "eval_transform_from": ".preprocess:eval_transform_from",
    "load_images_for_prediction": ".preprocess:load_images_for_prediction",
    "Report": ".scan:Report",
    "SeriesData": ".series:SeriesData",
    "series_for_prediction": ".series:series_for_prediction",
}
__all__ = list(_NAMES)
__getattr__, __dir__ = lazy_names(__name__, _NAMES)

if TYPE_CHECKING:  # what type checkers and IDEs read; the same names as _NAMES
    from .decode import DecodeError as DecodeError
    from .decode import decode_image as decode_image
    from .module import ImageData as ImageData
    from .noise import add_noise as add_noise
    from .preprocess import Preprocessing as Preprocessing
    from .preprocess import eval_transform_from as eval_transform_from
    from .preprocess import load_images_for_prediction as load_images_for_prediction
    from .scan import Report as Report
    from .series import SeriesData as SeriesData
    from .series import series_for_prediction as series_for_prediction

del TYPE_CHECKING, lazy_names

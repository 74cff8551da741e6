"""Where samples come from and how they become batches (`pq.data`)."""
from .decode import DecodeError as DecodeError
from .decode import decode_image as decode_image
from .module import ImageData as ImageData
from .preprocess import Preprocessing as Preprocessing
from .preprocess import eval_transform_from as eval_transform_from
from .preprocess import load_images_for_prediction as load_images_for_prediction
from .scan import Report as Report

"""What users pass as data (numpy arrays, tensors, lists, an (x, y) tuple) made into tensors."""
from __future__ import annotations

import numpy as np
import torch

from ..core.errors import PratiqueError
from .preprocess import is_model_input


def as_tensors(x, y=None, what: str = "x") -> tuple[torch.Tensor, torch.Tensor | None]:
    """(x, y) as tensors: images get a channel axis (N, H, W) -> (N, 1, H, W), (N, H, W, C) numpy
    images become (N, C, H, W); labels become int64 (or float for multi-output targets)."""
    x, y, _ = as_inputs_targets(x, y, what)
    return x, y


def as_inputs_targets(x, y=None, what: str = "x", y_like_x: bool = False, series: bool = False):
    """(x, y, y_is_input): `as_tensors`, with two options for Model.

    y_like_x: a `y` of x's shape (or `y is x`) is a target input (reconstruction, denoising):
        laid out like x, dtype kept (the caller scales it like x); then `y_is_input` is True.
        Else `y` is labels, as in `as_tensors`.
    series: rank-3 arrays are windows (N, C, L) for a Conv1d model, kept as they are.
    """
    if what == "validation_data" and isinstance(x, list) and len(x) in (2, 3) \
            and all(hasattr(a, "__len__") and not isinstance(a, str) for a in x):
        x = tuple(x)  # Keras takes validation_data=[x_val, y_val] as the tuple
    if y is not None:
        x = one_input(x, "fit" if what == "x" else what)
    if isinstance(x, tuple) and y is None:
        if len(x) == 3 and what == "validation_data":
            raise PratiqueError("validation_data=(x, y, sample_weight): sample weights are not "
                                "supported. Pass validation_data=(x_val, y_val).")
        if len(x) != 2:
            raise PratiqueError(f"{what} as a tuple must be (x, y). Received a tuple of {len(x)} items.")
        x, y = x
    like = y is not None and (y_like_x or y is x)
    x = _tensor(x, what)
    if like and tuple(np.shape(y)) == tuple(x.shape):
        y = _tensor(y, "y")
        return _layout(x, series), _layout(y, series), True
    if is_model_input(x):  # a batch pratique produced, or a slice of one: (N, C, H, W) or (N, D)
        return x, _labels(y, x), False
    x = _layout(x, series)
    return x, _labels(y, x), False


def _layout(x: torch.Tensor, series: bool) -> torch.Tensor:
    if is_model_input(x) or (series and x.dim() == 3):  # (N, C, L) windows stay as they are
        return x
    if x.dim() == 3:
        return x.unsqueeze(1)  # (N, H, W) -> (N, 1, H, W)
    if x.dim() == 4 and x.shape[-1] in (1, 3, 4) and x.shape[1] not in (1, 3, 4):
        return x.permute(0, 3, 1, 2).contiguous()  # channels-last arrays, as Keras keeps them
    return x


def one_input(x, action: str):
    """`x`, refused when it is a tuple or list of arrays: Keras reads that as (x, y) or as the
    inputs of a multi-input model, which pratique's Model (one input tensor) does not have."""
    if isinstance(x, (tuple, list)) and len(x) > 1 and all(
            isinstance(a, (np.ndarray, torch.Tensor)) and a.ndim >= 1 for a in x):
        raise PratiqueError(
            f"{action} takes one array of inputs. Received a {type(x).__name__} of {len(x)} arrays "
            "(Keras reads it as (x, y) or as the inputs of a multi-input model; pratique's Model has "
            f"one input). Pass x alone: model.{action}(x); to join samples, np.stack them first.")
    return x


def _labels(y, x: torch.Tensor) -> torch.Tensor | None:
    if y is None:
        return None
    y = _tensor(y, "y")
    if y.dtype in (torch.uint8, torch.int8, torch.int16, torch.int32, torch.bool):
        y = y.long()
    if len(y) != len(x):
        raise PratiqueError(
            f"x and y must have the same number of samples. Received: len(x)={len(x)}, "
            f"len(y)={len(y)}. Pass labels for every sample.")
    return y


def _tensor(a, what: str) -> torch.Tensor:
    if isinstance(a, torch.Tensor):
        return a
    if isinstance(a, (list, tuple)):
        a = np.asarray(a)
    if isinstance(a, np.ndarray):
        if a.dtype == object or a.dtype.kind in "US":
            raise PratiqueError(f"{what} must be a numeric array. Received dtype={a.dtype}; "
                                "pass a numpy array of numbers (uint8 images or floats); for image files use "
                                "ImageClassifier.predict(paths) or ImageData.from_files.")
        return torch.from_numpy(np.ascontiguousarray(a))
    raise PratiqueError(f"{what} must be a numpy array, a torch tensor or a tuple (x, y). "
                        f"Received: {type(a).__name__}.")

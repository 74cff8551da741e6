"""What users pass as data (numpy arrays, tensors, lists, an (x, y) tuple) made into tensors."""
from __future__ import annotations

import numpy as np
import torch

from ..core.errors import PratiqueError
from ._series_norm import _TOLD, tell_keras_layout  # noqa: F401  (tests reset _TOLD)
from .preprocess import is_model_input


def as_tensors(x, y=None, what: str = "x", series_channels: int | None = None
               ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(x, y) as tensors: images get a channel axis (N, H, W) -> (N, 1, H, W), (N, H, W, C) numpy
    images become (N, C, H, W); labels become int64 (or float for multi-output targets).

    With `series_channels` (the model reads series (N, C, L) with that many channels: its first
    layer is a Conv1d), x is read as series instead: see `as_series`."""
    x, y, _ = as_inputs_targets(x, y, what, series_channels=series_channels)
    return x, y


def as_inputs_targets(x, y=None, what: str = "x", y_like_x: bool = False,
                      series_channels: int | None = None):
    """(x, y, y_is_input): `as_tensors`, with an option for Model.

    y_like_x: a `y` of x's shape (or `y is x`) is a target input (reconstruction, denoising):
        laid out like x, dtype kept (the caller scales it like x); then `y_is_input` is True.
        Else `y` is labels, as in `as_tensors`.
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
        return _layout(x, series_channels, what), _layout(y, series_channels, "y"), True
    if is_model_input(x):  # a batch pratique produced, or a slice of one: (N, C, H, W) or (N, D)
        return x, _labels(y, x), False
    x = _layout(x, series_channels, what)
    return x, _labels(y, x), False


def _layout(x: torch.Tensor, series_channels: int | None, what: str) -> torch.Tensor:
    if is_model_input(x):
        return x
    if series_channels is not None:
        return as_series(x, series_channels, what)
    if x.dim() == 3:
        return x.unsqueeze(1)  # (N, H, W) -> (N, 1, H, W)
    if x.dim() == 4 and x.shape[-1] in (1, 3, 4) and x.shape[1] not in (1, 3, 4):
        return x.permute(0, 3, 1, 2).contiguous()  # channels-last arrays, as Keras keeps them
    return x


def as_series(x: torch.Tensor, channels: int, what: str = "x") -> torch.Tensor:
    """Series for a model whose first layer is Conv1d(in_channels=`channels`), as (N, C, L).

    (N, C, L) (PyTorch's layout) is used as it is; Keras' (N, L, C) (Conv1D's `(batch, steps,
    channels)`) is transposed, said once in the log; (N, L) gets a channel axis when the model
    takes one channel. When both axes match (N, C, C), PyTorch's layout is taken. Anything else is
    refused: guessing would train on a silently different signal.
    """
    if x.dim() == 2 and channels == 1:
        return x.unsqueeze(1)  # (N, L) -> (N, 1, L), as (N, H, W) images get their channel axis
    if x.dim() == 3 and x.shape[1] == channels:
        return x
    if x.dim() == 3 and x.shape[2] == channels:
        tell_keras_layout(x.shape[1], channels, what, f" for the model's Conv1d(in_channels={channels})")
        return x.transpose(1, 2).contiguous()  # (N, L, C) -> (N, C, L)
    got = (f"neither axis 1 ({x.shape[1]}) nor axis 2 ({x.shape[2]}) is {channels}" if x.dim() == 3
           else f"{x.dim()} axes, not 3")
    hint = x.shape[1] if x.dim() == 3 else 1
    raise PratiqueError(
        f"{what} of shape {tuple(x.shape)} does not fit the model, whose first layer is "
        f"Conv1d(in_channels={channels}): series are (N, {channels}, length) (PyTorch's layout) or "
        f"(N, length, {channels}) (Keras'). Received {got}. Pass series of {channels} channels, "
        f"or build the model for the channels of your data (e.g. in_channels={hint}).")


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

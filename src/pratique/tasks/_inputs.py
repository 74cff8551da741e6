"""Turn what users pass to fit/evaluate/predict (arrays, tensors, tuples) into tensors and batches."""
from __future__ import annotations

import numpy as np
import torch

from ..core.errors import PratiqueError
from ..data.loaders import InMemoryBatches
from ..data.preprocess import Preprocessing, is_model_input


def as_tensors(x, y=None, what: str = "x") -> tuple[torch.Tensor, torch.Tensor | None]:
    """(x, y) as tensors: images get a channel axis (N, H, W) -> (N, 1, H, W), (N, H, W, C) numpy
    images become (N, C, H, W); labels become int64 (or float for multi-output targets)."""
    if isinstance(x, tuple) and y is None:
        if len(x) != 2:
            raise PratiqueError(f"{what} as a tuple must be (x, y). Received a tuple of {len(x)} items.")
        x, y = x
    x = _tensor(x, what)
    if is_model_input(x):  # a batch pratique produced, or a slice of one: (N, C, H, W) or (N, D)
        return x, _labels(y, x)
    if x.dim() == 3:
        x = x.unsqueeze(1)  # (N, H, W) -> (N, 1, H, W)
    elif x.dim() == 4 and x.shape[-1] in (1, 3, 4) and x.shape[1] not in (1, 3, 4):
        x = x.permute(0, 3, 1, 2).contiguous()  # channels-last arrays, as Keras keeps them
    return x, _labels(y, x)


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


_PRECOMPUTE_BYTES = 1 << 30  # float32 copies up to 1 GiB are made once per call


def channel_stats(x: torch.Tensor) -> tuple[list[float], list[float]]:
    """Exact per-channel mean and std of images (N, C, H, W), after uint8 scaling, in float64."""
    x = x.double().div_(255.0) if x.dtype == torch.uint8 else x.double()
    dims = (0, 2, 3)
    return x.mean(dims).tolist(), x.std(dims, unbiased=False).tolist()


def batches(x, y, batch_size: int, shuffle: bool = False, seed: int | None = None,
            preprocessing: dict | None = None) -> InMemoryBatches:
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise PratiqueError(f"batch_size must be a positive int. Received: batch_size={batch_size!r}")
    pre = Preprocessing(preprocessing)
    if is_model_input(x):  # a batch pratique produced (ImageData's, or one of these): normalized already
        return InMemoryBatches(x, y, batch_size, shuffle=shuffle, seed=seed, model_inputs=True)
    if x.dtype == torch.float32 and pre.mean is None:  # nothing to do: the user's tensor as it is
        return InMemoryBatches(x, y, batch_size, shuffle=shuffle, seed=seed)
    if x.numel() * 4 <= _PRECOMPUTE_BYTES:
        # deterministic preprocessing done once for the whole array, not once per batch and epoch
        return InMemoryBatches(pre.normalize(x), y, batch_size, shuffle=shuffle, seed=seed, model_inputs=True)
    return InMemoryBatches(x, y, batch_size, shuffle=shuffle, seed=seed, transform=pre.normalize)


def as_source(x, validation_data=None):
    """(x, validation_data) for fit/evaluate, with two more kinds of input made into one: a torch
    DataLoader of (x, y) batches (the course's; used as it is: its tensors are the model's
    inputs), and an ImageData with another ImageData as validation_data (Keras' generators)."""
    if isinstance(x, torch.utils.data.DataLoader):
        if validation_data is not None and not isinstance(validation_data, torch.utils.data.DataLoader):
            raise PratiqueError("fit(DataLoader) takes validation_data as a DataLoader too. Received: "
                                f"{type(validation_data).__name__}. Wrap it: DataLoader(TensorDataset(xv, yv)).")
        return LoaderData(x, validation_data), None
    if hasattr(x, "train_batches") and hasattr(validation_data, "train_batches"):
        from ..data.keras import join_validation

        return join_validation(x, validation_data), None
    return x, validation_data


class LoaderData:
    """A DataLoader (and a validation DataLoader) in ImageData's shape, for fit and evaluate:
    its batches go to the model untouched (no scaling, no normalization)."""

    def __init__(self, loader, val_loader=None):
        self.loader, self.val_loader = loader, val_loader
        self.preprocessing: dict = {}
        self.batch_size = loader.batch_size
        self.classes = getattr(loader.dataset, "classes", None)

    def train_batches(self, seed=None):
        return self.loader

    def val_batches(self):
        return self.val_loader

    def eval_batches(self):
        return self.loader

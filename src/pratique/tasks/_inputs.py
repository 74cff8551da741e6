"""Turn what users pass to fit/evaluate/predict (arrays, tensors, tuples) into tensors and batches."""
from __future__ import annotations

import math

import torch
from torch import nn

from ..core.errors import PratiqueError
from ..data.arrays import as_tensors, one_input  # noqa: F401  (model.py calls _inputs.as_tensors / one_input)
from ..data.loaders import InMemoryBatches
from ..data.preprocess import Preprocessing, is_model_input

_PRECOMPUTE_BYTES = 1 << 30  # float32 copies up to 1 GiB are made once per call


def series_channels(module: nn.Module) -> int | None:
    """The channels of the series `module` reads, when its first layer is a Conv1d (else None:
    images and vectors keep their handling). The first convolution or linear layer, in the
    order the module registered them, is the one that sees the input."""
    for m in module.modules():
        if isinstance(m, nn.Conv1d):
            return m.in_channels or None  # a lazy Conv1d (0 channels) tells nothing
        if isinstance(m, (nn.modules.conv._ConvNd, nn.Linear, nn.Bilinear, nn.RNNBase, nn.Embedding)):
            return None
    return None


def channel_stats(x: torch.Tensor) -> tuple[list[float], list[float]]:
    """Exact per-channel mean and std of images (N, C, H, W), after uint8 scaling, in float64."""
    if x.dim() != 4:  # the stored mean/std are applied per image channel: (1, C, 1, 1)
        raise PratiqueError(
            f"adapt_normalization computes per-channel statistics of images (N, C, H, W). Received "
            f"an array of shape {tuple(x.shape)}. For series (N, C, L), z-normalize each series "
            "yourself (docs/signals.md); for feature vectors, standardize them before fit.")
    x = x.double().div_(255.0) if x.dtype == torch.uint8 else x.double()
    dims = (0, 2, 3)
    return x.mean(dims).tolist(), x.std(dims, unbiased=False).tolist()


def validation_cut(n: int, validation_split: float) -> int:
    """Where Keras cuts `validation_split` off the end: floor(n * (1 - split)) samples train.
    (`n - int(n * split)` differs when n * split has a fraction: 7 samples at 0.5 train on 4, not 3.)"""
    cut = math.floor(n * (1.0 - validation_split))
    if cut == 0 or cut == n:
        raise PratiqueError(
            f"validation_split={validation_split} of {n} samples leaves {cut} to train on and "
            f"{n - cut} to validate on; both need at least one. Pass more data or another validation_split.")
    return cut


def batches(x, y, batch_size: int, shuffle: bool = False, seed: int | None = None,
            preprocessing: dict | None = None) -> InMemoryBatches:
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise PratiqueError(f"batch_size must be a positive int. Received: batch_size={batch_size!r}")
    pre = Preprocessing(preprocessing)
    if is_model_input(x):  # a batch pratique produced (ImageData's, or one of these): normalized already
        return InMemoryBatches(x, y, batch_size, shuffle=shuffle, seed=seed, model_inputs=True)
    if x.dtype == torch.float32 and pre.identity:  # nothing to do: the user's tensor as it is
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


_VALUE_LOSSES = ("regression", "binary")  # losses that compare outputs and targets value by value


def as_xy(x, y, model, what: str = "x"):
    """(x, y) tensors for `model`'s fit / evaluate / predict.

    Windows (N, C, L) stay rank 3 for a Conv1d model. Under a loss that compares values (mse,
    l1, bce...), a `y` with x's shape (or `y is x`) is a target input, as in `fit(x, x)`
    (reconstruction) or `fit(x_noisy, x_clean)` (denoising): it is laid out, scaled and
    normalized exactly like x, so the loss compares the output with what the model was fed.
    """
    from ..data.arrays import as_inputs_targets

    like = getattr(getattr(model, "loss_fn", None), "task", None) in _VALUE_LOSSES
    x, y, is_input = as_inputs_targets(x, y, what, y_like_x=like, series_channels=series_channels(model.module))
    if not is_input:
        return x, y
    if (x.dtype == torch.uint8) != (y.dtype == torch.uint8):
        raise PratiqueError(
            f"The targets have the inputs' shape {tuple(x.shape)}, so they are images or windows to "
            f"reconstruct, and must be scaled like the input. Received x of dtype {x.dtype} and y of "
            f"dtype {y.dtype}: uint8 pixels are divided by 255, floats are taken as they are. Pass "
            "both as uint8, or both as floats (e.g. x / 255 and y / 255).")
    return x, Preprocessing(model.preprocessing).normalize(y)

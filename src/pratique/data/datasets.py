"""Named datasets, one registry: `load_data(name)` gives Keras-style numpy splits."""
from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import numpy as np

from .._errors import unknown_name

Splits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
_DATASETS: dict[str, dict] = {}


def register_dataset(name: str, *, description: str = "", classes=None):
    """Register a loader `fn(root=None, download=False, seed=0) -> ((x_train, y_train), (x_test, y_test))`."""

    def decorate(fn: Callable[..., Splits]):
        _DATASETS[name] = {"fn": fn, "description": description, "classes": classes}
        return fn

    return decorate


def list_datasets() -> list[str]:
    """Names of the registered datasets, sorted."""
    return sorted(_DATASETS)


def dataset_info(name: str) -> dict:
    """The registry entry of a dataset: its description and class names."""
    if name not in _DATASETS:
        raise unknown_name("dataset", name, _DATASETS)
    entry = _DATASETS[name]
    return {"name": name, "description": entry["description"], "classes": entry["classes"]}


def load_data(name: str = "mnist5k", **kwargs) -> Splits:
    """Load a named dataset as `((x_train, y_train), (x_test, y_test))` numpy arrays.

    Like `keras.datasets.mnist.load_data()`: images are uint8 of shape (N, H, W) or
    (N, H, W, C), labels are integer class indices.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data("mnist5k")
        >>> x_train.shape, x_test.shape
        ((4000, 28, 28), (1000, 28, 28))
    """
    if name not in _DATASETS:
        raise unknown_name("dataset", name, _DATASETS)
    return _DATASETS[name]["fn"](**kwargs)


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) with each class split in the same proportion, shuffled with `seed`."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = int(round(len(idx) * test_fraction))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


@register_dataset("mnist5k", description="5,000 real MNIST digits (bundled, 4,000 train / 1,000 test)",
                  classes=[str(i) for i in range(10)])
def mnist5k(root=None, download=False, seed: int = 0) -> Splits:
    # The file is sorted by class, so the split is stratified and seeded; seed=0 is the fixed split.
    with resources.files("pratique.data").joinpath("mnist_5k.npz").open("rb") as f:
        npz = np.load(f)
        images, labels = npz["images"], npz["labels"].astype(np.int64)
    train, test = stratified_split(labels, 0.2, seed)
    return (images[train], labels[train]), (images[test], labels[test])

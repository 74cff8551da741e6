"""Named datasets, one registry: `load_data(name)` gives Keras-style numpy splits."""
from __future__ import annotations

import os
from collections.abc import Callable
from importlib import resources

import numpy as np

from ..core.registry import Registry
from . import _readers, _synthetic
from ._synthetic import write_shapes_folder as write_shapes_folder

__all__ = ["DATASETS", "dataset_info", "list_datasets", "load_data", "register_dataset",
           "stratified_split", "write_shapes_folder"]

Splits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
# name -> {"fn", "description", "classes", "kind"}; DATASETS.get(name, **kwargs) loads it
DATASETS = Registry("dataset", build=lambda name, entry, **kwargs: entry["fn"](**kwargs))


def register_dataset(name: str, *, description: str = "", classes=None, kind: str = "image",
                     overwrite: bool = False):
    """Register a loader `fn(root=None, download=False, seed=0) -> ((x_train, y_train), (x_test, y_test))`.

    `kind` is "image" (uint8 images) or "points" (float feature vectors, e.g. 2-D points). A
    taken name is refused unless `overwrite=True`.
    """

    def decorate(fn: Callable[..., Splits]):
        entry = {"fn": fn, "description": description, "classes": classes, "kind": kind}
        DATASETS.add(name, entry, overwrite=overwrite, source=fn)
        return fn

    return decorate


def list_datasets(glob: str | None = None) -> list[str]:
    """Names of the registered datasets, sorted, optionally matching a glob."""
    return DATASETS.list(glob)


def dataset_info(name: str) -> dict:
    """The registry entry of a dataset: its description and class names."""
    entry = DATASETS.entry(name)
    return {"name": name, "description": entry["description"], "classes": entry["classes"],
            "kind": entry.get("kind", "image")}


def load_data(name: str = "mnist5k", **kwargs) -> Splits:
    """Load a named dataset as `((x_train, y_train), (x_test, y_test))` numpy arrays.

    Like `keras.datasets.mnist.load_data()`: images are uint8 of shape (N, H, W) or
    (N, H, W, C), labels are class indices, uint8 for the image datasets (as Keras' are).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data("mnist5k")
        >>> x_train.shape, x_test.shape
        ((4000, 28, 28), (1000, 28, 28))
    """
    return DATASETS.get(name, **kwargs)


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
        images, labels = npz["images"], npz["labels"].astype(np.uint8)  # as Keras: uint8 labels
    train, test = stratified_split(labels, 0.2, seed)
    return (images[train], labels[train]), (images[test], labels[test])


# -- IDX datasets ---------------------------------------------------------------------------------
_MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
_MNIST_MD5 = ["f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
              "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"]
_FASHION_MD5 = ["8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
                "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"]
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot"]


def _idx_dataset(name: str, base_url: str, md5s: list[str], root, download) -> Splits:
    urls = {f + ".gz": (base_url + f + ".gz", m) for f, m in zip(_MNIST_FILES, md5s)}
    folder = _readers.locate(name, root, _MNIST_FILES, urls, download)
    x, y, xt, yt = (_readers.read_idx(_readers.find_file(folder, f)) for f in _MNIST_FILES)
    return (x, y.astype(np.uint8)), (xt, yt.astype(np.uint8))


@register_dataset("mnist", description="MNIST digits, 60,000 train / 10,000 test (IDX files)",
                  classes=[str(i) for i in range(10)])
def mnist(root=None, download=False, seed: int = 0) -> Splits:
    return _idx_dataset("mnist", "https://ossci-datasets.s3.amazonaws.com/mnist/", _MNIST_MD5,
                        root, download)


@register_dataset("fashion_mnist", description="Fashion-MNIST, 60,000 train / 10,000 test (IDX files)",
                  classes=FASHION_CLASSES)
def fashion_mnist(root=None, download=False, seed: int = 0) -> Splits:
    return _idx_dataset("fashion_mnist", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                        _FASHION_MD5, root, download)


# -- CIFAR ----------------------------------------------------------------------------------------
def _cifar(name, folder_name, url, md5, train_files, test_files, label_key, root, download):
    urls = {url.rsplit("/", 1)[1]: (url, md5)}
    files = [f"{folder_name}/{f}" for f in train_files + test_files]
    folder = os.path.join(_readers.locate(name, root, files, urls, download), folder_name)
    train = [_readers.read_cifar_batch(os.path.join(folder, f), label_key) for f in train_files]
    x, y = np.concatenate([t[0] for t in train]), np.concatenate([t[1] for t in train])
    xt, yt = _readers.read_cifar_batch(os.path.join(folder, test_files[0]), label_key)
    return (x, y), (xt, yt)


CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                   "truck"]


@register_dataset("cifar10", description="CIFAR-10, 32x32 colour, 50,000 train / 10,000 test",
                  classes=CIFAR10_CLASSES)
def cifar10(root=None, download=False, seed: int = 0) -> Splits:
    return _cifar("cifar10", "cifar-10-batches-py", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                  "c58f30108f718f92721af3b95e74349a", [f"data_batch_{i}" for i in range(1, 6)],
                  ["test_batch"], "labels", root, download)


@register_dataset("cifar100", description="CIFAR-100 (fine labels), 50,000 train / 10,000 test",
                  classes=None)
def cifar100(root=None, download=False, seed: int = 0) -> Splits:
    return _cifar("cifar100", "cifar-100-python", "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                  "eb9058c3a382ffc7106e4002c42a8d85", ["train"], ["test"], "fine_labels", root, download)


def cifar100_classes(root=None) -> list[str]:
    """The 100 fine label names, read (safely) from the `meta` file."""
    folder = _readers.locate("cifar100", root, ["cifar-100-python/meta"], {}, False)
    return _readers.read_cifar_names(os.path.join(folder, "cifar-100-python", "meta"), "fine_label_names")


# -- synthetic ------------------------------------------------------------------------------------
def _split_points(fn, seed, **kw) -> Splits:
    x, y = fn(seed=seed, **kw)
    train, test = stratified_split(y, 0.2, seed)
    return (x[train], y[train]), (x[test], y[test])


@register_dataset("spiral", description="3-class 2-D spiral (CS231n), 240 train / 60 test points",
                  classes=["0", "1", "2"], kind="points")
def spiral(root=None, download=False, seed: int = 0) -> Splits:
    return _split_points(_synthetic.spiral, seed)


@register_dataset("blobs", description="3 Gaussian blobs in 2-D, 240 / 60 points",
                  classes=["0", "1", "2"], kind="points")
def blobs(root=None, download=False, seed: int = 0) -> Splits:
    return _split_points(_synthetic.blobs, seed)


@register_dataset("xor", description="2-D XOR, 160 / 40 points", classes=["0", "1"], kind="points")
def xor(root=None, download=False, seed: int = 0) -> Splits:
    return _split_points(_synthetic.xor, seed)


@register_dataset("circles", description="2 concentric circles in 2-D, 160 / 40 points",
                  classes=["outer", "inner"], kind="points")
def circles(root=None, download=False, seed: int = 0) -> Splits:
    return _split_points(_synthetic.circles, seed)


@register_dataset("shapes", description="32x32 images of circles, squares, triangles with noise, 480 / 120",
                  classes=_synthetic.SHAPE_CLASSES)
def shapes(root=None, download=False, seed: int = 0, image_size: int = 32) -> Splits:
    return _split_points(_synthetic.shapes, seed, n_per_class=200, image_size=image_size)


# -- time series (bundled, from the UCR/UEA archives; see data/timeseries/README.md) ---------------
def _series_npz(name: str):
    with resources.files("pratique.data").joinpath(f"timeseries/{name}.npz").open("rb") as f:
        return dict(np.load(f))


def _classification_series(name: str) -> Splits:
    z = _series_npz(name)  # x: float32 (N, C, L), the layout of torch.nn.Conv1d; y: uint8 indices
    return (z["x_train"], z["y_train"]), (z["x_test"], z["y_test"])


@register_dataset("gunpoint", description="GunPoint (UCR): hand motion, 1 channel x 150 steps, 50 train / 150 test",
                  classes=["gun", "point"], kind="series")
def gunpoint(root=None, download=False, seed: int = 0) -> Splits:
    return _classification_series("gunpoint")


@register_dataset("italypowerdemand", description="ItalyPowerDemand (UCR): daily electricity demand, "
                  "1 x 24, 67 train / 1029 test", classes=["oct-mar", "apr-sep"], kind="series")
def italypowerdemand(root=None, download=False, seed: int = 0) -> Splits:
    return _classification_series("italypowerdemand")


@register_dataset("basicmotions", description="BasicMotions (UEA): smartwatch accelerometer + gyroscope, "
                  "6 x 100, 40 train / 40 test", classes=["badminton", "running", "standing", "walking"],
                  kind="series")
def basicmotions(root=None, download=False, seed: int = 0) -> Splits:
    return _classification_series("basicmotions")


@register_dataset("airline", description="Airline passengers 1949-1960 (Box-Jenkins), monthly; "
                  "(passengers, months): the last 12 months are the test split", kind="forecast")
def airline(root=None, download=False, seed: int = 0) -> Splits:
    z = _series_npz("airline")  # passengers float32 (144,), months "YYYY-MM" (144,)
    return (z["passengers"][:-12], z["months"][:-12]), (z["passengers"][-12:], z["months"][-12:])


@register_dataset("internalbleeding16", description="InternalBleeding16 (UCR anomaly archive): one signal; "
                  "(signal, is_anomaly per point): 1,200 normal train points, 7,501 test points",
                  kind="anomaly")
def internalbleeding16(root=None, download=False, seed: int = 0) -> Splits:
    z = _series_npz("internalbleeding16")
    return (z["train"], np.zeros(len(z["train"]), np.uint8)), (z["test"], z["test_is_anomaly"])

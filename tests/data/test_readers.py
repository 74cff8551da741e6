import os
import pickle

import numpy as np
import pytest

from pratique import PratiqueError
from pratique.data import _readers
from pratique.data.datasets import dataset_info, list_datasets, load_data
from pratique.data.module import ImageData

FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
         "t10k-labels-idx1-ubyte"]


def _write_mnist(folder, gz, rng):
    os.makedirs(folder, exist_ok=True)
    arrays = [rng.integers(0, 256, (12, 28, 28)), rng.integers(0, 10, 12),
              rng.integers(0, 256, (4, 28, 28)), rng.integers(0, 10, 4)]
    for f, a in zip(FILES, arrays):
        _readers.write_idx(os.path.join(folder, f + (".gz" if gz else "")), a)
    return arrays


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_idx_reader(tmp_path, gz, name):
    arrays = _write_mnist(tmp_path, gz, np.random.default_rng(1))
    (x, y), (_xt, yt) = load_data(name, root=str(tmp_path))
    assert x.shape == (12, 28, 28) and x.dtype == np.uint8 and y.dtype == np.uint8  # as Keras
    np.testing.assert_array_equal(x, arrays[0])
    np.testing.assert_array_equal(yt, arrays[3])


def test_idx_truncated_and_bad_magic(tmp_path):
    _readers.write_idx(tmp_path / "a", np.zeros((3, 4), np.uint8))
    data = (tmp_path / "a").read_bytes()
    (tmp_path / "b").write_bytes(data[:-2])
    with pytest.raises(PratiqueError, match="truncated"):
        _readers.read_idx(tmp_path / "b")
    (tmp_path / "c").write_bytes(b"PK\x03\x04....")
    with pytest.raises(PratiqueError, match="not an IDX"):
        _readers.read_idx(tmp_path / "c")


def test_offline_message_says_which_files_where(tmp_path):
    with pytest.raises(PratiqueError) as e:
        load_data("mnist", root=str(tmp_path))
    assert "train-images-idx3-ubyte.gz" in str(e.value) and str(tmp_path) in str(e.value)
    assert "https://" in str(e.value)


def _write_cifar(root, rng, n=6):
    folder = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(folder)
    batches = []
    for f in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        d = {b"batch_label": b"x", b"labels": rng.integers(0, 10, n).tolist(),
             b"data": rng.integers(0, 256, (n, 3072)).astype(np.uint8), b"filenames": [b"a.png"] * n}
        with open(os.path.join(folder, f), "wb") as fh:
            pickle.dump(d, fh, protocol=2)
        batches.append(d)
    return batches


def test_cifar10_reader(tmp_path):
    batches = _write_cifar(str(tmp_path), np.random.default_rng(2))
    (x, y), (xt, _yt) = load_data("cifar10", root=str(tmp_path))
    assert x.shape == (30, 32, 32, 3) and xt.shape == (6, 32, 32, 3)
    # pixel (row 0, col 1) of image 0 in channel 2 sits at offset 2*1024 + 1 of the flat row
    assert x[0, 0, 1, 2] == batches[0][b"data"][0, 2 * 1024 + 1]
    assert y.tolist()[:6] == batches[0][b"labels"]


def test_cifar100_reader(tmp_path):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for f in ("train", "test"):
        d = {b"fine_labels": list(range(4)), b"coarse_labels": [0] * 4,
             b"data": rng.integers(0, 256, (4, 3072)).astype(np.uint8)}
        (folder / f).write_bytes(pickle.dumps(d, protocol=2))
    names = [f"c{i}".encode() for i in range(100)]
    (folder / "meta").write_bytes(pickle.dumps({b"fine_label_names": names}, protocol=2))
    data = ImageData.named("cifar100", root=str(tmp_path), normalize=False, val_split=None)
    assert data.num_classes == 100 and data.classes[:2] == ["c0", "c1"]  # from the meta file


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > evil.txt",))


def test_malicious_pickle_is_refused(tmp_path):
    p = tmp_path / "data_batch_1"
    p.write_bytes(pickle.dumps({b"data": _Evil()}, protocol=2))
    with pytest.raises(PratiqueError, match="refused global"):
        _readers.safe_unpickle(p)
    assert not os.path.exists("evil.txt")
    p.write_bytes(pickle.dumps({b"data": np.array([object()], dtype=object)}, protocol=2))
    with pytest.raises(PratiqueError, match="Refused"):
        _readers.safe_unpickle(p)


def test_registry_lists_all():
    names = list_datasets()
    for n in ("mnist5k", "mnist", "fashion_mnist", "cifar10", "cifar100", "spiral", "blobs", "xor",
              "circles", "shapes"):
        assert n in names
    assert dataset_info("spiral")["kind"] == "points"


@pytest.mark.parametrize("name", ["spiral", "blobs", "xor", "circles"])
def test_point_datasets(name):
    (x, y), (_xt, _yt) = load_data(name)
    assert x.shape[1] == 2 and x.dtype == np.float32 and len(np.unique(y)) >= 2
    data = ImageData.named(name, batch_size=16)
    xb, _yb = next(iter(data.train_batches()))
    assert xb.shape == (16, 2) and data.preprocessing["kind"] == "features"
    assert abs(float(data.train_batches().x.float().mean())) < 10


def test_shapes_images_are_separable():
    (x, y), _ = load_data("shapes")
    assert x.shape == (480, 32, 32) and x.dtype == np.uint8
    # squares fill more pixels than triangles: mean brightness differs by class
    means = [x[y == c].mean() for c in range(3)]
    assert means[1] > means[2]

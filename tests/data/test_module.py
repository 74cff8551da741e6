import csv
import os
import shutil

import numpy as np
import pytest
import torch

from pratique import ImageData, PratiqueError
from pratique.data import eval_transform_from, load_images_for_prediction
from pratique.data.datasets import load_data


def test_named_mnist5k_in_memory_and_contract():
    data = ImageData.named("mnist5k", batch_size=100)
    assert data.num_classes == 10 and data.classes == [str(i) for i in range(10)]
    assert data.multi_label is False and data.val_batches() is None
    train = data.train_batches(seed=1)
    assert len(train) == 40
    x, y = next(iter(train))
    assert x.shape == (100, 1, 28, 28) and x.dtype == torch.float32 and y.dtype == torch.int64
    ev = data.eval_batches()
    assert len(ev) == 10 and sum(len(b[1]) for b in ev) == 1000
    # mean/std are exact over the training images (float64 reference)
    (xtr, _), _ = load_data("mnist5k")
    ref = torch.from_numpy(xtr).double() / 255
    assert data.preprocessing["mean"][0] == pytest.approx(ref.mean().item(), abs=1e-9)  # float64 sums: the order (threads) moves the last digits
    assert data.preprocessing["std"][0] == pytest.approx(ref.std(unbiased=False).item(), abs=1e-9)
    import json
    json.dumps(data.preprocessing)


def test_from_folders_root_of_classes(shapes_root):
    data = ImageData.from_folders(shapes_root, val_split=0.25, num_workers=0)
    assert data.classes == ["circle", "square", "triangle"]
    assert len(data.splits["train"][1]) == 18 and len(data.splits["val"][1]) == 6
    assert data.preprocessing["image_size"] == [16, 16] and data.preprocessing["color_mode"] == "grayscale"
    assert data.eval_batches() is not None


def test_from_folders_split_layout_and_hidden(tmp_path, shapes_root):
    root = tmp_path / "split"
    shutil.copytree(shapes_root, root / "train")
    shutil.copytree(shapes_root, root / "valid")
    shutil.copytree(shapes_root, root / "test")
    (root / "train" / ".ipynb_checkpoints").mkdir()
    (root / "train" / "circle" / ".DS_Store").write_bytes(b"\0\0")
    data = ImageData.from_folders(root, image_size=8, color_mode="rgb", num_workers=0)
    assert set(data.splits) == {"train", "val", "test"} and data.num_classes == 3
    assert data.preprocessing["input_shape"] == [3, 8, 8]
    assert any(i.kind == "leakage" for i in data.report.issues)  # same files in train and val


def test_from_folders_streaming_matches_in_memory(shapes_root):
    a = ImageData.from_folders(shapes_root, num_workers=0)
    b = ImageData.from_folders(shapes_root, num_workers=0, memory_budget=0)
    assert type(b.train_batches()).__name__ == "StreamingBatches"
    assert a.preprocessing == b.preprocessing  # integer sums: exactly equal
    xa = torch.cat([x for x, _ in a.train_batches(seed=3)])
    xb = torch.cat([x for x, _ in b.train_batches(seed=3)])
    assert torch.allclose(xa, xb, atol=1e-5)  # same order, same pixels


def test_from_files_and_multilabel(shapes_root):
    files = sorted(str(p) for p in __import__("pathlib").Path(shapes_root).rglob("*.png"))
    labels = [os.path.basename(os.path.dirname(f)) for f in files]
    data = ImageData.from_files(files, labels, num_workers=0)
    assert data.classes == ["circle", "square", "triangle"]
    multi = [[lab, "any"] for lab in labels]
    data = ImageData.from_files(files, multi, num_workers=0)
    assert data.multi_label and data.num_classes == 4
    _, y = next(iter(data.train_batches()))
    assert y.dtype == torch.float32 and torch.all(y.sum(1) == 2)


def test_from_csv_single_and_multi(tmp_path, shapes_root):
    files = sorted(__import__("pathlib").Path(shapes_root).rglob("*.png"))
    with open(tmp_path / "l.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "label", "round", "pointy"])
        for p in files:
            cls = p.parent.name
            w.writerow([os.path.relpath(p, shapes_root), cls, int(cls == "circle"), int(cls == "triangle")])
    data = ImageData.from_csv(tmp_path / "l.csv", "file", "label", root=shapes_root, num_workers=0)
    assert data.num_classes == 3 and not data.multi_label
    data = ImageData.from_csv(tmp_path / "l.csv", "file", ["round", "pointy"], root=shapes_root, num_workers=0)
    assert data.multi_label and data.classes == ["round", "pointy"]
    with pytest.raises(PratiqueError, match="no column"):
        ImageData.from_csv(tmp_path / "l.csv", "path", "label", root=shapes_root)


def test_from_numpy_tensors_and_dataset():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (20, 8, 8, 3), dtype=np.uint8)
    y = np.arange(20) % 2
    d = ImageData.from_numpy(x, y, val_split=0.2, image_size=4)
    assert d.preprocessing["input_shape"] == [3, 4, 4] and len(d.val_batches().x) == 4
    d = ImageData.from_tensors(torch.from_numpy(x).permute(0, 3, 1, 2), torch.from_numpy(y))
    assert d.num_classes == 2
    ds = torch.utils.data.TensorDataset(torch.rand(10, 1, 5, 5), torch.arange(10) % 3)
    d = ImageData.from_dataset(ds, color_mode="grayscale", image_size=5, num_workers=0)
    assert d.num_classes == 3 and next(iter(d.train_batches()))[0].shape == (10, 1, 5, 5)


@pytest.mark.parametrize("call,match", [
    (lambda r: ImageData.from_folders(r / "nope"), "does not exist"),
    (lambda r: ImageData.from_folders(r), "no class folders"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), np.zeros(4, int)), "at least 2"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 2, 5], classes=["a", "b", "c"]), "out of range"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, -1, 1]), "out of range"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0]), "same length"),
    (lambda r: ImageData.from_numpy(np.array([["a"] * 3] * 4), [0, 1, 0, 1]), "numeric"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 2, 8, 8, 1), np.uint8), [0, 1, 0, 1]), "shape"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.int32), [0, 1, 0, 1]), "dtype"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0, 1], image_size="big"), "image_size"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0, 1], batchsize=3), "batch_size"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0, 1], augment={"rotate": 3}), "rotation_range"),
    (lambda r: ImageData.from_numpy(np.full((4, 8, 8), 200.0, np.float32), [0, 1, 0, 1]), "divide by 255"),
    (lambda r: ImageData.from_numpy(np.where(np.eye(8) > 0, np.nan, 0.5)[None].repeat(4, 0), [0, 1, 0, 1]), "NaN"),
    (lambda r: ImageData.from_numpy(np.full((4, 3), np.inf), [0, 1, 0, 1]), "NaN or infinite"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0, 1],
                                    validation_data=(np.zeros((2, 9, 9), np.uint8), [0, 1])), r"\(1, 9, 9\).*\(1, 8, 8\)"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0, 1],
                                    test_data=(np.zeros((2, 8, 8, 3), np.uint8), [0, 1])), r"\(3, 8, 8\).*\(1, 8, 8\)"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0, 1], normalize="batch"), "'imagenet'"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0, 1], normalize=((0.5,), (0.0,))), "std > 0"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0, 1], num_workers=-1), "num_workers"),
    (lambda r: ImageData.from_numpy(np.zeros((4, 8, 8), np.uint8), [0, 1, 0, 1], num_workers=2.0), "num_workers"),
])
def test_bad_inputs_fail_early(tmp_path, call, match):
    with pytest.raises(PratiqueError, match=match):
        call(tmp_path)


def test_float_images_in_unit_range_and_same_shapes_after_resize_are_accepted():
    x = np.linspace(0, 1, 4 * 8 * 8, dtype=np.float32).reshape(4, 8, 8)
    data = ImageData.from_numpy(x, [0, 1, 0, 1], validation_data=(np.zeros((2, 9, 9, 3), np.uint8), [0, 1]),
                                image_size=8, color_mode="grayscale", normalize=False)
    assert tuple(data.splits["val"][0].shape) == (2, 1, 8, 8)
    assert data.preprocessing["input_shape"] == [1, 8, 8]


def test_val_classes_not_in_train(tmp_path, shapes_root):
    shutil.copytree(shapes_root, tmp_path / "val")
    os.rename(tmp_path / "val" / "square", tmp_path / "val" / "hexagon")
    with pytest.raises(PratiqueError, match="hexagon"):
        ImageData.from_folders(shapes_root, val_folder=tmp_path / "val")


def test_bad_files_stop_construction_or_are_skipped(tmp_path, shapes_root):
    bad = os.path.join(shapes_root, "circle", "zz_broken.png")
    with open(bad, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(PratiqueError, match="zz_broken.png"):
        ImageData.from_folders(shapes_root, num_workers=0)
    data = ImageData.from_folders(shapes_root, skip_bad=True, num_workers=0)
    assert [s["path"] for s in data.skipped] == [bad] and len(data) == 24


def test_class_weights_and_weighted_sampler():
    x = np.zeros((40, 4, 4), np.uint8)
    y = np.array([0] * 30 + [1] * 10)
    data = ImageData.from_numpy(x, y, sampler="weighted", batch_size=40)
    w = data.class_weights()
    assert torch.allclose(w, torch.tensor([40 / (2 * 30), 40 / (2 * 10)]))
    ys = torch.cat([yb for _ in range(20) for _, yb in data.train_batches(seed=_)])
    assert abs(ys.float().mean().item() - 0.5) < 0.08  # balanced draws, not 0.25


def test_eval_transform_and_prediction_loading(tmp_path, shapes_root):
    data = ImageData.from_folders(shapes_root, image_size=12, num_workers=0)
    files = sorted(__import__("pathlib").Path(shapes_root).rglob("*.png"))[:3]
    x = load_images_for_prediction([str(f) for f in files], data.preprocessing)
    assert x.shape == (3, 1, 12, 12) and x.dtype == torch.float32
    ref = ImageData.from_files([str(f) for f in files], ["a", "b", "c"], image_size=12,
                               normalize=tuple(zip(*[(data.preprocessing["mean"][0], data.preprocessing["std"][0])])),
                               num_workers=0)
    xr = torch.cat([b for b, _ in ref._batches("train", False)])
    assert torch.allclose(x, xr, atol=1e-6)
    t = eval_transform_from(data.preprocessing)
    assert t(torch.zeros(2, 3, 30, 20, dtype=torch.uint8)).shape == (2, 1, 12, 12)


def test_show_batch_writes_png(tmp_path, shapes_root):
    data = ImageData.from_folders(shapes_root, augment="standard", num_workers=0)
    path = data.show_batch(tmp_path / "b.png", n=9)
    assert os.path.getsize(path) > 1000


class _Items(torch.utils.data.Dataset):
    """A map-style dataset of 4x4 gray images with integer labels, optionally named classes."""

    def __init__(self, labels, classes=None):
        self.labels = labels
        if classes is not None:
            self.classes = classes

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return torch.full((1, 4, 4), i / len(self.labels)), self.labels[i]


def test_from_dataset_integer_labels_are_indices_named_by_ds_classes():
    data = ImageData.from_dataset(_Items([0, 1, 5, 1, 0, 5]), num_workers=0, image_size=4)
    assert data.splits["train"][1].tolist() == [0, 1, 5, 1, 0, 5]  # not remapped to 0, 1, 2
    assert data.classes == ["0", "1", "2", "3", "4", "5"]
    named = ImageData.from_dataset(_Items([0, 2, 1, 2], classes=["cat", "dog", "owl"]), num_workers=0, image_size=4)
    assert named.classes == ["cat", "dog", "owl"] and named.splits["train"][1].tolist() == [0, 2, 1, 2]
    with pytest.raises(PratiqueError, match="out of range.*0..2"):
        ImageData.from_dataset(_Items([0, 1, 3, 1], classes=["cat", "dog", "owl"]), num_workers=0, image_size=4)
    with pytest.raises(PratiqueError, match="val labels must be class indices"):
        ImageData.from_dataset(_Items([0, 1, 0, 1]), val_dataset=_Items(["a", "b"]), num_workers=0, image_size=4)


def test_no_class_folders_error_shows_the_real_path(tmp_path):
    with pytest.raises(PratiqueError) as e:
        ImageData.from_folders(tmp_path)
    assert f"{tmp_path}/cat/1.jpg" in str(e.value) and "{root}" not in str(e.value)


def test_skip_bad_is_suggested_only_for_unreadable_files(tmp_path, shapes_root):
    os.mkdir(os.path.join(shapes_root, "empty"))
    with pytest.raises(PratiqueError, match="empty") as e:
        ImageData.from_folders(shapes_root, num_workers=0)
    assert "skip_bad" not in str(e.value)
    one = tmp_path / "one"
    shutil.copytree(os.path.join(shapes_root, "circle"), one / "circle")
    with pytest.raises(PratiqueError, match="at least 2") as e:
        ImageData.from_folders(one, num_workers=0)
    assert "skip_bad" not in str(e.value)
    with open(os.path.join(shapes_root, "circle", "zz.png"), "wb") as f:
        f.write(b"broken")
    with pytest.raises(PratiqueError, match="skip_bad=True"):
        ImageData.from_folders(shapes_root, num_workers=0)


def test_standardized_float_images_pass_as_they_are():
    """Negative values mean the user normalized the images: accepted, unlike 0..255 floats."""
    x = np.random.default_rng(0).standard_normal((6, 8, 8)).astype(np.float32)
    data = ImageData.from_numpy(x, [0, 1, 0, 1, 0, 1], batch_size=3)
    xb, _ = next(iter(data.train_batches()))
    assert float(xb.min()) < 0 and float(xb.max()) > 1

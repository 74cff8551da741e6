"""One path for an image: every kind of file reaches the model as the same tensor through the
training batches (from_folders, from_files), `ImageClassifier.predict` on files and the ONNX runner.

The model is `nn.Flatten()`: its outputs are its inputs, so predict hands back what it fed in.
Before `data/preprocess.py` the predict path had its own decoder: a 16-bit PNG reached the model
in [0, 257] instead of [0, 1], and RGB -> gray differed by one level on about half the pixels."""
import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import pratique as pq
from pratique.data import ImageData
from pratique.tasks.predict import file_logits

H, W = 20, 16  # every file shows H x W once its EXIF orientation is applied
SIZE = (12, 10)  # the model's (H, W): every path resizes


def _write_images(root) -> list:
    """One file per kind, in class folders a/ and b/; returns the paths in from_folders' order."""
    rng = np.random.default_rng(0)
    rgb = np.kron(rng.integers(0, 256, (5, 4, 3), dtype=np.uint8), np.ones((4, 4, 1), np.uint8))
    rgb = (rgb.astype(np.int16) + rng.integers(-20, 20, rgb.shape)).clip(0, 255).astype(np.uint8)
    gray = rgb[..., 1]
    kinds = {
        "a/bit1.png": Image.fromarray(gray > 127),
        "a/gray8.png": Image.fromarray(gray),
        "a/gray16.png": Image.fromarray((gray.astype(np.uint16) * 257 + rng.integers(0, 257, gray.shape)).astype(np.uint16)),
        "a/rgb.png": Image.fromarray(rgb),
        "a/rgb.jpg": Image.fromarray(rgb),
        "b/rgba.png": Image.fromarray(np.dstack([rgb, rng.integers(0, 256, (H, W), dtype=np.uint8)])),
        "b/palette.png": Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=16),
        "b/cmyk.jpg": Image.fromarray(rgb).convert("CMYK"),
    }
    paths = []
    for name, img in kinds.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(path, **({"quality": 95} if name.endswith(".jpg") else {}))
        paths.append(path)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display: stored W x H, shown H x W
    Image.fromarray(np.ascontiguousarray(np.rot90(rgb, 1))).save(root / "b/rotated.jpg", exif=exif.tobytes())
    paths.append(root / "b/rotated.jpg")
    assert Image.open(root / "a/gray16.png").mode.startswith("I")  # a real 16-bit PNG
    return sorted(paths, key=lambda p: (p.parent.name, p.name))


@pytest.fixture
def images(tmp_path):
    return _write_images(tmp_path / "kinds")


def _flatten_model(data) -> pq.ImageClassifier:
    model = pq.ImageClassifier(nn.Flatten())
    model.preprocessing = dict(data.preprocessing)
    model.input_shape = tuple(data.preprocessing["input_shape"])
    model.classes = list(data.classes)
    return model


def _assert_same_per_file(paths, got: torch.Tensor, want: torch.Tensor, what: str) -> None:
    got = got.reshape(want.shape)
    bad = {p.name: float((g - w).abs().max()) for p, g, w in zip(paths, got, want)
           if not torch.allclose(g, w, rtol=0, atol=1e-5)}
    assert not bad, f"{what} feeds the model another tensor than training for: {bad}"


@pytest.mark.parametrize("color_mode", ["grayscale", "rgb"])
def test_every_image_kind_reaches_the_model_as_the_same_tensor(images, tmp_path, color_mode):
    root = images[0].parent.parent
    options = {"image_size": SIZE, "color_mode": color_mode, "num_workers": 0, "batch_size": 64}
    data = ImageData.from_folders(root, test_folder=root, **options)
    evaluated, _ = next(iter(data.test_batches()))  # the evaluation path, in file order
    channels = 1 if color_mode == "grayscale" else 3
    assert evaluated.shape == (len(images), channels, *SIZE)

    files = ImageData.from_files(images, [p.parent.name for p in images],
                                 normalize=(data.preprocessing["mean"], data.preprocessing["std"]),
                                 **options)
    batches = files.train_batches()
    shuffled, _ = next(iter(batches))
    trained = torch.empty_like(shuffled)
    trained[batches.epoch_order] = shuffled  # the training path, back in file order
    _assert_same_per_file(images, trained, evaluated, "ImageData.from_files (training)")

    model = _flatten_model(data)
    predicted = torch.from_numpy(model.predict([str(p) for p in images]))
    _assert_same_per_file(images, predicted, evaluated, "ImageClassifier.predict(files)")

    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    onnx_path = model.export(tmp_path / "flatten.onnx")["path"]
    from_onnx = torch.from_numpy(file_logits(onnx_path, [str(p) for p in images]))
    _assert_same_per_file(images, from_onnx, evaluated, "the ONNX runner")

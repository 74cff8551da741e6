"""Pretrained weights offline: the bundled EfficientNet-Lite0, local files, the hub's offline message."""
import socket

import numpy as np
import pytest
import torch
from PIL import Image

import pratique as pq
from pratique import PratiqueError
from pratique.models import create_model
from pratique.models import pretrained as weights

skimage_data = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def imagenet_lite0():
    return pq.ImageClassifier("efficientnet_lite0", num_classes=1000, pretrained=True)


def _photo(array: np.ndarray) -> np.ndarray:
    return np.array(Image.fromarray(array).resize((224, 224), Image.BICUBIC))[None]  # (1, H, W, 3)


@pytest.mark.parametrize("photo, label", [("chelsea", "Egyptian cat"), ("coffee", "espresso")])
def test_bundled_weights_classify_a_photograph(imagenet_lite0, photo, label):
    labels, probs = imagenet_lite0.predict(_photo(getattr(skimage_data, photo)()), top_k=5)
    assert label in labels[0]
    assert probs[0, 0] > 0.5


def test_imagenet_classes_and_preprocessing_ship(imagenet_lite0):
    names = weights.imagenet_classes()
    assert len(names) == 1000 and names[0] == "tench" and names[285] == "Egyptian cat"
    assert imagenet_lite0.classes == names
    assert imagenet_lite0.preprocessing["mean"] == [0.5, 0.5, 0.5]


def test_new_head_and_grey_input_keep_the_backbone(imagenet_lite0):
    grey = create_model("efficientnet_lite0", num_classes=5, in_channels=1, pretrained=True)
    rgb = imagenet_lite0.module.state_dict()
    own = grey.state_dict()
    torch.testing.assert_close(own["conv_stem.weight"], rgb["conv_stem.weight"].sum(1, keepdim=True))
    assert torch.equal(own["blocks.6.0.conv_pw.weight"], rgb["blocks.6.0.conv_pw.weight"])
    assert own["classifier.weight"].shape == (5, 1280)
    assert grey.pratique_pretrained["classes"] is None
    assert grey.pratique_pretrained["preprocessing"]["mean"] == [0.5]


def test_remap_checks_every_shape():
    src = {"a": torch.zeros(2, 3), "b": torch.zeros(4)}
    assert list(weights.remap_in_order(src, {"x": torch.ones(2, 3), "y": torch.ones(4)})) == ["x", "y"]
    with pytest.raises(PratiqueError, match="shapes differ"):
        weights.remap_in_order(src, {"x": torch.ones(3, 2), "y": torch.ones(4)})
    with pytest.raises(PratiqueError, match="2 tensors in the file, 1 in the model"):
        weights.remap_in_order(src, {"x": torch.ones(2, 3)})


def test_local_file_loads_strictly_with_a_report(tmp_path):
    from safetensors.torch import save_file

    source = create_model("lenet5")
    save_file(source.state_dict(), tmp_path / "lenet5.safetensors")
    loaded = create_model("lenet5", pretrained=str(tmp_path / "lenet5.safetensors"))
    assert all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), source.state_dict().values()))
    state = source.state_dict()
    state["extra.weight"] = state.pop("11.bias")
    torch.save(state, tmp_path / "bad.pth")
    with pytest.raises(PratiqueError, match=r"Missing keys \(1\): \['11.bias'\]; unexpected keys \(1\)"):
        create_model("lenet5", pretrained=str(tmp_path / "bad.pth"))
    with pytest.raises(PratiqueError, match="shape mismatches"):
        create_model("lenet5", num_classes=3, pretrained=str(tmp_path / "lenet5.safetensors"))


def test_pth_is_never_unpickled(tmp_path):
    torch.save({"state_dict": {"w": torch.zeros(1)}, "evil": object()}, tmp_path / "pickled.pth")
    with pytest.raises(PratiqueError, match="weights_only=True"):
        create_model("lenet5", pretrained=str(tmp_path / "pickled.pth"))


def test_hub_offline_names_the_alternatives(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network disabled in tests")

    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(PratiqueError, match="needs a network connection.*bundled.*efficientnet_lite0"):
        create_model("resnet18", pretrained="hub")
    with pytest.raises(PratiqueError, match="Only efficientnet_lite0 has bundled weights"):
        create_model("resnet18", pretrained="bundled")
    with pytest.raises(PratiqueError, match="pretrained must be False, True"):
        create_model("efficientnet_lite0", pretrained="imagenet")

"""The registry: names, cards, user models, modules in place of names, timm pass-through."""
import pytest
import torch
from torch import nn

import pratique as pq
from pratique import PratiqueError, UnknownNameError
from pratique.models import create_model, get_model_card, list_models, register_model
from pratique.models.registry import _REGISTRY, _count_params

ZOO = ["alexnet", "vgg11", "vgg16", "resnet18", "resnet34", "resnet50", "mobilenet_v2",
       "efficientnet_lite0", "inception_v3", "xception", "convmixer"]
CLASSICS = ["perceptron", "mlp", "lenet1", "lenet4", "lenet5", "cnn_mnist", "cnn_cifar10"]


def test_every_issue_model_is_registered():
    assert set(ZOO + CLASSICS + ["ensemble"]) <= set(list_models())
    assert list_models("lenet*") == ["lenet1", "lenet4", "lenet5"]


def test_unknown_name_lists_close_matches():
    with pytest.raises(UnknownNameError, match="Did you mean .*'resnet18'"):
        create_model("resnet19")
    with pytest.raises(UnknownNameError, match="Did you mean 'lenet5'"):
        pq.ImageClassifier("lenet6")


def test_cards_describe_the_model():
    card = get_model_card("efficientnet_lite0")
    assert card.input_size == (3, 224, 224)
    assert card.preprocessing["mean"] == [0.5, 0.5, 0.5] and card.preprocessing["size"] == 224
    assert "bundled" in card.pretrained
    assert get_model_card("lenet5").pretrained is None
    info = get_model_card("lenet5").as_dict()
    assert info["params"] == 61706 and info["input_size"] == [1, 28, 28]


@pytest.mark.parametrize("name", ["lenet5", "mlp", "resnet18", "ensemble"])
def test_meta_count_equals_real_count(name):
    real = sum(p.numel() for p in create_model(name, num_classes=7).parameters())
    assert get_model_card(name).params(7) == real


def test_user_model_registers_with_the_same_decorator(tmp_path):
    @register_model("tiny_test_net", input_size=(1, 8, 8))
    def tiny(num_classes=10, in_channels=1, width=4):
        return nn.Sequential(nn.Flatten(), nn.Linear(in_channels * 64, width), nn.ReLU(),
                             nn.Linear(width, num_classes))

    try:
        assert "tiny_test_net" in list_models()
        clf = pq.ImageClassifier("tiny_test_net", num_classes=3, width=5)
        assert clf.count_params() == 64 * 5 + 5 + 5 * 3 + 3
        clf.save(tmp_path / "t.pratique")
        again = pq.load(tmp_path / "t.pratique")
        x = torch.randn(2, 1, 8, 8)
        torch.testing.assert_close(again.module(x), clf.module(x))
    finally:
        del _REGISTRY["tiny_test_net"]


def test_module_accepted_in_place_of_a_name(tmp_path):
    net = nn.Linear(4, 2)
    assert create_model(net) is net
    path = tmp_path / "w.pth"
    other = nn.Linear(4, 2)
    torch.save(other.state_dict(), path)
    create_model(net, pretrained=str(path))
    assert torch.equal(net.weight, other.weight)
    with pytest.raises(PratiqueError, match="local .pth/.safetensors"):
        create_model(nn.Linear(4, 2), pretrained=True)


def test_bad_arguments_are_user_errors():
    with pytest.raises(PratiqueError, match="num_classes must be a positive int"):
        create_model("lenet5", num_classes=0)
    with pytest.raises(PratiqueError, match="Bad arguments for model 'mlp'"):
        create_model("mlp", depth=3)
    with pytest.raises(PratiqueError, match="has no pretrained weights"):
        create_model("lenet5", pretrained=True)


def test_timm_passthrough(tmp_path):
    clf = pq.ImageClassifier("timm:test_resnet", num_classes=4, seed=0)
    assert get_model_card("timm:test_resnet").pretrained.startswith("hub")
    x = torch.randn(2, 3, 32, 32)
    clf.module.eval()
    clf.save(tmp_path / "r.pratique")
    again = pq.load(tmp_path / "r.pratique").module.eval()
    torch.testing.assert_close(again(x), clf.module(x))
    with pytest.raises(UnknownNameError, match="Did you mean .*'resnet18'"):
        get_model_card("timm:resnet18x")


def test_models_cli_lists_parameter_counts():
    from click.testing import CliRunner

    from pratique.cli.main import cli

    result = CliRunner().invoke(cli, ["models", "lenet*"])
    assert result.exit_code == 0, result.output
    assert "61,706" in result.output and "3,246" in result.output and "resnet" not in result.output


def _lenet5_impostor(num_classes=10, in_channels=1):
    return nn.Sequential(nn.Flatten(), nn.Linear(in_channels * 784, num_classes))


def test_a_taken_name_is_refused_unless_overwrite():
    card = get_model_card("lenet5")
    builtin = card.fn
    with pytest.raises(PratiqueError, match=r"'lenet5' is already registered.*overwrite=True"):
        register_model("lenet5")(_lenet5_impostor)
    assert get_model_card("lenet5").fn is builtin
    try:
        register_model("lenet5", overwrite=True)(_lenet5_impostor)
        assert get_model_card("lenet5").fn is _lenet5_impostor
    finally:
        _REGISTRY["lenet5"] = card
        _count_params.cache_clear()


def test_a_clash_is_found_whatever_the_import_order():
    # a fresh interpreter where the user registers before anything loaded the built-ins
    import subprocess
    import sys

    code = ("import torch.nn as nn\nfrom pratique.models.registry import register_model\n"
            "try:\n    register_model('lenet5')(lambda num_classes=10, in_channels=1: nn.Identity())\n"
            "except ValueError as e:\n    print('refused', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "refused" in out.stdout, out.stderr


def test_rerunning_the_same_definition_replaces_it():
    def run_cell():
        @register_model("cell_net", input_size=(1, 8, 8))
        def cell_net(num_classes=10, in_channels=1):
            return nn.Sequential(nn.Flatten(), nn.Linear(in_channels * 64, num_classes))
        return cell_net

    try:
        run_cell()
        second = run_cell()  # a notebook cell run twice: same module and qualname
        assert get_model_card("cell_net").fn is second
    finally:
        del _REGISTRY["cell_net"]

"""The 1-D models: the papers' shapes and parameter counts by hand, padding against torch's."""
import json

import pytest
import torch
from click.testing import CliRunner
from torch import nn

from pratique import PratiqueError
from pratique.cli.main import cli, main
from pratique.models import create_model, get_model_card, register_model, summarize
from pratique.models.inceptiontime import InceptionModule
from pratique.models.registry import _REGISTRY
from pratique.models.series import ResidualBlock1d, SameConv1d


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's, on the reference's even kernels
@pytest.mark.parametrize("kernel", [8, 5, 3, 40, 1])
def test_same_conv_pads_as_torch_same(kernel):
    ours = SameConv1d(2, 3, kernel)
    ref = nn.Conv1d(2, 3, kernel, padding="same")
    ref.load_state_dict(ours.state_dict())
    x = torch.randn(4, 2, 37)
    torch.testing.assert_close(ours(x), ref(x))


def test_fcn_shapes_and_count_by_hand():
    m = create_model("fcn", num_classes=2)
    s = summarize(m, (1, 150))
    assert [r.output_shape for r in s.rows if r.kind == "SameConv1d"] == [(128, 150), (256, 150), (128, 150)]
    assert s.rows[-1].output_shape == (2,)
    # conv 128*(1*8+1) + 256*(128*5+1) + 128*(256*3+1), BN 2*(128+256+128), linear 2*(128+1)
    assert _count(m) == 1152 + 164096 + 98432 + 1024 + 258 == 264962


def test_resnet1d_blocks_and_shortcuts():
    m = create_model("resnet1d", num_classes=3, in_channels=6)
    blocks = [b for b in m if isinstance(b, ResidualBlock1d)]
    assert [b.body[0].in_channels for b in blocks] == [6, 64, 128]
    assert [b.body[-2].out_channels for b in blocks] == [64, 128, 128]
    assert [b.body[i].kernel_size[0] for b in blocks[:1] for i in (0, 3, 6)] == [8, 5, 3]
    # the width changes in blocks 1 and 2 (1x1 conv + BN), not in block 3 (BN alone), as Fawaz et al.
    assert isinstance(blocks[0].shortcut[0], nn.Conv1d) and isinstance(blocks[2].shortcut, nn.BatchNorm1d)
    assert m(torch.randn(2, 6, 33)).shape == (2, 3)


def test_inception_module_branches():
    uni, multi = InceptionModule(1), InceptionModule(6)
    assert isinstance(uni.bottleneck, nn.Identity)  # no bottleneck on one channel (the authors' code)
    assert multi.bottleneck.out_channels == 32
    assert [c.kernel_size[0] for c in multi.convs] == [40, 20, 10]
    assert multi(torch.randn(2, 6, 17)).shape == (2, 128, 17)  # 4 branches of 32 maps, length kept


def test_inceptiontime_depth_and_residuals():
    m = create_model("inceptiontime", num_classes=4, in_channels=6)
    assert len(m.blocks) == 6 and len(m.shortcuts) == 2
    assert m.shortcuts[0][0].in_channels == 6 and m.shortcuts[1][0].in_channels == 128
    assert m(torch.randn(2, 6, 9)).shape == (2, 4)
    assert "not the 5-network ensemble" in get_model_card("inceptiontime").description


@pytest.mark.parametrize("length", [10, 24, 150])
def test_cnn1d_flatten_size_matches_the_forward(length):
    m = create_model("cnn1d", num_classes=2, input_length=length)
    assert m(torch.zeros(2, 1, length)).shape == (2, 2)


def test_cnn1d_refuses_a_series_too_short():
    with pytest.raises(PratiqueError, match="leave nothing of a series of length 9"):
        create_model("cnn1d", input_length=9)


def test_mlp_takes_series_by_length():
    m = create_model("mlp", num_classes=2, in_channels=3, input_length=24, hidden=(8,))
    assert m[1].in_features == 3 * 24
    assert m(torch.randn(5, 3, 24)).shape == (5, 2)


def test_cards_of_series_models_are_1d():
    for name in ("fcn", "resnet1d", "inceptiontime", "cnn1d"):
        card = get_model_card(name)
        assert card.is_series and len(card.input_size) == 2 and "series" in card.tags
    assert not get_model_card("lenet5").is_series


@pytest.mark.parametrize("size", [(1, 2, 3, 4), (1,), (0, 5), "big"])
def test_register_refuses_an_input_size_of_another_rank(size):
    with pytest.raises(PratiqueError, match=r"\(C, H, W\) for images or \(C, L\) for series"):
        register_model("bad_size_net", input_size=size)(lambda num_classes=10, in_channels=1: None)
    assert "bad_size_net" not in _REGISTRY


def test_register_refuses_a_min_size_of_another_rank():
    with pytest.raises(PratiqueError, match="min_input_size must have the rank"):
        register_model("bad_min_net", input_size=(1, 50), min_input_size=(1, 8, 8))(
            lambda num_classes=10, in_channels=1: None)


def test_summary_cli_shows_series_shapes():
    result = CliRunner().invoke(cli, ["summary", "fcn", "--input-shape", "1,150"])
    assert result.exit_code == 0, result.output
    assert "(None, 128, 150)" in result.output and "(None, 256, 150)" in result.output
    short = CliRunner().invoke(cli, ["summary", "cnn1d", "--input-shape", "6,24"])
    assert short.exit_code == 0, short.output
    assert "(None, 32, 11)" in short.output  # (24 - 2) // 2: valid conv then pool


def test_summary_cli_refuses_an_image_shape_for_a_series_model(capsys):
    with pytest.raises(SystemExit) as info:
        main(["summary", "fcn", "--input-shape", "1,28,28"])
    assert info.value.code == 2
    assert "fcn takes series C,L (like 1,150). Received --input-shape 1,28,28" in capsys.readouterr().err


def test_models_card_prints_the_1d_input_size():
    result = CliRunner().invoke(cli, ["models", "fcn", "--card"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)[0]
    assert card["input_size"] == [1, 150] and card["params"] == get_model_card("fcn").params()

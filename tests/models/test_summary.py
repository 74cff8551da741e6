"""The summary: totals against sum(p.numel()), memory estimates by hand, the CLI."""
from click.testing import CliRunner
from torch import nn

from pratique.cli.main import cli
from pratique.models import create_model, summarize


def test_lenet5_summary_totals_and_shapes():
    module = create_model("lenet5")
    s = summarize(module, (1, 28, 28))
    assert s.total_params == sum(p.numel() for p in module.parameters()) == 61706
    assert sum(r.params for r in s.rows) == s.total_params
    assert [r.output_shape for r in s.rows if r.kind == "Conv2d"] == [(6, 28, 28), (16, 10, 10)]
    assert s.param_bytes == 61706 * 4
    assert "Total params: 61,706" in str(s)


def test_memory_estimates_by_hand():
    module = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32, 3))
    module[0].weight.requires_grad_(False)
    s = summarize(module, (1, 4, 4))
    # outputs per sample: conv 2*4*4, relu 2*4*4, flatten 32, linear 3 -> floats of 4 bytes
    assert s.activation_bytes == (32 + 32 + 32 + 3) * 4
    assert s.trainable_params == s.total_params - 18
    assert s.non_trainable_params == 18
    assert "partly" in str(s)


def test_summary_cli_takes_an_input_shape():
    result = CliRunner().invoke(cli, ["summary", "lenet5", "--input-shape", "1,32,32"])
    assert result.exit_code == 0, result.output
    assert "(None, 6, 28, 28)" in result.output and "61,706" in result.output

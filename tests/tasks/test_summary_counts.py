import pytest
import torch.nn as nn

import pratique as pq
from pratique.models.summary import summarize


def test_conv2d_shape_and_params_as_in_the_issue():
    s = summarize(nn.Conv2d(8, 16, 3), (8, 50, 100))
    assert s.rows[0].output_shape == (16, 48, 98)
    assert s.total_params == 1168 == 8 * 16 * 9 + 16


class WithOwnParam(nn.Module):
    def __init__(self):
        super().__init__()
        import torch

        self.scale = nn.Parameter(torch.ones(3))
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))

    def forward(self, x):
        return self.body(x * self.scale.view(1, 3, 1, 1))


@pytest.mark.parametrize("build, shape", [
    (lambda: pq.models.create_model("lenet5"), (1, 28, 28)),
    (lambda: pq.models.create_model("mlp", hidden=(64, 32)), (1, 28, 28)),
    (lambda: WithOwnParam(), (3, 16, 16)),
    (lambda: nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.Linear(8 * 14 * 14, 5)),
     (3, 16, 16)),
])
def test_rows_add_up_to_sum_of_numel(build, shape):
    module = build()
    s = summarize(module, shape)
    expected = sum(p.numel() for p in module.parameters())
    assert s.total_params == expected
    assert sum(r.params for r in s.rows) == expected


def test_frozen_parameters_are_non_trainable():
    module = nn.Sequential(nn.Linear(10, 5), nn.Linear(5, 2))
    for p in module[0].parameters():
        p.requires_grad_(False)
    s = summarize(module)
    assert s.trainable_params == 12 and s.non_trainable_params == 55
    assert "Non-trainable params: 55" in str(s)


def test_lenet5_summary_table_through_model(capsys):
    model = pq.ImageClassifier("lenet5")
    s = model.summary()
    out = capsys.readouterr().out
    assert s.total_params == 61706
    assert "Total params: 61,706" in out
    assert "(None, 16, 5, 5)" in out and "(None, 10)" in out

"""InceptionTime (Fawaz et al., 2020), one network: the paper's result is an ensemble of 5 such
networks trained from different random starts (average their probabilities yourself, e.g. with
`pq.models.EnsembleModule`); this is one member.

As the authors' Keras code: bottleneck 32 (only when the input has more than one channel),
kernels 40, 20, 10 (`padding="same"`), a max-pool branch, 32 filters per branch (128 out),
batch norm and ReLU after the concatenation, a residual connection every 3 modules, depth 6.
"""
from __future__ import annotations

import torch
from torch import nn

from .registry import register_model
from .series import _SERIES, GlobalAvgPool1d, SameConv1d


class InceptionModule(nn.Module):
    """Bottleneck -> 3 parallel convolutions, plus max-pool -> 1x1 conv; concatenated, BN, ReLU."""

    def __init__(self, c_in: int, filters: int = 32, kernels=(40, 20, 10), bottleneck: int = 32):
        super().__init__()
        use_bottleneck = bottleneck > 0 and c_in > 1
        self.bottleneck = nn.Conv1d(c_in, bottleneck, 1, bias=False) if use_bottleneck else nn.Identity()
        width = bottleneck if use_bottleneck else c_in
        self.convs = nn.ModuleList(SameConv1d(width, filters, k, bias=False)
                                   for k in kernels)
        self.pool = nn.Sequential(nn.MaxPool1d(3, stride=1, padding=1),
                                  nn.Conv1d(c_in, filters, 1, bias=False))
        self.bn = nn.BatchNorm1d(filters * (len(kernels) + 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, c_in, L) -> (N, 4 * filters, L)
        z = self.bottleneck(x)
        out = torch.cat([conv(z) for conv in self.convs] + [self.pool(x)], dim=1)
        return torch.relu(self.bn(out))


class InceptionTime(nn.Module):
    """`depth` inception modules with a shortcut (1x1 conv + BN) added every 3, then GAP and a linear head."""

    def __init__(self, num_classes: int, in_channels: int, filters: int = 32, depth: int = 6,
                 kernels=(40, 20, 10), bottleneck: int = 32, residual: bool = True):
        super().__init__()
        width = filters * (len(kernels) + 1)
        self.blocks = nn.ModuleList(
            InceptionModule(in_channels if d == 0 else width, filters, kernels, bottleneck)
            for d in range(depth))
        self.residual = residual
        starts = [in_channels] + [width] * (depth // 3)  # the width entering each residual span
        self.shortcuts = nn.ModuleList(
            nn.Sequential(nn.Conv1d(starts[i], width, 1, bias=False), nn.BatchNorm1d(width))
            for i in range(depth // 3)) if residual else nn.ModuleList()
        self.gap = GlobalAvgPool1d()
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, C, L) -> (N, classes)
        res = x
        for d, module in enumerate(self.blocks):
            x = module(x)
            if self.residual and d % 3 == 2:
                x = torch.relu(x + self.shortcuts[d // 3](res))
                res = x
        return self.fc(self.gap(x))


@register_model("inceptiontime", min_input_size=(1, 8), **_SERIES)
def inceptiontime(num_classes=10, in_channels=1, filters=32, depth=6, kernels=(40, 20, 10),
                  bottleneck=32):
    """InceptionTime (Fawaz et al., 2020), one network (not the 5-network ensemble): 6 inception modules, residual every 3."""
    return InceptionTime(num_classes, in_channels, filters, depth, tuple(kernels), bottleneck)

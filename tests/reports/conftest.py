import numpy as np
import pytest
from torch import nn

from pratique import Model


def tiny_model(seed=0):
    import torch

    torch.manual_seed(seed)
    module = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                           nn.Flatten(), nn.Linear(16, 3))
    model = Model(module).compile(optimizer="adam", lr=1e-2, metrics=["accuracy"])
    model.classes = ["ant", "bee", "cow"]
    return model


@pytest.fixture
def tiny_data():
    """96 random 8x8 uint8 images in 3 classes (class = brightest third of the image)."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (96, 8, 8), dtype=np.uint8)
    y = np.argmax([x[:, :, :3].mean((1, 2)), x[:, :, 3:5].mean((1, 2)), x[:, :, 5:].mean((1, 2))], axis=0)
    return x, y

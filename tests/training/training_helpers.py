import torch
from torch import nn

import pratique as pq


def make_model(seed: int = 0, lr: float = 0.1, optimizer: str = "sgd", **compile_kwargs):
    torch.manual_seed(seed)
    module = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    compile_kwargs.setdefault("metrics", ["accuracy"])  # Model.compile has no default metric (Keras)
    return pq.Model(module, accelerator="cpu").compile(optimizer=optimizer, lr=lr, **compile_kwargs)


def make_data(n: int = 96, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    return x, y


def weights(model) -> dict:
    return {k: v.detach().clone() for k, v in model.module.state_dict().items()}


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


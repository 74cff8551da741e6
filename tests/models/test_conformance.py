"""Driven by the registry: every registered model gets the same checks, nothing written per model."""
import numpy as np
import pytest
import torch

import pratique as pq
from pratique.models import get_model_card, list_models

HEAVY = 5_000_000  # parameters; above this a model's checks are marked slow


def _cases() -> list:
    return [pytest.param(n, marks=[pytest.mark.slow] if get_model_card(n).params() > HEAVY else [],
                         id=n) for n in list_models()]


def _input(name: str) -> torch.Tensor:
    card = get_model_card(name)
    sizes = card.smallest_input()[1:]  # (H, W) for images, (L,) for windows; channels from the design
    g = torch.Generator().manual_seed(0)
    return torch.randn(2, card.input_size[0], *sizes, generator=g)


def _expected_output(name: str, x: torch.Tensor) -> tuple:
    """(N, classes) for a classifier; the input's own shape for an autoencoder."""
    return tuple(x.shape) if "autoencoder" in get_model_card(name).tags else (2, 3)


def _loss(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    if out.shape == x.shape:  # an autoencoder: reconstruction
        return torch.nn.functional.mse_loss(out, x)
    return torch.nn.functional.cross_entropy(out, torch.tensor([0, 2]))


@pytest.mark.parametrize("name", _cases())
def test_model_conformance(name, tmp_path):
    """Forward, backward, no NaN, a gradient for every parameter, save -> load -> same outputs.

    One test per model, so each (possibly large) model is built only twice.
    """
    model = pq.ImageClassifier(name, num_classes=3, seed=0)
    x = _input(name)
    module = model.module.train()
    out = module(x)
    assert out.shape == _expected_output(name, x)
    assert torch.isfinite(out).all()
    _loss(out, x).backward()
    params = dict(module.named_parameters())
    no_grad = [n for n, p in params.items() if p.grad is None]
    assert not no_grad, f"parameters without a gradient: {no_grad[:5]}"
    assert all(torch.isfinite(p.grad).all() for p in params.values())
    assert sum(p.grad.abs().sum() for p in params.values()) > 0
    assert model.count_params() == get_model_card(name).params(3)
    module.zero_grad(set_to_none=True)  # frees the gradients of the big ones before the reload

    model.module.eval()
    with torch.no_grad():
        before = model.module(x)
    emb = model.embed(x)  # the features other models train on: (N, D), batched, in eval mode
    assert emb.ndim == 2 and emb.shape[0] == 2 and emb.shape[1] > 0 and np.isfinite(emb).all()
    assert not model.module.training
    model.save(tmp_path / "m.pratique")
    loaded = pq.load(tmp_path / "m.pratique")
    assert loaded.architecture == model.architecture
    loaded.module.eval()
    with torch.no_grad():
        after = loaded.module(x)
    torch.testing.assert_close(after, before, rtol=0, atol=0)

    # channels-last is applied to registry models only (training/_layout.py): same outputs.
    # It is a 4-D layout: a 1-D model's series (N, C, L) stay as they are (tests/tasks/test_series_inputs.py).
    from pratique.models.registry import layout_safe

    assert layout_safe(loaded.module)
    if x.dim() != 4:  # channels-last is a layout of (N, C, H, W) only
        return
    loaded.module.to(memory_format=torch.channels_last)
    with torch.no_grad():
        cl = loaded.module(x.contiguous(memory_format=torch.channels_last))
    torch.testing.assert_close(cl, before, rtol=1e-4, atol=1e-5)

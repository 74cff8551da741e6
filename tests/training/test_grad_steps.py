"""Gradient clipping (Keras' compile arguments) and accumulation (Lightning's fit argument)
against a plain torch loop computing the same thing: identical weights after N steps."""
import pytest
import torch
from torch import nn

import pratique as pq
from pratique.core.errors import PratiqueError

N, BATCH = 40, 8  # 5 batches per epoch: with accumulate=2 the epoch's last group holds one batch


def _data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(N, 6, generator=g) * 5  # large inputs: gradients well above the clip
    return x, torch.randint(0, 3, (N,), generator=g)


def _module():
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3))


def _reference(clip=None, accumulate=1, epochs=2):
    """The course's loop: SGD, torch's clipping, manual accumulation (loss / k, step at the
    group's last batch or the epoch's last, as Lightning does)."""
    x, y = _data()
    module = _module()
    opt = torch.optim.SGD(module.parameters(), lr=0.1, momentum=0.9)
    batches = [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, N, BATCH)]
    for _ in range(epochs):
        for i, (xb, yb) in enumerate(batches):
            if i % accumulate == 0:
                opt.zero_grad()
            loss = nn.functional.cross_entropy(module(xb), yb)
            (loss / accumulate if accumulate > 1 else loss).backward()
            if (i + 1) % accumulate and i + 1 != len(batches):
                continue
            if clip and "global_clipnorm" in clip:
                torch.nn.utils.clip_grad_norm_(module.parameters(), clip["global_clipnorm"])
            elif clip and "clipnorm" in clip:
                for p in module.parameters():
                    torch.nn.utils.clip_grad_norm_([p], clip["clipnorm"])
            elif clip:
                torch.nn.utils.clip_grad_value_(module.parameters(), clip["clipvalue"])
            opt.step()
    return [p.detach() for p in module.parameters()]


def _ours(clip=None, accumulate=1, epochs=2):
    x, y = _data()
    model = pq.Model(_module()).compile(optimizer="sgd", lr=0.1, momentum=0.9, loss="cross_entropy",
                                        fused=False, **(clip or {}))
    model.fit(x, y, epochs=epochs, batch_size=BATCH, shuffle=False, verbose=0,
              accumulate_grad_batches=accumulate)
    return [p.detach() for p in model.module.parameters()]


@pytest.mark.parametrize("clip", [None, {"global_clipnorm": 0.5}, {"clipnorm": 0.3},
                                  {"clipvalue": 0.05}], ids=["none", "global", "per_param", "value"])
@pytest.mark.parametrize("accumulate", [1, 2])
def test_same_weights_as_a_plain_torch_loop(clip, accumulate):
    for ours, ref in zip(_ours(clip, accumulate), _reference(clip, accumulate), strict=True):
        torch.testing.assert_close(ours, ref, rtol=1e-5, atol=1e-6)


def test_clipping_changes_the_result():
    # the data are such that clipping bites: a test of the clipping, not of the loop alone
    assert not torch.allclose(_reference({"global_clipnorm": 0.5})[0], _reference()[0])


@pytest.mark.parametrize("kwargs, match", [
    ({"clipnorm": 1.0, "clipvalue": 0.5}, "Only one of clipnorm"),
    ({"global_clipnorm": -1}, "global_clipnorm must be a positive number"),
    ({"clipvalue": "big"}, "clipvalue must be a positive number")])
def test_bad_clipping_is_refused_at_compile(kwargs, match):
    with pytest.raises(PratiqueError, match=match):
        pq.Model(_module()).compile(optimizer="sgd", **kwargs)


def test_bad_accumulate_is_refused_before_training():
    model = pq.Model(_module()).compile(optimizer="sgd")
    x, y = _data()
    with pytest.raises(PratiqueError, match="accumulate_grad_batches must be an int >= 1"):
        model.fit(x, y, accumulate_grad_batches=0, verbose=0)


def test_the_schedule_counts_optimizer_steps():
    x, y = _data()
    model = pq.Model(_module()).compile(optimizer="sgd", lr=0.1, schedule="cosine")
    model.fit(x, y, epochs=1, batch_size=BATCH, verbose=0, accumulate_grad_batches=2)
    assert model.scheduler.last_epoch == 3  # ceil(5 / 2) steps: the cosine reached its end

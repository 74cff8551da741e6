"""Adam/AdamW calling the fused kernel directly: bit for bit torch's fused optimizers."""
import pytest
import torch

from pratique.models import create_model
from pratique.training import optimizers
from pratique.training._fused_adam import Adam, AdamW


def _train(cls, steps=12, **kwargs):
    torch.manual_seed(0)
    module = create_model("lenet5")
    opt = cls(module.parameters(), lr=1e-2, fused=True, **kwargs)
    g = torch.Generator().manual_seed(1)
    for i in range(steps):
        for p in module.parameters():
            p.grad = torch.randn(p.shape, generator=g)
        opt.param_groups[0]["lr"] = 1e-2 / (i + 1)  # as a scheduler would
        opt.step()
    return [p.detach().clone() for p in module.parameters()], opt


@pytest.mark.parametrize("ours, theirs, kwargs", [
    (Adam, torch.optim.Adam, {}),
    (Adam, torch.optim.Adam, {"weight_decay": 0.1, "betas": (0.8, 0.99), "eps": 1e-6}),
    (Adam, torch.optim.Adam, {"maximize": True}),
    (AdamW, torch.optim.AdamW, {"weight_decay": 0.1}),
    (Adam, torch.optim.Adam, {"amsgrad": True}),  # not direct: torch's own path
])
def test_same_weights_and_state_as_torchs_fused_optimizer(ours, theirs, kwargs):
    w_ours, o_ours = _train(ours, **kwargs)
    w_theirs, o_theirs = _train(theirs, **kwargs)
    assert all(torch.equal(a, b) for a, b in zip(w_ours, w_theirs))
    s_ours, s_theirs = o_ours.state_dict()["state"], o_theirs.state_dict()["state"]
    assert all(torch.equal(s_ours[k][n], s_theirs[k][n]) for k in s_theirs for n in s_theirs[k])


def test_direct_path_is_taken_after_the_first_step_only():
    module = torch.nn.Linear(3, 2)
    opt = Adam(module.parameters(), lr=0.1, fused=True)
    for p in module.parameters():
        p.grad = torch.ones_like(p)
    assert opt._direct_groups() is None  # no state yet: torch initializes it
    opt.step()
    assert opt._direct_groups() is not None
    calls = []
    opt.step(closure=lambda: calls.append(1) or torch.tensor(0.0))  # a closure: torch's path runs it
    assert calls == [1]
    assert float(opt.state[module.weight]["step"]) == 2


def test_adam_and_adamw_by_name_are_the_direct_ones():
    params = torch.nn.Linear(2, 2).parameters()
    assert isinstance(optimizers.get("adam", params), Adam)
    assert isinstance(optimizers.get("adamw", torch.nn.Linear(2, 2).parameters()), torch.optim.AdamW)


def test_a_group_without_gradients_is_left_alone():
    frozen, head = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    opt = Adam([{"params": frozen.parameters()}, {"params": head.parameters()}], lr=0.1, fused=True)
    before = frozen.weight.detach().clone()
    for _ in range(3):
        for p in head.parameters():
            p.grad = torch.ones_like(p)
        opt.step()
    assert torch.equal(frozen.weight, before) and float(opt.state[head.weight]["step"]) == 3

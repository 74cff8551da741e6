"""Fine-tuning rebuilds the optimizer over new parameter groups: every compile setting survives."""
import torch

from pratique.training import optimizers


def test_rebuild_keeps_class_settings_and_the_ema():
    m = torch.nn.Linear(3, 2)
    opt = optimizers.get("sgd", m.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                         use_ema=True, ema_momentum=0.9)
    new = optimizers.rebuild(opt, m.parameters(), lr=0.01)
    assert type(new) is torch.optim.SGD and new.param_groups[0]["lr"] == 0.01
    assert new.param_groups[0]["momentum"] == 0.9 and new.param_groups[0]["nesterov"] is True
    assert new.ema is not None and new.ema.momentum == 0.9  # dropped before: use_ema silently off
    m(torch.ones(1, 3)).sum().backward()
    new.step()
    assert new.ema.steps == 1

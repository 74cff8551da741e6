import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from training_helpers import make_data, make_model, same, weights

import pratique as pq
from pratique.training import optimizers, schedules
from pratique.training.class_weight import compute_class_weight


def lrs_over(schedule, steps=20, per_epoch=5, lr=1.0):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    sched = schedules.build(schedule, opt, steps, per_epoch)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def test_schedule_shapes():
    assert lrs_over(schedules.get("step", step_size=2, gamma=0.5)) == [1.0] * 10 + [0.5] * 10
    cos = lrs_over("cosine")
    assert cos[0] == 1.0 and cos[10] == pytest.approx(0.5) and all(a >= b for a, b in itertools.pairwise(cos))
    warm = lrs_over(schedules.get("warmup", warmup=4, then="constant"))
    assert warm[:5] == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0])
    one = lrs_over("onecycle")
    peak = max(range(20), key=one.__getitem__)
    assert one[0] == pytest.approx(1 / 25) and one[peak] == pytest.approx(1.0) and peak == 5
    assert one[-1] == pytest.approx(1 / (25 * 1e5))


def test_schedule_errors():
    with pytest.raises(pq.UnknownNameError, match="cosine"):
        schedules.get("cosin")
    with pytest.raises(pq.PratiqueError, match="gamma"):
        schedules.get("step", gama=0.5)


@pytest.mark.parametrize("name,kwargs,cls", [
    ("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}, torch.optim.SGD),
    ("adagrad", {}, torch.optim.Adagrad), ("rmsprop", {"momentum": 0.5}, torch.optim.RMSprop),
    ("adadelta", {}, torch.optim.Adadelta), ("adam", {}, torch.optim.Adam),
    ("adamw", {"weight_decay": 0.01}, torch.optim.AdamW)])
def test_optimizers_by_name_match_torch(name, kwargs, cls):
    torch.manual_seed(0)
    ours, ref = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    ref.load_state_dict(ours.state_dict())
    o1, o2 = optimizers.get(name, ours.parameters(), lr=0.1, **kwargs), cls(ref.parameters(), lr=0.1, **kwargs)
    x = torch.randn(8, 3)
    for m, o in ((ours, o1), (ref, o2)):
        for _ in range(3):
            o.zero_grad()
            m(x).pow(2).sum().backward()
            o.step()
    # ours may use the fused kernel (same maths, different rounding order)
    torch.testing.assert_close(ours.weight, ref.weight, rtol=1e-5, atol=1e-7)
    with pytest.raises(pq.PratiqueError, match="Bad arguments"):
        optimizers.get(name, ours.parameters(), lr=0.1, nonsense=1)


def test_lr_find_restores_the_model_and_plots(tmp_path):
    model = make_model(optimizer="adam")
    before = weights(model)
    result = model.lr_find(*make_data(256), num_iter=40, batch_size=16, plot=str(tmp_path / "lr.png"))
    assert same(weights(model), before) and not model.optimizer.state
    assert 1e-7 <= result.suggestion <= 10 and len(result.lrs) == len(result.losses) <= 40
    assert result.lrs == sorted(result.lrs)
    assert (tmp_path / "lr.png").read_bytes()[:4] == b"\x89PNG"


def test_fit_one_cycle_peaks_at_lr_max_then_restores():
    model = make_model(lr=0.01)
    seen = []
    rec = pq.callbacks.LambdaCallback(on_train_batch_begin=lambda b, logs: seen.append(model.optimizer.param_groups[0]["lr"]))
    model.fit_one_cycle(*make_data(), epochs=2, lr_max=0.5, batch_size=16, verbose=0, callbacks=[rec])
    assert max(seen) == pytest.approx(0.5) and seen[0] == pytest.approx(0.5 / 25) and seen[-1] < 0.01
    assert model.optimizer.param_groups[0]["lr"] == pytest.approx(0.5) and model.schedule is None


def keras_class_weighted(logits, y, w):
    """Keras' fit(class_weight=): each sample's loss times its class weight, summed and divided
    by the batch size (keras/src/losses/loss.py, reduce_values, "sum_over_batch_size"), not by
    the sum of the weights as torch's weight= does."""
    return (F.cross_entropy(logits, y, reduction="none") * w[y]).sum() / len(y)


def test_class_weight_balanced_and_in_the_loss():
    y = torch.tensor([0, 0, 0, 1])
    assert compute_class_weight("balanced", y).tolist() == pytest.approx([4 / 6, 2.0])
    assert compute_class_weight({1: 3.0}, torch.tensor([0, 1, 2])).tolist() == [1.0, 3.0, 1.0]
    x, y = make_data()
    model = make_model()
    losses_seen = []
    model.fit(x, y, epochs=1, batch_size=96, verbose=0, shuffle=False, class_weight={0: 5.0},
              callbacks=[pq.callbacks.LambdaCallback(on_train_batch_begin=lambda b, logs: losses_seen.append(
                  keras_class_weighted(model.module(x), y, torch.tensor([5.0, 1, 1])).item()))])
    assert model.history.history["loss"][0] == pytest.approx(losses_seen[0], rel=1e-5)
    with pytest.raises(pq.PratiqueError, match="class_weight"):
        model.fit(x, y, class_weight="heavy", verbose=0)


def test_seeded_fit_is_reproducible_and_leaves_global_state():
    x, y = make_data()
    a, b = make_model(), make_model()
    state = torch.get_rng_state()
    a.fit(x, y, epochs=2, batch_size=16, verbose=0, seed=7)
    b.fit(x, y, epochs=2, batch_size=16, verbose=0, seed=7)
    assert same(weights(a), weights(b)) and torch.equal(torch.get_rng_state(), state)
    assert math.isfinite(a.history.history["loss"][-1])

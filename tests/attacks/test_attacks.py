"""FGSM / PGD are captum.robust's, in pixel space with the model's normalization inside."""
import pytest
import torch
import torch.nn.functional as F
from captum.robust import FGSM, PGD
from torch import nn

import pratique as pq

MEAN, STD = [0.1307], [0.3081]


def _model():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(4 * 14 * 14, 10))
    model = pq.Model(net)
    model.preprocessing = {"mean": MEAN, "std": STD, "input_shape": [1, 28, 28]}
    model.input_shape = (1, 28, 28)
    return model


class _Reference(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net((x - MEAN[0]) / STD[0])


def _digits(n=16):
    (x, y), _ = pq.datasets.load_data("mnist5k")
    return x[:n], y[:n]


def _ce(logits, y):
    return F.cross_entropy(logits, y, reduction="none")


@pytest.mark.parametrize("targeted", [False, True])
def test_fgsm_equals_captums_and_the_closed_form(targeted):
    model = _model()
    x8, y = _digits()
    y = torch.as_tensor(y).long()
    labels = (y + 1) % 10 if targeted else y
    x = torch.from_numpy(x8)[:, None].float() / 255
    ours = pq.attacks.fgsm(model, x8, labels.numpy(), eps=0.1, targeted=targeted)
    ref_net = _Reference(model.module).eval()
    captum = FGSM(ref_net, loss_func=_ce, lower_bound=0, upper_bound=1).perturb(x, 0.1, labels, targeted=targeted)
    torch.testing.assert_close(ours, captum, atol=1e-6, rtol=0)
    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.cross_entropy(ref_net(xg), labels, reduction="sum"), xg)
    closed = (x + (-1 if targeted else 1) * 0.1 * grad.sign()).clamp(0, 1)
    live = grad.abs() > 1e-6  # Captum leaves pixels with |grad| <= 1e-6 as they are
    assert live.float().mean() > 0.5
    torch.testing.assert_close(ours[live], closed[live], atol=1e-6, rtol=0)
    torch.testing.assert_close(ours[~live], x[~live])
    moved = (ours - x).abs().amax()
    assert abs(float(moved) - 0.1) < 1e-5 and ours.min() >= 0 and ours.max() <= 1


def test_pgd_equals_captums_and_stays_in_the_ball():
    model = _model()
    x8, y = _digits(8)
    y = torch.as_tensor(y).long()
    x = torch.from_numpy(x8)[:, None].float() / 255
    ours = pq.attacks.pgd(model, x8, y, eps=0.05, steps=5, step_size=0.02)
    ref = PGD(_Reference(model.module).eval(), loss_func=_ce, lower_bound=0, upper_bound=1)
    torch.testing.assert_close(ours, ref.perturb(x, 0.05, 0.02, 5, y), atol=1e-6, rtol=0)
    assert (ours - x).abs().max() <= 0.05 + 1e-6 and ours.min() >= 0 and ours.max() <= 1


def test_accuracy_at_eps_0_is_evaluates_and_noise_has_the_norm():
    model = _model().compile(loss="cross_entropy", metrics=["accuracy"])
    (_, _), (xt, yt) = pq.datasets.load_data("mnist5k")
    xt, yt = xt[:200], yt[:200]
    rows = pq.attacks.robustness(model, (xt, yt), eps=[0], methods=("fgsm", "pgd"), batch_size=64)
    acc = model.evaluate(xt, yt, verbose=0, return_dict=True)["accuracy"]
    assert rows == [{"eps": 0.0, "fgsm": pytest.approx(acc), "pgd": pytest.approx(acc),
                     "noise": pytest.approx(acc)}]
    x = torch.from_numpy(xt[:4])[:, None].float() / 255
    noised = pq.attacks.noise(model, xt[:4], 0.1)
    inside = (x > 0.1) & (x < 0.9)  # where clipping cannot shorten the step
    assert torch.allclose((noised - x)[inside].abs(), torch.tensor(0.1), atol=1e-6)


def test_errors_name_what_is_expected():
    model = _model()
    x8, y = _digits(2)
    with pytest.raises(pq.PratiqueError, match=r"eps must be a number in \[0, 1\]"):
        pq.attacks.fgsm(model, x8, y, eps=8)
    with pytest.raises(pq.PratiqueError, match="Expected some of: fgsm, pgd"):
        pq.attacks.robustness(model, (x8, y), methods=("cw",))
    with pytest.raises(pq.PratiqueError, match="pixel space"):
        pq.attacks.fgsm(model, (x8 - 128.0) / 64, y, eps=0.1)


def _trained_lenet(n_train, epochs):
    (x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
    model = pq.ImageClassifier("lenet5", seed=0)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(x[:n_train], y[:n_train], epochs=epochs, batch_size=32, verbose=0, seed=0)
    return model, xt, yt


@pytest.mark.slow  # about 10 s alone on 2 cores
def test_accuracy_falls_with_eps_on_a_quickly_trained_lenet(tmp_path):
    model, xt, yt = _trained_lenet(800, 4)
    rows = pq.attacks.robustness(model, (xt, yt), eps=[0, 0.1, 0.2], methods=("fgsm", "pgd"), limit=200)
    fgsm = [r["fgsm"] for r in rows]
    assert fgsm[0] > 0.8 and fgsm[0] > fgsm[1] > fgsm[2]
    assert all(r["pgd"] <= r["fgsm"] + 1e-9 for r in rows)
    assert rows[2]["noise"] > rows[2]["fgsm"] + 0.2  # the same norm at random hurts far less
    fig = pq.attacks.plot_adversarials(model, xt, yt, eps=0.2, n=4, path=tmp_path / "adv.png")
    assert (tmp_path / "adv.png").read_bytes()[:4] == b"\x89PNG" and len(fig.axes) == 12


@pytest.mark.slow
def test_the_issues_numbers_on_a_lenet_trained_on_mnist5k():
    model, xt, yt = _trained_lenet(4000, 8)
    rows = {r["eps"]: r for r in pq.attacks.robustness(model, (xt, yt), eps=pq.attacks.EPS,
                                                      methods=("fgsm", "pgd"))}
    assert rows[0]["fgsm"] >= 0.95
    assert rows[0.2]["fgsm"] < 0.5 and rows[0.2]["pgd"] < 0.2 and rows[0.2]["noise"] > 0.9
    assert all(r["pgd"] <= r["fgsm"] for r in rows.values())  # at every epsilon of EPS

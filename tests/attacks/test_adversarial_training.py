"""AdversarialTraining: a fraction of each training batch becomes its FGSM/PGD adversarial."""
import pytest
import torch
from torch import nn

import pratique as pq

MEAN, STD = [0.1307], [0.3081]


def _model():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Dropout(0.1), nn.Linear(4 * 14 * 14, 10))
    model = pq.Model(net).compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.preprocessing = {"mean": MEAN, "std": STD, "input_shape": [1, 28, 28]}
    model.input_shape = (1, 28, 28)
    return model


def _digits(n):
    (x, y), _ = pq.datasets.load_data("mnist5k")
    return torch.from_numpy(x[:n])[:, None].float() / 255, torch.as_tensor(y[:n]).long()


def _normalize(px):
    return (px - MEAN[0]) / STD[0]


@pytest.mark.parametrize("method", ["fgsm", "pgd"])
def test_the_first_ratio_of_the_batch_is_the_attack_of_its_pixels(method):
    model = _model()
    px, y = _digits(8)
    cb = pq.attacks.AdversarialTraining(eps=0.2, method=method, ratio=0.5)
    cb.set_model(model)
    model.module.train()
    out, y_out = cb.transform_train_batch(_normalize(px), y)
    assert model.module.training  # the attack's eval mode is undone (dropout trains on)
    attack = pq.attacks.fgsm if method == "fgsm" else pq.attacks.pgd
    ref = attack(model, px[:4], y[:4], 0.2)
    torch.testing.assert_close(out[:4], _normalize(ref), atol=1e-5, rtol=0)
    torch.testing.assert_close(out[4:], _normalize(px[4:]))
    assert torch.equal(y_out, y)
    moved = (out[:4] * STD[0] + MEAN[0] - px[:4]).abs().amax()
    assert abs(float(moved) - 0.2) < 1e-4


def test_fit_trains_on_the_transformed_batches():
    seen = []

    class Spy(pq.callbacks.Callback):  # after AdversarialTraining: sees what the loop trains on
        def transform_train_batch(self, x, y):
            seen.append(x.clone())
            return x, y

    model = _model()
    px, y = _digits(20)
    x8 = (px * 255).round().to(torch.uint8)
    model.fit(x8, y, epochs=1, batch_size=10, shuffle=False, verbose=0,
              callbacks=[pq.attacks.AdversarialTraining(eps=0.1, ratio=0.3), Spy()])
    assert len(seen) == 2
    first = seen[0] * STD[0] + MEAN[0]  # pixels of the first batch, as trained on
    delta = (first - px[:10]).abs().flatten(1).amax(1)
    assert torch.allclose(delta[:3], torch.tensor(0.1), atol=1e-4)  # round(0.3 * 10) attacked
    assert float(delta[3:].max()) < 1e-5


def test_errors_name_what_is_expected():
    with pytest.raises(pq.PratiqueError, match=r"ratio must be a number in \(0, 1\]"):
        pq.attacks.AdversarialTraining(ratio=0)
    with pytest.raises(pq.PratiqueError, match=r"eps must be a number in \[0, 1\]"):
        pq.attacks.AdversarialTraining(eps=2)
    with pytest.raises(pq.PratiqueError, match="Expected some of: fgsm, pgd"):
        pq.attacks.AdversarialTraining(method="cw")


def _lenet(callbacks):
    (x, y), _ = pq.datasets.load_data("mnist5k")
    model = pq.ImageClassifier("lenet5", seed=0)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(x[:4000], y[:4000], epochs=8, batch_size=32, verbose=0, seed=0, callbacks=callbacks)
    return model


@pytest.mark.slow  # two LeNet-5 fits on 4,000 digits (docs/interpretability.md records the table)
def test_fgsm_training_at_02_raises_fgsm_accuracy_by_03_for_at_most_003_clean():
    test = pq.datasets.load_data("mnist5k")[1]
    before = pq.attacks.robustness(_lenet([]), test, eps=[0, 0.2])
    after = pq.attacks.robustness(_lenet([pq.attacks.AdversarialTraining(eps=0.2, method="fgsm", ratio=0.5)]),
                                  test, eps=[0, 0.2])
    assert after[1]["fgsm"] >= before[1]["fgsm"] + 0.3, (before, after)
    assert after[0]["fgsm"] >= before[0]["fgsm"] - 0.03, (before, after)

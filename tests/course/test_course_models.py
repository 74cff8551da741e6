"""The course's model-side programs, written as the course writes them (issue 15)."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import pratique as pq


class Net(nn.Module):
    """The course's CNN, verbatim in style: the flatten is a view that assumes channels-first."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(16, 32, 5)
        self.fc1 = nn.Linear(4 * 4 * 32, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 4 * 4 * 32)
        return self.fc1(x)


def test_course_cnn_with_view_trains_and_computes_as_channels_first(small_digits):
    (x, y), (xt, _) = small_digits
    torch.manual_seed(0)
    net = Net()
    reference = Net()
    reference.load_state_dict(net.state_dict())
    model = pq.Model(net, accelerator="cpu").compile(optimizer="adam", lr=1e-3, metrics=["accuracy"])
    before = model.predict(xt[:64])
    with torch.no_grad():  # the same module in plain PyTorch, channels-first
        expected = reference(torch.from_numpy(xt[:64]).float().div(255).unsqueeze(1)).numpy()
    np.testing.assert_allclose(before, expected, rtol=1e-5, atol=1e-5)
    history = model.fit(x, y, epochs=3, batch_size=64, verbose=0, seed=0).history
    assert history["loss"][-1] < history["loss"][0] * 0.7
    assert model.evaluate(xt, small_digits[1][1], verbose=0, return_dict=True)["accuracy"] > 0.6


def test_channels_last_is_kept_where_it_is_safe():
    from pratique.training import _layout

    clf = pq.ImageClassifier("lenet5")
    clf.fit(np.zeros((8, 1, 28, 28), np.float32), np.arange(8) % 10, verbose=0)
    assert _layout.decided(clf.module) is True
    assert _layout.decided(pq.Model(Net()).module) is None


def test_pretrained_without_num_classes_keeps_the_imagenet_head():
    from pratique.models import pretrained as weights

    clf = pq.ImageClassifier("efficientnet_lite0", pretrained=True)
    assert clf.num_classes == 1000 and clf.classes == weights.imagenet_classes()
    assert len(clf.classes) == 1000 and clf.classes[285] == "Egyptian cat"
    file = torch.load(weights.bundled_path(), map_location="cpu", weights_only=True)
    assert torch.equal(clf.module.classifier.weight, file["_fc.weight"])
    assert torch.equal(clf.module.classifier.bias, file["_fc.bias"])
    assert clf.predict(np.zeros((1, 3, 64, 64), np.float32)).shape == (1, 1000)
    assert pq.ImageClassifier("lenet5").num_classes == 10  # no pretrained weights: as before


def test_freezing_a_random_backbone_warns_once_with_the_fix():
    clf = pq.ImageClassifier("lenet5", seed=0)
    x, y = np.random.default_rng(0).random((16, 1, 28, 28), np.float32), np.arange(16) % 10
    with pytest.warns(UserWarning, match=r"random.*pretrained=True.*strategy='no_freeze'"):
        clf.finetune((x, y), strategy="freeze", verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per model
        clf.finetune((x, y), strategy="freeze", verbose=0)
        trained = pq.ImageClassifier("lenet5", seed=0)
        trained.fit(x, y, verbose=0)  # a trained backbone is not random
        trained.finetune((x, y), strategy="freeze_unfreeze", verbose=0)


def _bn_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))


def test_freeze_keeps_batchnorm_statistics_and_counts_trainable_params():
    model = pq.Model(_bn_net(), accelerator="cpu").compile(lr=0.05)
    model.freeze(["0", "1"])  # Keras: layer.trainable = False
    bn = model.module[1]
    mean, var = bn.running_mean.clone(), bn.running_var.clone()
    x = torch.randn(64, 1, 6, 6) * 3 + 2  # far from the initial statistics
    head = model.module[5].weight.clone()
    model.fit(x, torch.randint(0, 3, (64,)), epochs=1, batch_size=16, verbose=0)
    assert torch.equal(bn.running_mean, mean) and torch.equal(bn.running_var, var)
    assert not torch.equal(model.module[5].weight, head)
    trainable = sum(p.numel() for p in model.module[5].parameters())
    assert model.summary(input_shape=(1, 6, 6), print_fn=None).trainable_params == trainable
    model.unfreeze(["0", "1"])
    model.fit(x, torch.randint(0, 3, (64,)), epochs=1, batch_size=16, verbose=0)
    assert not torch.equal(bn.running_mean, mean)
    assert all(p.requires_grad for p in model.module.parameters())


def test_freeze_none_is_the_backbone_and_unknown_layers_name_close_ones():
    model = pq.Model(_bn_net())
    model.freeze()
    assert [p.requires_grad for p in model.module.parameters()] == [False] * 4 + [True] * 2
    with pytest.raises(pq.PratiqueError, match=r"no layer named 'blocks\.5'"):
        model.freeze("blocks.5")


@pytest.mark.parametrize("name, layer", [("efficientnet_lite0", "blocks.5"), ("resnet18", "layer3"),
                                         ("lenet5", "5"), ("alexnet", "features.7")])
def test_cut_returns_the_intermediate_activation(name, layer):
    full = pq.models.create_model(name).eval()
    channels = 1 if name == "lenet5" else 3
    side = 28 if name == "lenet5" else 64
    x = torch.randn(2, channels, side, side)
    seen = []
    hook = full.get_submodule(layer).register_forward_hook(lambda m, a, out: seen.append(out))
    with torch.no_grad():
        full(x)
        hook.remove()
        out = pq.models.cut(full, layer)(x)
    assert torch.equal(out, seen[0])


def test_cut_an_untraceable_module_and_create_model_out_layer():
    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 2)

        def forward(self, x):
            if x.sum() > 0:  # data-dependent control flow: fx cannot trace it
                x = x * 2
            return self.b(self.a(x))

    net = Branchy()
    x = torch.ones(3, 4)
    assert torch.equal(pq.models.cut(net, "a")(x), net.a(x * 2))
    base = pq.models.create_model("efficientnet_lite0", out_layer="blocks.5")
    assert base(torch.randn(1, 3, 64, 64)).shape == (1, 192, 2, 2)
    with pytest.raises(pq.PratiqueError, match=r"Did you mean 'blocks\.5'"):
        pq.models.cut(pq.models.create_model("efficientnet_lite0"), "block.5")


# -- Lightning Flash's names and defaults --------------------------------------------------------
def _digits(n=64):
    g = np.random.default_rng(0)
    return g.random((n, 1, 28, 28), dtype=np.float32), np.arange(n) % 10


def test_flash_task_arguments_train_without_compile():
    torchmetrics = pytest.importorskip("torchmetrics")
    clf = pq.ImageClassifier(backbone="lenet5", head="linear", optimizer="SGD", learning_rate=0.01,
                             metrics={"acc": torchmetrics.Accuracy(task="multiclass", num_classes=10)})
    history = clf.fit(*_digits(), epochs=1, verbose=0).history
    assert isinstance(clf.optimizer, torch.optim.SGD) and clf.optimizer.param_groups[0]["lr"] == 0.01
    assert set(history) >= {"loss", "acc"}
    plain = pq.ImageClassifier("lenet5")
    assert "accuracy" in plain.fit(*_digits(), verbose=0).history  # Flash's defaults
    assert plain.optimizer.param_groups[0]["lr"] == 1e-3 and "Adam" in type(plain.optimizer).__name__
    assert plain._loss_name == "cross_entropy"
    # an explicit compile starts from the task's arguments: the learning rate is not lost
    assert pq.ImageClassifier("lenet5", learning_rate=0.05).compile(loss="nll").optimizer.param_groups[0]["lr"] == 0.05
    with pytest.raises(pq.PratiqueError, match="head must be one of"):
        pq.ImageClassifier(backbone="lenet5", head="mlp")


def test_load_from_checkpoint_and_pq_load_of_a_checkpoint(tmp_path):
    clf = pq.ImageClassifier("lenet5", num_classes=4, seed=1)
    x, y = _digits(32)
    clf.fit(x, y % 4, verbose=0)
    clf.save_checkpoint(tmp_path / "last.ckpt")
    clf.save(tmp_path / "m.pratique")
    for path in (tmp_path / "last.ckpt", tmp_path / "m.pratique"):
        again = pq.ImageClassifier.load_from_checkpoint(path)
        assert isinstance(again, pq.ImageClassifier)
        np.testing.assert_allclose(again.predict(x[:4]), clf.predict(x[:4]), rtol=1e-5, atol=1e-6)
    with pytest.raises(pq.PratiqueError, match=r"training checkpoint.*model\.load_checkpoint\(path\)"):
        pq.load(tmp_path / "last.ckpt")


def test_unknown_attributes_say_did_you_mean():
    import copy
    import pickle

    clf = pq.ImageClassifier("lenet5")
    with pytest.raises(AttributeError, match="Did you mean 'fit'"):
        clf.fitt  # noqa: B018
    with pytest.raises(AttributeError, match="Did you mean 'evaluate'"):
        pq.Model(nn.Linear(2, 2)).evalute  # noqa: B018
    data = pq.ImageData.from_numpy(*_digits(40), val_split=0.25)
    with pytest.raises(AttributeError, match="Did you mean 'num_classes'"):
        data.num_class  # noqa: B018
    assert getattr(clf, "_nothing", 7) == 7 and not hasattr(clf, "nothing")
    twin = copy.deepcopy(clf)
    assert torch.equal(next(twin.module.parameters()), next(clf.module.parameters()))
    assert isinstance(pickle.loads(pickle.dumps(pq.Model(nn.Linear(2, 2)))), pq.Model)


def test_hub_only_pretrained_offline_fails_at_once(monkeypatch):
    import time

    import huggingface_hub.constants

    from pratique.models import pretrained as weights

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(weights, "hub_reachable", lambda *a, **k: False)
    start = time.perf_counter()
    with pytest.raises(pq.PratiqueError, match="needs a network connection"):
        pq.models.create_model("resnet18", pretrained=True)
    assert time.perf_counter() - start < 10  # not a minute of retries
    assert huggingface_hub.constants.HF_HUB_OFFLINE is False  # put back


def test_flash_backbone_keyword_starts_from_pretrained_weights_as_flash():
    from pratique.models import pretrained as weights

    flash = pq.ImageClassifier(backbone="efficientnet_lite0", num_classes=2)  # Flash's default: pretrained
    file = torch.load(weights.bundled_path(), map_location="cpu", weights_only=True)
    assert torch.equal(flash.module.conv_stem.weight, file["_conv_stem.weight"])
    assert not flash.has_random_backbone()
    ours = pq.ImageClassifier("efficientnet_lite0", num_classes=2)  # a name: random, as before
    assert ours.has_random_backbone()
    assert pq.ImageClassifier(backbone="lenet5").has_random_backbone()  # no weights exist: none asked

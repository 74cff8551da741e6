import pytest
import torch
from torch import nn
from training_helpers import same

import pratique as pq
from pratique.training.split import split_backbone_head


def small_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))


def images(n=48, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 8, 8, generator=g) * 2 + 1  # far from BN's initial statistics
    return x, torch.randint(0, 3, (n,), generator=g)


def backbone_state(module):
    return {k: v.clone() for k, v in module.state_dict().items() if not k.startswith("8.")}


def test_split_backbone_head_sequential_and_timm():
    net = small_net()
    split = split_backbone_head(net)
    assert split.head is net[8] and split.head_name == "8"
    assert len(split.backbone_layers()) == 4  # two convs, two BatchNorms
    assert split.embed(torch.randn(2, 1, 8, 8)).shape == (2, 8)
    timm = pytest.importorskip("timm")
    resnet = timm.create_model("resnet18", pretrained=False, num_classes=3)
    split = split_backbone_head(resnet)
    assert split.head is resnet.fc and split.embed(torch.randn(2, 3, 32, 32)).shape == (2, 512)


def test_freeze_changes_no_backbone_tensor_and_trains_the_head():
    model = pq.Model(small_net(), accelerator="cpu").compile(optimizer="adamw", lr=0.05, weight_decay=0.1)
    before, head_before = backbone_state(model.module), model.module[8].weight.clone()
    model.finetune(images(), epochs=2, strategy="freeze", batch_size=16, verbose=0)
    assert same(backbone_state(model.module), before)  # weights, running_mean/var, num_batches_tracked
    assert not torch.equal(model.module[8].weight, head_before)
    assert all(p.requires_grad for p in model.module.parameters())  # handed back unfrozen


def test_no_freeze_moves_batchnorm_statistics():
    model = pq.Model(small_net(), accelerator="cpu").compile(optimizer="adam", lr=0.01)
    before = backbone_state(model.module)
    model.finetune(images(), epochs=1, strategy="no_freeze", batch_size=16, verbose=0)
    assert not torch.equal(model.module[1].running_mean, before["1.running_mean"])


def test_freeze_unfreeze_and_milestones_and_discriminative_lr():
    model = pq.Model(small_net(), accelerator="cpu").compile(optimizer="sgd", lr=0.1)
    states = []
    track = pq.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: states.append(backbone_state(model.module)))
    model.finetune(images(), epochs=3, strategy=("freeze_unfreeze", 2), batch_size=16, verbose=0,
                   callbacks=[track])
    assert same(states[0], states[1]) and not same(states[1], states[2])
    assert [g["lr"] for g in model.optimizer.param_groups] == pytest.approx([0.01, 0.1])

    model.finetune(images(), epochs=1, strategy="freeze", batch_size=16, verbose=0)
    assert [g["lr"] for g in model.optimizer.param_groups] == pytest.approx([0.01, 0.1])  # not 10x less

    model = pq.Model(small_net(), accelerator="cpu").compile(optimizer="sgd", lr=0.1)
    states = [backbone_state(model.module)]
    # Flash's count (Lightning's flatten_modules): the last 4 of conv, bn, relu, conv, bn, relu,
    # pool, flatten are bn, relu, pool, flatten: only the second BatchNorm learns at epoch 1
    model.finetune(images(), epochs=3, strategy=("unfreeze_milestones", ((1, 2), 4)), batch_size=16,
                   verbose=0, callbacks=[track])
    first_conv = [k for k in states[0] if k.startswith("0.")]
    second_conv = [k for k in states[0] if k.startswith("3.")]
    last_bn = [k for k in states[0] if k.startswith("4.")]
    assert same(states[0], states[1])  # epoch 0: head only
    assert all(torch.equal(states[1][k], states[2][k]) for k in first_conv + second_conv)
    assert not all(torch.equal(states[1][k], states[2][k]) for k in last_bn)
    assert not all(torch.equal(states[2][k], states[3][k]) for k in first_conv)  # epoch 2: all


def test_features_strategy_caches_embeddings(tmp_path):
    model = pq.Model(small_net(), accelerator="cpu").compile(optimizer="adam", lr=0.05)
    before = backbone_state(model.module)
    h = model.finetune(images(), epochs=2, strategy="features", cache_dir=tmp_path, verbose=0,
                       validation_data=images(24, seed=1))
    assert model.features_cache_hit is False and len(list(tmp_path.glob("*.pt"))) == 2
    assert h.history["val_loss"] and same(backbone_state(model.module), before)
    model.finetune(images(), epochs=1, strategy="features", cache_dir=tmp_path, verbose=0)
    assert model.features_cache_hit is True
    # the head trained on embeddings is the model's head: the full model predicts with it
    x, _ = images()
    split = split_backbone_head(model.module)
    model.module.eval()
    assert torch.allclose(model.module(x), model.module[8](split.embed(x)), atol=1e-5)
    model.finetune(images(seed=5), epochs=1, strategy="features", cache_dir=tmp_path, verbose=0)
    assert model.features_cache_hit is False  # other data: other key


def test_unknown_strategy():
    model = pq.Model(small_net(), accelerator="cpu").compile()
    with pytest.raises(pq.UnknownNameError, match="freeze"):
        model.finetune(images(), strategy="freez")


def test_flash_layers_count_as_lightning_flatten_modules():
    """Flash's ("unfreeze_milestones", ((m1, m2), n)) unfreezes the last n modules of
    BaseFinetuning.flatten_modules(backbone): parameterless leaves (ReLU, pooling) count."""
    from lightning.pytorch.callbacks import BaseFinetuning

    timm = pytest.importorskip("timm")
    for net in (small_net(), timm.create_model("resnet18", pretrained=False, num_classes=3)):
        split = split_backbone_head(net)
        head = {id(m) for m in split.head.modules()}
        backbone = [m for m in net.children() if id(m) not in head]
        assert [id(m) for m in split.flash_layers()] == [id(m) for m in BaseFinetuning.flatten_modules(backbone)]


def test_features_strategy_checkpoints_the_whole_model(tmp_path):
    """ModelCheckpoint during strategy="features" saves the full network, not the head alone."""
    model = pq.Model(small_net(), accelerator="cpu").compile(optimizer="adam", lr=0.05)
    path = tmp_path / "best.pratique"
    model.finetune(images(), epochs=2, strategy="features", cache_dir=tmp_path, verbose=0,
                   validation_data=images(24, seed=1),
                   callbacks=[pq.callbacks.ModelCheckpoint(str(path))])  # every epoch: the last is the model
    loaded = pq.load(path, module=small_net(seed=1))
    x, _ = images(8, seed=2)
    np_out = model.predict(x, verbose=0)
    assert torch.allclose(torch.as_tensor(loaded.predict(x, verbose=0)), torch.as_tensor(np_out), atol=1e-5)

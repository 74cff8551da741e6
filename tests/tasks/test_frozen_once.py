"""finetune's frozen epochs computed once: the same model as the plain frozen fit, faster.

Each test trains the same network twice from the same weights with the same seed: once through
`finetune` (which reads computed-once backbone outputs, or runs the backbone without autograd),
once through the plain frozen fit (`model.freeze()` + `fit`, or `fit` with the strategy's
FreezeSchedule), and compares every weight, the history and the evaluation.
"""
import copy

import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq
from pratique.tasks.finetune import FreezeSchedule, discriminative_optimizer
from pratique.training.split import split_backbone_head


def net(seed=0, backbone_dropout=False):
    torch.manual_seed(seed)
    # no conv bias before BatchNorm: its gradient is ~0 and Adam would scale float noise to lr
    layers = [nn.Conv2d(3, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6), nn.ReLU(),
              *([nn.Dropout2d(0.3)] if backbone_dropout else []),
              nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(24, 16), nn.ReLU(),
              nn.Dropout(0.5),  # the head's dropout: it must still drop in the frozen epochs
              nn.Linear(16, 3)]
    return nn.Sequential(*layers)


def arrays(n=60, seed=0):
    g = np.random.default_rng(seed)
    y = g.integers(0, 3, n)
    x = (g.integers(0, 120, (n, 3, 8, 8)) + 40 * y[:, None, None, None]).astype(np.uint8)
    return x, y


def image_data(**options):
    x, y = arrays()
    return pq.ImageData.from_numpy(x, y, val_split=0.25, batch_size=8, **options)


def pair(module_fn=net, **compile_kwargs):
    """Two compiled models with the same weights."""
    a = pq.Model(module_fn(), accelerator="cpu").compile(optimizer="adam", lr=0.01, metrics=["accuracy"],
                                                        **compile_kwargs)
    b = pq.Model(copy.deepcopy(a.module), accelerator="cpu").compile(
        optimizer="adam", lr=0.01, metrics=["accuracy"], **compile_kwargs)
    return a, b


def assert_same_fit(a, b, ha, hb):
    for (k, va), vb in zip(a.module.state_dict().items(), b.module.state_dict().values()):
        assert torch.allclose(va.float(), vb.float(), rtol=1e-4, atol=1e-6), k
    assert list(ha.history) == list(hb.history) and ha.epoch == hb.epoch
    for k in ha.history:
        np.testing.assert_allclose(ha.history[k], hb.history[k], rtol=1e-4, atol=1e-6, err_msg=k)


def test_freeze_without_augmentation_trains_the_head_on_outputs_computed_once(tmp_path, capsys):
    data = image_data()
    a, b = pair()
    head0 = a.module[-1].weight.clone()
    ha = a.finetune(data, epochs=2, strategy="freeze", seed=3, cache_dir=tmp_path)
    out = capsys.readouterr().out
    assert "freeze: the backbone is frozen and the data has no augmentation: its outputs are computed once (60 images)" in out
    b.freeze()
    hb = b.fit(data, epochs=2, seed=3, verbose=0)
    b.unfreeze()
    assert not torch.equal(a.module[-1].weight, head0)
    assert_same_fit(a, b, ha, hb)
    assert ha.timing["features_images"] == 60 and ha.timing["features_cache_hit"] is False
    assert len(ha.timing["epoch_seconds"]) == 2 and ha.timing["images_per_second"][0] > 0
    # the full model (images in, not embeddings) evaluates as the plain fit's
    assert a.evaluate(data, verbose=0) == pytest.approx(b.evaluate(data, verbose=0), rel=1e-5)
    assert a.module.forward.__func__ is nn.Sequential.forward  # the route is gone after the fit
    # a second run reads the outputs from the cache, and trains the same head again
    c, _ = pair()
    hc = c.finetune(data, epochs=2, strategy="freeze", seed=3, cache_dir=tmp_path, verbose=0)
    assert hc.timing["features_cache_hit"] is True
    assert torch.allclose(c.module[-1].weight, a.module[-1].weight, atol=1e-6)


def test_callbacks_see_one_fit_of_the_whole_model(tmp_path):
    data = image_data()
    runs = []
    for fast in (True, False):
        model = pq.Model(net(), accelerator="cpu").compile(optimizer="adam", lr=0.01, metrics=["accuracy"])
        ckpt = tmp_path / f"best{fast}.pratique"
        seen = []
        callbacks = [pq.callbacks.EarlyStopping(monitor="val_loss", min_delta=0.5, patience=1),
                     pq.callbacks.ModelCheckpoint(str(ckpt), monitor="val_accuracy", save_best_only=True),
                     pq.callbacks.LambdaCallback(on_epoch_end=lambda e, logs, seen=seen: seen.append(sorted(logs)))]
        if fast:
            h = model.finetune(data, epochs=6, strategy="freeze", seed=1, callbacks=callbacks,
                               cache_dir=tmp_path, verbose=0)
        else:
            model.freeze()
            h = model.fit(data, epochs=6, seed=1, callbacks=callbacks, verbose=0)
            model.unfreeze()
        saved = pq.load(str(ckpt), module=net(seed=9))
        runs.append((model, h, seen, saved))
    (a, ha, sa, ca), (b, hb, sb, cb) = runs
    assert ha.epoch == hb.epoch and len(ha.epoch) < 6  # EarlyStopping stopped both at the same epoch
    assert sa == sb and "val_accuracy" in sa[0]
    assert_same_fit(a, b, ha, hb)
    for va, vb in zip(ca.module.state_dict().values(), cb.module.state_dict().values()):
        assert torch.allclose(va.float(), vb.float(), atol=1e-6)  # the checkpoint holds the whole model


@pytest.mark.parametrize("strategy", [("freeze_unfreeze", 1), ("unfreeze_milestones", ((1, 2), 1))])
def test_unfreezing_continues_as_one_fit(tmp_path, strategy):
    data = image_data()
    a, b = pair()
    ha = a.finetune(data, epochs=2, strategy=strategy, seed=2, cache_dir=tmp_path, verbose=0)
    assert ha.timing["features_images"] == 60
    split = split_backbone_head(b.module)
    b.optimizer = discriminative_optimizer(b.optimizer, split, 0.1)
    hb = b.fit(data, epochs=2, seed=2, callbacks=[FreezeSchedule(split, *strategy)], verbose=0)
    assert_same_fit(a, b, ha, hb)  # epoch 2 trained the backbone on the same batches, in the same order


def test_freeze_unfreeze_streaming_files_continue_as_one_fit(tmp_path):
    from PIL import Image

    x, y = arrays(24)
    for i, (img, label) in enumerate(zip(x, y)):
        (tmp_path / "data" / str(label)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(img.transpose(1, 2, 0)).save(tmp_path / "data" / str(label) / f"{i}.png")
    data = pq.ImageData.from_folders(tmp_path / "data", val_split=0.25, batch_size=8, memory_budget=0,
                                     num_workers=0)
    assert type(data.train_batches()).__name__ == "StreamingBatches"
    a, b = pair()
    ha = a.finetune(data, epochs=3, strategy=("freeze_unfreeze", 2), seed=2, cache_dir=tmp_path, verbose=0)
    assert ha.timing["features_images"] == 24
    split = split_backbone_head(b.module)
    b.optimizer = discriminative_optimizer(b.optimizer, split, 0.1)
    # the files are decoded batch by batch, through a DataLoader, whose iterators draw from the
    # global RNG: the frozen epochs replay those draws, or epoch 3's dropout would differ
    hb = b.fit(data, epochs=3, seed=2, callbacks=[FreezeSchedule(split, "freeze_unfreeze", 2)], verbose=0)
    assert_same_fit(a, b, ha, hb)  # the backbone moved in epoch 3 the same way: same batches, same order


def test_augmented_data_runs_the_frozen_backbone_without_autograd(tmp_path, capsys):
    data = image_data(augment="standard")
    a, b = pair()
    grad_modes = []
    a.module[0].register_forward_hook(lambda m, i, o: grad_modes.append(("backbone", o.requires_grad)))
    a.module[-1].register_forward_pre_hook(lambda m, i: grad_modes.append(("head", torch.is_grad_enabled())))
    ha = a.finetune(data, epochs=2, strategy="freeze", seed=4, cache_dir=tmp_path)
    assert "freeze: the backbone is frozen and the data is augmented: it runs each epoch without gradients" \
        in capsys.readouterr().out
    assert ("backbone", False) in grad_modes and ("head", True) in grad_modes
    b.freeze()
    hb = b.fit(data, epochs=2, seed=4, verbose=0)
    b.unfreeze()
    assert_same_fit(a, b, ha, hb)
    assert not list(tmp_path.iterdir())  # nothing was computed once


def test_random_backbone_layers_keep_the_plain_path(tmp_path, capsys):
    data = image_data()
    a, b = pair(lambda: net(backbone_dropout=True))
    ha = a.finetune(data, epochs=2, strategy="freeze", seed=5, cache_dir=tmp_path)
    assert "draw at random" in capsys.readouterr().out
    b.freeze()
    hb = b.fit(data, epochs=2, seed=5, verbose=0)
    b.unfreeze()
    assert_same_fit(a, b, ha, hb)


@pytest.mark.slow
def test_timm_head_dropout_and_arrays(tmp_path):
    timm = pytest.importorskip("timm")

    def module():
        torch.manual_seed(0)
        return timm.create_model("test_efficientnet", num_classes=3, drop_rate=0.5)

    x, y = arrays(24)
    x = np.repeat(np.repeat(x, 4, axis=2), 4, axis=3)  # (N, 3, 32, 32)
    a, b = pair(module)
    ha = a.finetune((x, y), epochs=2, strategy="freeze", seed=6, batch_size=8, validation_split=0.25,
                    cache_dir=tmp_path, verbose=0)
    assert ha.timing["features_images"] == 24  # timm's drop_rate dropout was found and kept
    b.freeze()
    hb = b.fit(x, y, epochs=2, seed=6, batch_size=8, validation_split=0.25, verbose=0)
    b.unfreeze()
    assert_same_fit(a, b, ha, hb)

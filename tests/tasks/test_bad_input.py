"""Bad input reaches the user as a PratiqueError saying what was expected, not a raw error:
damaged manifests, wrong input shapes in fit, ModelCheckpoint templates with unlogged keys."""
import json
import zipfile

import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq
from pratique.training.callbacks import LambdaCallback, ModelCheckpoint


def _rewrite_manifest(path, **changes):
    with zipfile.ZipFile(path) as z:
        manifest, weights = json.loads(z.read("manifest.json")), z.read("weights.safetensors")
    manifest.update(changes)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("weights.safetensors", weights)


@pytest.mark.parametrize("changes, needle", [
    ({"architecture": {"name": "mlp"}}, '"architecture" must be'),
    ({"architecture": "mlp"}, '"architecture" must be'),
    ({"classes": "abc"}, '"classes" must be null or a list'),
    ({"input_shape": [1, "28"]}, '"input_shape" must list positive ints'),
    ({"compile": ["adam"]}, '"compile" must be null or a dict'),
])
def test_a_damaged_manifest_is_refused_plainly(tmp_path, changes, needle):
    path = tmp_path / "m.pratique"
    pq.ImageClassifier("mlp", num_classes=3, in_channels=1).save(path)
    _rewrite_manifest(path, **changes)
    with pytest.raises(pq.PratiqueError, match=needle):
        pq.load(path)


def _conv_model():
    torch.manual_seed(0)
    module = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                           nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    return pq.Model(module, accelerator="cpu").compile()


def test_fit_with_the_wrong_channels_names_both_shapes_and_changes_nothing():
    model = _conv_model()
    before = {k: v.clone() for k, v in model.module.state_dict().items()}
    x = np.random.default_rng(0).random((8, 3, 8, 8), dtype=np.float32)
    with pytest.raises(pq.PratiqueError, match=r"shape \(3, 8, 8\).*takes 1 channels"):
        model.fit(x, np.zeros(8, dtype=np.int64), verbose=0)
    assert all(torch.equal(before[k], v) for k, v in model.module.state_dict().items())  # BN too
    assert model.module.training


def test_the_input_check_adds_no_forward_call():
    """Keras runs no extra forward: a model counting its calls sees one per batch."""
    class Counting(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner, self.calls = _conv_model().module, 0

        def forward(self, x):
            self.calls += 1
            return self.inner(x)

    x = np.random.default_rng(0).random((32, 1, 8, 8), dtype=np.float32)
    module = Counting()
    pq.Model(module, accelerator="cpu").compile().fit(x, np.arange(32) % 2, epochs=2, batch_size=8,
                                                      verbose=0)
    assert module.calls == 2 * 4


def test_model_checkpoint_template_keys_are_checked_before_training(tmp_path):
    x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
    model = pq.Model(nn.Linear(4, 2), accelerator="cpu").compile(metrics=["accuracy"])
    seen = []
    spy = LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))  # no on_epoch_end
    bad = ModelCheckpoint(tmp_path / "m-{epoch}-{val_acc:.2f}.safetensors")
    with pytest.raises(pq.PratiqueError, match=r"uses val_acc, which will not be logged.*val_accuracy"):
        model.fit(x, y, validation_data=(x, y), verbose=0, callbacks=[spy, bad])
    assert seen == []  # refused before the first batch
    with pytest.raises(pq.PratiqueError, match="uses val_loss"):  # no validation data: no val_*
        model.fit(x, y, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "{val_loss}.safetensors")])
    good = ModelCheckpoint(tmp_path / "m-{epoch:02d}-{val_accuracy:.2f}-{loss:.3f}.safetensors")
    model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0, callbacks=[good])
    assert len(list(tmp_path.glob("m-0*.safetensors"))) == 2
    own = LambdaCallback(on_epoch_end=lambda e, logs: logs.update(score=0.5))  # a user's key
    model.fit(x, y, verbose=0, callbacks=[own, ModelCheckpoint(tmp_path / "s{score}.safetensors")])
    assert (tmp_path / "s0.5.safetensors").exists()

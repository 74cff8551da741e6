"""`pratique list`, the run options generated from TrainConfig, and pretrained normalization."""
import dataclasses
import json
import zipfile

import numpy as np
import pytest
import yaml
from PIL import Image

import pratique as pq
from pratique.cli.finetune import finetune
from pratique.cli.main import main
from pratique.cli.train import train
from pratique.config import TrainConfig
from pratique.training.trainer import PRECISIONS

# the flag each field has in each command, where it differs from --field-name
_FLAGS = {"train": {}, "finetune": {"strategy": "--distributed-strategy", "finetune_strategy": "--strategy"}}
_SKIPPED = {"train": {"finetune_strategy"}, "finetune": {"resume"}}
_REGISTRY_CHOICES = {
    "schedule": lambda: {*pq.schedules.list_schedules(), "none"},
    "optimizer": pq.optimizers.list_optimizers,
    "precision": lambda: set(PRECISIONS),
    "finetune_strategy": lambda: {"no_freeze", "freeze", "freeze_unfreeze", "unfreeze_milestones", "features"},
}


@pytest.mark.parametrize("command", [train, finetune], ids=["train", "finetune"])
def test_every_config_field_has_an_option_with_the_library_choices(command):
    params = {p.name: p for p in command.params}
    for field in dataclasses.fields(TrainConfig):
        if field.name in _SKIPPED[command.name]:
            continue
        option = params[field.name]  # KeyError: a TrainConfig field with no option
        flag = _FLAGS[command.name].get(field.name, "--" + field.name.replace("_", "-"))
        assert flag in option.opts
        if field.name in _REGISTRY_CHOICES:
            assert set(option.type.choices) == set(_REGISTRY_CHOICES[field.name]())
        if field.name != "name":
            default = getattr(TrainConfig(), field.name)
            assert option.default == (str(default) if field.name == "devices" else default)


@pytest.mark.parametrize("kind, expected", [
    ("losses", "cross_entropy"), ("metrics", "accuracy"), ("optimizers", "sgd"),
    ("schedules", "step"), ("callbacks", "early_stopping"), ("datasets", "mnist5k"),
    ("models", "lenet5")])
def test_list_prints_each_registry(kind, expected, capsys):
    main(["list", kind])
    assert expected in capsys.readouterr().out.split()


def test_list_filters_with_a_glob(capsys):
    main(["list", "models", "lenet*"])
    assert capsys.readouterr().out.split() == ["lenet1", "lenet4", "lenet5"]


@pytest.fixture
def captured(monkeypatch):
    """The TrainConfig a command hands to the Python API (nothing trains)."""
    import pratique.tasks.run as run

    from pratique.config import TrainConfig

    seen = []

    def take(config=None, **overrides):  # as tasks/run.py's _run merges them
        seen.append(TrainConfig.from_dict({**(config.to_dict() if config else {}), **overrides}))

    monkeypatch.setattr(run, "train", take)
    monkeypatch.setattr(run, "finetune", take)
    return seen


def test_schedule_step_is_accepted(captured):
    main(["train", "--schedule", "step", "--optimizer", "sgd"])
    assert captured[0].schedule == "step" and captured[0].optimizer == "sgd"
    main(["train", "--schedule", "none"])
    assert captured[1].schedule is None


def test_backbone_statistics_reach_the_image_data(tmp_path):
    from pratique.tasks.run import backbone_stats, resolve_data

    card = pq.models.get_model_card("efficientnet_lite0").preprocessing
    stats = backbone_stats(TrainConfig(model="efficientnet_lite0", pretrained=True))
    assert stats == (card["mean"], card["std"])
    assert backbone_stats(TrainConfig(model="efficientnet_lite0")) is None  # not pretrained
    assert backbone_stats(TrainConfig(model="lenet5", pretrained=True)) is None  # no weights' stats
    _rgb_folder(tmp_path / "pets")
    data = resolve_data(str(tmp_path / "pets"), batch_size=4, validation_split=0.25, normalize=stats,
                        color_mode="rgb")
    assert data.train.preprocessing["mean"] == pytest.approx(card["mean"])


@pytest.mark.slow
def test_schedule_step_trains(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main(["train", "--model", "mlp", "--epochs", "1", "--batch-size", "512", "--schedule", "step",
          "--optimizer", "sgd", "--name", "s", "--accelerator", "cpu"])
    assert yaml.safe_load((tmp_path / "runs/s/config.yaml").read_text())["schedule"] == "step"


def _manifest(path):
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("manifest.json"))


def _rgb_folder(root, n=6, size=32):
    rng = np.random.default_rng(0)
    for c in ("a", "b"):
        (root / c).mkdir(parents=True)
        for i in range(n):  # bright images: their own statistics are far from the backbone's
            pixels = rng.integers(180, 256, (size, size, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / c / f"{i}.png")


@pytest.mark.slow  # a whole finetune run (~30 s on 2 busy cores)
def test_finetune_pretrained_normalizes_with_the_backbone_statistics(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _rgb_folder(tmp_path / "pets")
    main(["finetune", "--model", "efficientnet_lite0", "--pretrained", "--data", "pets",
          "--epochs", "1", "--batch-size", "8", "--image-size", "32", "--strategy", "freeze",
          "--accelerator", "cpu", "--validation-split", "0.25"])
    card = pq.models.get_model_card("efficientnet_lite0").preprocessing
    pre = _manifest(next((tmp_path / "runs/finetune").glob("*.pratique")))["preprocessing"]
    assert pre["mean"] == pytest.approx(card["mean"]) and pre["std"] == pytest.approx(card["std"])


@pytest.mark.slow
def test_train_without_pretrained_keeps_the_dataset_statistics(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _rgb_folder(tmp_path / "pets")
    main(["train", "--model", "lenet5", "--data", "pets", "--epochs", "1", "--batch-size", "8",
          "--accelerator", "cpu", "--validation-split", "0.25"])
    pre = _manifest(next((tmp_path / "runs/train").glob("*.pratique")))["preprocessing"]
    assert min(pre["mean"]) > 0.6  # the bright images' own mean, not 0.5 or ImageNet's

"""Registry-driven conformance: every registered loss, metric, optimizer, schedule, callback and
activation builds by name with its defaults; the one `Registry` class keeps its contract."""
import pytest
import torch

import pratique as pq
from pratique.core.errors import PratiqueError, UnknownNameError
from pratique.core.registry import Registry
from pratique.models.activations import ACTIVATIONS
from pratique.training.callbacks import CALLBACKS
from pratique.training.losses import LOSSES
from pratique.training.metrics import METRICS
from pratique.training.optimizers import OPTIMIZERS
from pratique.training.schedules import SCHEDULES

# the callbacks whose constructor has a required argument (as in Keras)
_REQUIRED = {"backup_and_restore": {"backup_dir": "bk"}, "csv_logger": {"filename": "log.csv"},
             "learning_rate_scheduler": {"schedule": lambda epoch, lr: lr},
             "model_checkpoint": {"filepath": "m.pratique"}, "resume_checkpoint": {"path": "l.ckpt"}}


def test_every_family_is_a_registry():
    for family in (LOSSES, METRICS, OPTIMIZERS, SCHEDULES, CALLBACKS, ACTIVATIONS,
                   pq.models.registry.MODELS, pq.data.datasets.DATASETS):
        assert isinstance(family, Registry) and len(family.list()) > 0


@pytest.mark.parametrize("name", LOSSES.list())
def test_every_loss_builds_by_name(name):
    loss = pq.losses.get(name)
    assert loss.name == name and callable(loss)


@pytest.mark.parametrize("name", METRICS.list())
def test_every_metric_builds_by_name(name):
    metric = pq.metrics.get(name)
    assert isinstance(metric, pq.metrics.Metric)


@pytest.mark.parametrize("name", OPTIMIZERS.list())
def test_every_optimizer_builds_by_name_and_steps(name):
    w = torch.nn.Parameter(torch.ones(3))
    opt = pq.optimizers.get(name, [w], lr=0.1)
    (w ** 2).sum().backward()
    opt.step()
    assert not torch.equal(w.detach(), torch.ones(3))  # the step moved the weights


@pytest.mark.parametrize("name", SCHEDULES.list())
def test_every_schedule_builds_by_name(name):
    schedule = pq.schedules.get(name)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    schedule.build(opt, total_steps=10, steps_per_epoch=5)
    assert 0 <= schedule.factor(0, 10, 5) <= 1


@pytest.mark.parametrize("name", CALLBACKS.list())
def test_every_callback_builds_by_name_and_class_name(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kwargs = _REQUIRED.get(name, {})
    by_name = pq.callbacks.get(name, **kwargs)
    assert type(by_name) is CALLBACKS.entry(name)
    assert type(pq.callbacks.get(type(by_name).__name__, **kwargs)) is type(by_name)


@pytest.mark.parametrize("name", ACTIVATIONS.list())
def test_every_activation_builds_by_name(name):
    x = torch.linspace(-2, 2, 5)
    assert pq.models.get_activation(name)(x).shape == x.shape


def test_callbacks_by_name_take_their_arguments():
    early = pq.callbacks.get("early_stopping", patience=3)
    assert isinstance(early, pq.callbacks.EarlyStopping) and early.patience == 3
    assert pq.callbacks.get("EarlyStopping", patience=4).patience == 4
    with pytest.raises(PratiqueError, match="Bad arguments for callback 'early_stopping'"):
        pq.callbacks.get("early_stopping", patiense=3)


@pytest.mark.parametrize("get, wrong, close", [
    (pq.losses.get, "msee", "mse"), (pq.metrics.get, "acuracy", "accuracy"),
    (pq.schedules.get, "cosin", "cosine"), (pq.callbacks.get, "early_stoping", "early_stopping"),
    (pq.models.get_activation, "rellu", "relu"), (pq.datasets.load_data, "mnist5", "mnist5k"),
    (pq.models.create_model, "lenet6", "lenet5")])
def test_unknown_names_say_did_you_mean(get, wrong, close):
    with pytest.raises(UnknownNameError, match=f"Did you mean.*'{close}'"):
        get(wrong)


def test_unknown_optimizer_says_did_you_mean():
    with pytest.raises(UnknownNameError, match="Did you mean.*'adam'"):
        pq.optimizers.get("adan", [torch.nn.Parameter(torch.ones(1))])


def test_a_taken_name_is_refused_unless_overwrite():
    reg = Registry("thing")
    reg.add("a", int)
    reg.add("a", int)  # the same definition again (a re-run cell): no error
    with pytest.raises(PratiqueError, match="'a' is already registered.*overwrite=True"):
        reg.add("a", dict)
    reg.add("a", dict, overwrite=True)
    assert reg.get("a", x=1) == {"x": 1}


def test_a_taken_loss_name_is_refused():
    with pytest.raises(PratiqueError, match="loss named 'mse' is already registered"):
        pq.losses.register_loss("mse", "regression")(lambda outputs, targets: 0)


def test_list_filters_with_a_glob():
    assert pq.losses.list_losses("bce*") == ["bce", "bce_with_logits"]
    assert CALLBACKS.list("*stopping") == ["early_stopping"]
    assert pq.datasets.list_datasets("mnist*") == ["mnist", "mnist5k"]

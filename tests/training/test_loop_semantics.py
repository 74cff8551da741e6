"""Keras' fit / evaluate / predict loop semantics (issue 14 items 1, 2, 5, 6, 9, 10; issue 15
items 2 and 15): each case as Keras behaves, or a clear error."""
import pytest
import torch
from torch import nn
from training_helpers import make_data, make_model

import pratique as pq
from pratique import PratiqueError
from pratique.training.callbacks import Callback, LearningRateScheduler, ReduceLROnPlateau


def test_short_import_paths_are_the_public_modules():
    from pratique.callbacks import EarlyStopping
    from pratique.losses import get as get_loss
    from pratique.metrics import get as get_metric
    from pratique.optimizers import get as get_optimizer

    assert EarlyStopping is pq.callbacks.EarlyStopping
    assert get_loss is pq.losses.get and get_metric is pq.metrics.get
    assert get_optimizer is pq.optimizers.get


def test_on_batch_aliases_are_called_as_the_train_batch_hooks(data):
    class Old(Callback):  # Keras 2 style
        def __init__(self):
            self.begin, self.end = [], []

        def on_batch_begin(self, batch, logs=None):
            self.begin.append(batch)

        def on_batch_end(self, batch, logs=None):
            self.end.append(batch)

    cb = Old()
    make_model().fit(*data, epochs=2, batch_size=32, callbacks=[cb], verbose=0)
    assert cb.begin == cb.end == [0, 1, 2, 0, 1, 2]


def test_train_batch_hook_overrides_its_alias_as_in_keras(data):
    class Both(Callback):
        def __init__(self):
            self.calls = []

        def on_train_batch_end(self, batch, logs=None):
            self.calls.append("train")

        def on_batch_end(self, batch, logs=None):  # Keras' default on_train_batch_end calls this
            self.calls.append("alias")

    cb = Both()
    make_model().fit(*data, epochs=1, batch_size=96, callbacks=[cb], verbose=0)
    assert cb.calls == ["train"]


@pytest.mark.parametrize("callback", [LearningRateScheduler(lambda epoch, lr: lr * 0.5),
                                      ReduceLROnPlateau(monitor="loss", patience=0)])
def test_compiled_schedule_with_lr_callback_is_refused(data, callback):
    model = make_model(schedule="cosine")
    before = {k: v.clone() for k, v in model.module.state_dict().items()}
    with pytest.raises(PratiqueError, match="schedule='cosine'.*undone at the next batch"):
        model.fit(*data, epochs=2, callbacks=[callback], verbose=0)
    assert all(torch.equal(before[k], v) for k, v in model.module.state_dict().items())


def test_lr_callback_alone_drives_the_rate(data):
    model = make_model(lr=0.1)
    model.fit(*data, epochs=2, callbacks=[LearningRateScheduler(lambda epoch, lr: lr * 0.5)], verbose=0)
    assert model.optimizer.param_groups[0]["lr"] == pytest.approx(0.025)

"""EarlyStopping, ReduceLROnPlateau, ModelCheckpoint, LearningRateScheduler: driven by a fake
monitored value injected into the logs, so the expected epochs are known by hand."""
import os

import pytest
from safetensors.torch import load_file
from training_helpers import make_model, same, weights

from pratique.training.callbacks import (
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)


def score_feed(values):
    def put(epoch, logs):
        logs["score"] = values[epoch]
    return LambdaCallback(on_epoch_end=put)


def snapshotter(store):
    return LambdaCallback(on_epoch_end=lambda epoch, logs: store.append(weights(cb_model[0])))


cb_model = [None]


def test_early_stopping_restores_exactly_the_best_epoch(data):
    model = make_model()
    cb_model[0] = model
    snaps = []
    es = EarlyStopping(monitor="score", mode="min", patience=2, restore_best_weights=True)
    hist = model.fit(*data, epochs=10, batch_size=16, verbose=0,
                     callbacks=[score_feed([3, 1, 2, 4, 5, 0, 0, 0, 0, 0]), snapshotter(snaps), es])
    assert hist.epoch == [0, 1, 2, 3]  # best at 1, two epochs without improvement, stop after 3
    assert es.stopped_epoch == 3 and es.best_epoch == 1
    assert same(weights(model), snaps[1]) and not same(weights(model), snaps[3])


def test_early_stopping_baseline_and_start_from_epoch(data):
    model = make_model()
    es = EarlyStopping(monitor="score", mode="max", patience=1, baseline=0.9)
    hist = model.fit(*data, epochs=6, batch_size=32, verbose=0, callbacks=[score_feed([0.5] * 6), es])
    assert hist.epoch == [0, 1]  # never beats the baseline: stops as soon as patience allows
    es = EarlyStopping(monitor="score", mode="min", patience=0, start_from_epoch=3)
    hist = make_model().fit(*data, epochs=6, batch_size=32, verbose=0,
                            callbacks=[score_feed([5, 6, 7, 8, 9, 10]), es])
    assert hist.epoch == [0, 1, 2, 3, 4]  # watching starts at 3; 4 is worse: stop


def lr_recorder(model, store):
    return LambdaCallback(on_epoch_end=lambda e, logs: store.append(model.optimizer.param_groups[0]["lr"]))


@pytest.mark.parametrize("cooldown,reduced_at", [(0, [2, 4, 6]), (2, [2, 5])])
def test_reduce_lr_on_plateau_patience_and_cooldown(data, cooldown, reduced_at):
    model = make_model(lr=1.0)
    lrs = []
    rop = ReduceLROnPlateau(monitor="score", mode="min", factor=0.5, patience=2, cooldown=cooldown, min_lr=0.1)
    model.fit(*data, epochs=7, batch_size=32, verbose=0,
              callbacks=[score_feed([1.0] * 7), rop, lr_recorder(model, lrs)])
    expected, lr = [], 1.0
    for epoch in range(7):
        if epoch in reduced_at:
            lr = max(lr * 0.5, 0.1)
        expected.append(lr)
    assert lrs == pytest.approx(expected)


def test_reduce_lr_respects_min_lr_and_improvement(data):
    model = make_model(lr=1.0)
    lrs = []
    rop = ReduceLROnPlateau(monitor="score", mode="min", factor=0.1, patience=1, min_lr=0.05)
    model.fit(*data, epochs=5, batch_size=32, verbose=0,
              callbacks=[score_feed([5, 4, 3, 3, 3]), rop, lr_recorder(model, lrs)])
    assert lrs == pytest.approx([1.0, 1.0, 1.0, 0.1, 0.05])


def test_model_checkpoint_keeps_the_best_by_monitor(data, tmp_path):
    model = make_model()
    cb_model[0] = model
    snaps = []
    best = tmp_path / "best.safetensors"
    ck = ModelCheckpoint(best, monitor="score", mode="min", save_best_only=True)
    templ = ModelCheckpoint(str(tmp_path / "ck-{epoch:02d}-{score:.1f}.safetensors"), monitor="score",
                            mode="min", save_best_only=True)
    model.fit(*data, epochs=5, batch_size=32, verbose=0,
              callbacks=[score_feed([3, 1, 2, 0.5, 4]), snapshotter(snaps), ck, templ])
    saved = load_file(str(best))
    assert all(saved[k].equal(v) for k, v in snaps[3].items())
    assert sorted(os.listdir(tmp_path)) == ["best.safetensors", "ck-01-3.0.safetensors",
                                            "ck-02-1.0.safetensors", "ck-04-0.5.safetensors"]
    assert ck.state_dict()["best"] == 0.5


def test_model_checkpoint_every_n_batches(data, tmp_path):
    model = make_model()
    ck = ModelCheckpoint(str(tmp_path / "b-{epoch}-{batch}.safetensors"), save_freq=4)
    model.fit(*data, epochs=2, batch_size=16, verbose=0, callbacks=[ck])  # 6 batches an epoch
    assert sorted(os.listdir(tmp_path)) == ["b-1-4.safetensors", "b-2-2.safetensors", "b-2-6.safetensors"]


def test_learning_rate_scheduler_sets_each_epoch(data):
    model = make_model(lr=1.0)
    lrs = []
    sched = LearningRateScheduler(lambda epoch, lr: 0.1 * (epoch + 1))
    hist = model.fit(*data, epochs=3, batch_size=32, verbose=0, callbacks=[sched, lr_recorder(model, lrs)])
    assert lrs == pytest.approx([0.1, 0.2, 0.3])
    assert hist.history["learning_rate"] == pytest.approx([0.1, 0.2, 0.3])

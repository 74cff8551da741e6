"""Keras' argument forms and semantics: EarlyStopping's baseline, one-argument LR schedules,
a single callback or metric name, and fit(ImageData) refusing arguments it would ignore."""
import numpy as np
import pytest
import torch
from training_helpers import make_data, make_model

import pratique as pq
from pratique import PratiqueError
from pratique.training.callbacks import EarlyStopping, LambdaCallback, LearningRateScheduler


def _scores(values):
    """A callback that logs values[epoch] as "score" (before EarlyStopping reads it)."""
    return LambdaCallback(on_epoch_end=lambda e, logs: logs.update(score=values[e]))


def keras_early_stopping(values, patience, baseline, mode="min"):
    """Epochs run under keras/src/callbacks/early_stopping.py's on_epoch_end, transcribed."""
    sign = 1 if mode == "min" else -1
    best, wait = float("inf"), 0
    for epoch, v in enumerate(values):
        wait += 1
        if sign * v < best:
            best = sign * v
            if baseline is None or sign * v < sign * baseline:
                wait = 0
            continue
        if wait >= patience and epoch > 0:
            return epoch + 1
    return len(values)


@pytest.mark.parametrize("values, baseline, mode", [
    ([0.9, 0.8, 0.7, 0.6, 0.55, 0.56, 0.57, 0.58], 0.5, "min"),  # improving, never past baseline
    ([0.9, 0.4, 0.45, 0.46, 0.3, 0.5, 0.5, 0.5], 0.5, "min"),
    ([0.1, 0.2, 0.3, 0.35, 0.34, 0.33, 0.2, 0.1], 0.9, "max"),
    ([0.9, 0.8, 0.85, 0.86, 0.87, 0.7, 0.9, 0.9], None, "min"),
])
def test_early_stopping_baseline_matches_keras(values, baseline, mode):
    es = EarlyStopping(monitor="score", patience=2, baseline=baseline, mode=mode)
    hist = make_model().fit(*make_data(), epochs=len(values), batch_size=48, verbose=0,
                            callbacks=[_scores(values), es])
    assert len(hist.epoch) == keras_early_stopping(values, 2, baseline, mode)


def test_early_stopping_improving_epochs_never_stop_before_the_baseline():
    values = [0.9, 0.8, 0.7, 0.6, 0.55, 0.56]
    es = EarlyStopping(monitor="score", mode="min", patience=2, baseline=0.5)
    hist = make_model().fit(*make_data(), epochs=6, batch_size=48, verbose=0,
                            callbacks=[_scores(values), es])
    assert hist.epoch == [0, 1, 2, 3, 4, 5] and es.stopped_epoch == 5  # stops on the worse one


def test_learning_rate_scheduler_takes_a_one_argument_schedule():
    model = make_model(lr=0.1)
    hist = model.fit(*make_data(), epochs=3, batch_size=48, verbose=0,
                     callbacks=[LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))])
    assert hist.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    two = LearningRateScheduler(lambda epoch, lr: np.float32(lr * 0.5))  # numpy floats accepted
    assert make_model(lr=0.1).fit(*make_data(), epochs=2, verbose=0, callbacks=[two]
                                  ).history["learning_rate"] == pytest.approx([0.05, 0.025])


def test_a_single_callback_and_a_single_metric_name():
    es = EarlyStopping(monitor="loss", patience=5)
    model = make_model(metrics="accuracy")
    assert [m.name for m in model.metrics] == ["accuracy"]
    hist = model.fit(*make_data(), epochs=2, verbose=0, callbacks=es)
    assert es.model is model and "accuracy" in hist.history


def _image_data():
    x = np.random.default_rng(0).integers(0, 255, (40, 8, 8, 1), dtype=np.uint8)
    y = np.arange(40) % 2
    return pq.ImageData.from_numpy(x, y, val_split=0.25, batch_size=8)


@pytest.mark.parametrize("kwargs, needle", [
    ({"y": np.zeros(40)}, "takes no y"),
    ({"validation_split": 0.2}, "takes no validation_split"),
    ({"validation_data": (np.zeros((4, 1, 8, 8)), np.zeros(4))}, "takes no validation_data"),
    ({"batch_size": 16}, "batch_size=8. Received: batch_size=16"),
])
def test_fit_image_data_refuses_arguments_it_would_ignore(kwargs, needle):
    model = pq.Model(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 2)),
                     accelerator="cpu").compile()
    data = _image_data()
    with pytest.raises(PratiqueError, match=needle):
        model.fit(data, epochs=1, verbose=0, **kwargs)
    assert model.fit(data, epochs=1, batch_size=8, verbose=0).epoch == [0]  # the same size is fine

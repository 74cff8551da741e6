"""Port of keras/src/callbacks/terminate_on_nan_test.py (keras-team/keras), Keras' assertions.
Keras' `initializers.Constant(1e5)` is `nn.init.constant_(w, 1e5)`."""
import os

import numpy as np
import pytest
from keras_helpers import dense_model, f32, get_test_data, to_categorical
from torch import nn

from pratique.training.callbacks import BackupAndRestore, Callback, CSVLogger, TerminateOnNaN


def _exploding_model():
    """5 x Dense(2, relu, kernel_initializer=Constant(1e5)), then Dense(NUM_CLASSES)."""
    import pratique as pq

    layers = []
    for i in range(5):
        layers += [nn.Linear(3 if i == 0 else 2, 2), nn.ReLU()]
        nn.init.constant_(layers[-2].weight, 1e5)
    module = nn.Sequential(*layers, nn.Linear(2, 2))
    return pq.Model(module, accelerator="cpu").compile(loss="mse", optimizer="sgd", metrics=[])


def _data():
    (x, y), (xt, yt) = get_test_data(10, 10, (3,), 2, random_seed=1337)
    return x, to_categorical(y, 2), xt, to_categorical(yt, 2)


# TerminateOnNaNTest.test_TerminateOnNaN
def test_TerminateOnNaN():
    x_train, y_train, x_test, y_test = _data()
    history = _exploding_model().fit(x_train, y_train, batch_size=4, validation_data=(x_test, y_test),
                                     callbacks=[TerminateOnNaN()], epochs=20, verbose=0)
    loss = history.history["loss"]
    assert len(loss) == 1
    assert np.isnan(loss[0]) or np.isinf(loss[0])


def _one():
    return dense_model(1, 1, optimizer="sgd", loss="mse")


# TerminateOnNaNTest.test_terminate_on_nan_graceful_stop
def test_terminate_on_nan_graceful_stop():
    x, y = f32([[1.0], [2.0]], [[np.inf], [np.inf]])
    history = _one().fit(x, y, epochs=2, batch_size=1, callbacks=[TerminateOnNaN(raise_error=False)], verbose=0)
    assert len(history.history["loss"]) < 4


# TerminateOnNaNTest.test_terminate_on_nan_raise_error_raises_error
def test_terminate_on_nan_raise_error_raises_error():
    x, y = f32([[1.0], [2.0]], [[np.inf], [np.inf]])
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered"):
        _one().fit(x, y, epochs=1, batch_size=1, callbacks=[TerminateOnNaN(raise_error=True)], verbose=0)


# TerminateOnNaNTest.test_raise_error_terminate_does_not_trigger_on_train_end
def test_raise_error_terminate_does_not_trigger_on_train_end():
    class TrackingCallback(Callback):
        train_end_called = False

        def on_train_end(self, logs=None):
            self.train_end_called = True

    tracking = TrackingCallback()
    x, y = f32([[1.0]], [[np.inf]])
    with pytest.raises(RuntimeError):
        _one().fit(x, y, epochs=1, callbacks=[tracking, TerminateOnNaN(raise_error=True)], verbose=0)
    assert not tracking.train_end_called


# TerminateOnNaNTest.test_raise_error_terminate_preserves_backup
def test_raise_error_terminate_preserves_backup(tmp_path):
    backup_dir = os.path.join(tmp_path, "backups")
    os.makedirs(backup_dir, exist_ok=True)
    fake_file = os.path.join(backup_dir, "checkpoint.txt")
    with open(fake_file, "w") as f:
        f.write("dummy checkpoint")
    backup = BackupAndRestore(backup_dir=backup_dir)
    backup.on_train_end = lambda logs=None: None
    x, y = f32([[1.0]], [[np.inf]])
    with pytest.raises(RuntimeError):
        _one().fit(x, y, epochs=1, callbacks=[backup, TerminateOnNaN(raise_error=True)], verbose=0)
    assert os.path.exists(backup_dir)
    assert os.path.exists(fake_file)


# TerminateOnNaNTest.test_normal_training_does_not_raise
@pytest.mark.parametrize("raise_error", [False, True])
def test_normal_training_does_not_raise(raise_error):
    x, y = f32([[1.0], [2.0]], [[1.0], [2.0]])
    history = _one().fit(x, y, epochs=2, callbacks=[TerminateOnNaN(raise_error=raise_error)], verbose=0)
    assert len(history.history["loss"]) == 2


# TerminateOnNaNTest.test_raise_error_terminate_stops_on_later_batch
def test_raise_error_terminate_stops_on_later_batch():
    x, y = f32([[1.0], [2.0]], [[1.0], [np.inf]])
    with pytest.raises(RuntimeError) as exc:
        _one().fit(x, y, epochs=1, batch_size=1, shuffle=False, callbacks=[TerminateOnNaN(raise_error=True)],
                   verbose=0)
    assert any(f"batch {i}" in str(exc.value) for i in [0, 1])


# CSVLoggerTest.test_stop_training_csv (keras/src/callbacks/csv_logger_test.py)
def test_stop_training_csv(tmp_path):
    import csv

    csv_logfile = os.path.join(tmp_path, "csv_logger.csv")
    x_train, y_train, x_test, y_test = _data()
    history = _exploding_model().fit(x_train, y_train, batch_size=4, validation_data=(x_test, y_test),
                                     callbacks=[TerminateOnNaN(), CSVLogger(csv_logfile)], epochs=20, verbose=0)
    loss = history.history["loss"]
    assert len(loss) == 1
    assert np.isnan(loss[0]) or np.isinf(loss[0])
    with open(csv_logfile) as f:
        values = [x for x in csv.reader(f) if x]
    assert "nan" in values[-1], "NaN not logged in CSV Logger."

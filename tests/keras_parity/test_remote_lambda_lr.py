"""Ports of keras/src/callbacks/remote_monitor_test.py, lambda_callback_test.py,
learning_rate_scheduler_test.py and reduce_lr_on_plateau_test.py (keras-team/keras).
Keras' `mock.patch("requests.post")` is a real HTTP server on 127.0.0.1 here (pratique posts
with urllib); `assertLogs` is capsys or a list; `optimizer.learning_rate.value` is
`optimizer.param_groups[0]["lr"]`."""
import json
import threading
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest
from keras_helpers import dense_model, get_test_data, to_categorical

from pratique.training.callbacks import (
    LambdaCallback,
    LearningRateScheduler,
    ReduceLROnPlateau,
    RemoteMonitor,
)


@pytest.fixture
def server():
    """A local server on a free port; yields (root, received JSON bodies)."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", received
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


# TerminateOnNaNTest.test_RemoteMonitor (sic, remote_monitor_test.py)
def test_RemoteMonitor():
    monitor = RemoteMonitor(root="http://127.0.0.1:9", timeout=1)  # Keras: the unreachable default
    with warnings.catch_warnings(record=True) as warning_logs:
        warnings.simplefilter("always")
        monitor.on_epoch_end(0, logs={"loss": 0.0})
        assert "could not reach" in str(warning_logs[-1].message).lower()  # wording differs


# test_RemoteMonitor_np_array / test_RemoteMonitor_np_float32
@pytest.mark.parametrize("value, sent", [(np.arange(1), 0), (np.float32(1.0), 1.0)])
def test_RemoteMonitor_numpy(server, value, sent):
    root, received = server
    monitor = RemoteMonitor(root=root, send_as_json=True, timeout=5)
    monitor.on_epoch_end(0, logs={"loss": 0.0, "val": value})
    assert received == [{"loss": 0.0, "epoch": 0, "val": sent}]


# test_RemoteMonitorWithJsonPayload
def test_RemoteMonitorWithJsonPayload(server):
    root, received = server
    (x_train, y_train), (x_test, y_test) = get_test_data(10, 10, (3,), 2, random_seed=1337)
    model = dense_model(3, 2, loss="mse", optimizer="sgd")
    hist = model.fit(x_train, to_categorical(y_train), batch_size=4, verbose=0,
                     validation_data=(x_test, to_categorical(y_test)),
                     callbacks=[RemoteMonitor(root=root, send_as_json=True)], epochs=1)
    assert received == [{"epoch": 0, "loss": hist.history["loss"][0], "val_loss": hist.history["val_loss"][0]}]


def _lambda_model():
    return dense_model(2, 1, loss="mse", optimizer="sgd"), np.random.randn(16, 2), np.random.randn(16, 1)


# LambdaCallbackTest.test_lambda_callback and test_lambda_callback_with_batches
def test_lambda_callback():
    model, x, y = _lambda_model()
    logs = []
    cb = LambdaCallback(on_train_begin=lambda logs_: logs.append("on_train_begin"),
                        on_epoch_begin=lambda epoch, logs_: logs.append("on_epoch_begin"),
                        on_epoch_end=lambda epoch, logs_: logs.append("on_epoch_end"),
                        on_train_end=lambda logs_: logs.append("on_train_end"),
                        on_train_batch_begin=lambda b, logs_: logs.append("on_train_batch_begin"),
                        on_train_batch_end=lambda b, logs_: logs.append("on_train_batch_end"))
    model.fit(x, y, batch_size=4, validation_split=0.2, callbacks=[cb], epochs=5, verbose=0)
    for hook in ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end",
                 "on_train_batch_begin", "on_train_batch_end"):
        assert any(hook in log for log in logs)


# test_lambda_callback_with_kwargs / test_lambda_callback_during_prediction
def test_lambda_callback_with_kwargs_evaluate_and_predict():
    model, x, y = _lambda_model()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    logs = []
    model.evaluate(x, y, batch_size=4, verbose=0,
                   callbacks=[LambdaCallback(on_test_begin=lambda logs_: logs.append("custom_on_test_begin_executed"))])
    model.predict(x, batch_size=4,
                  callbacks=[LambdaCallback(on_predict_begin=lambda logs_: logs.append("on_predict_begin_executed"))])
    assert logs == ["custom_on_test_begin_executed", "on_predict_begin_executed"]


# test_lambda_callback_no_args / test_lambda_callback_with_additional_kwargs
def test_lambda_callback_no_args_and_additional_kwargs():
    assert isinstance(LambdaCallback(), LambdaCallback)

    def custom_callback(logs):
        pass

    assert hasattr(LambdaCallback(custom_method=custom_callback), "custom_method")


@pytest.fixture
def lr_data():
    (x_train, y_train), (x_test, y_test) = get_test_data(10, 10, (3,), 2)
    return x_train, to_categorical(y_train, 2), x_test, to_categorical(y_test, 2)


def _lr(model):
    return model.optimizer.param_groups[0]["lr"]


# LearningRateSchedulerTest.test_updates_learning_rate / test_verbose_logging
def test_updates_learning_rate(lr_data, capsys):
    model = dense_model(3, 5, 2, loss="mse", optimizer="sgd")
    model.fit(lr_data[0], lr_data[1], verbose=0, epochs=1,
              callbacks=[LearningRateScheduler(lambda step: 1.0 / (2.0 + step), verbose=1)])
    assert _lr(model) == 0.5
    model.fit(lr_data[0], lr_data[1], verbose=0, epochs=1,
              callbacks=[LearningRateScheduler(lambda step: 1.0 / (1.0 + step), verbose=1)])
    assert "LearningRateScheduler setting learning rate to 1" in capsys.readouterr().out


# test_schedule_dependent_on_previous_learning_rate
def test_schedule_dependent_on_previous_learning_rate(lr_data):
    model = dense_model(3, 5, 2, loss="mse", optimizer="adam", lr=0.03)
    model.fit(lr_data[0], lr_data[1], verbose=0, epochs=2, callbacks=[LearningRateScheduler(lambda step, lr: lr / 2)])
    assert _lr(model) == 0.03 / 4.0


# test_throws_when_optimizer_has_schedule (Keras: a LearningRateSchedule optimizer; here
# compile(schedule=...)), and ReduceLROnPlateauTest.test_throws_when_optimizer_has_schedule
@pytest.mark.parametrize("callback", [LearningRateScheduler(lambda step, lr: lr / 2),
                                      ReduceLROnPlateau(patience=1, factor=0.1, monitor="val_loss", min_delta=100)])
def test_throws_when_optimizer_has_schedule(lr_data, callback):
    model = dense_model(3, 5, 2, loss="mse", optimizer="adam", lr=0.1, schedule="cosine")
    with pytest.raises(Exception, match="(?i)schedule"):
        model.fit(lr_data[0], lr_data[1], validation_data=lr_data[2:], verbose=0, epochs=2, callbacks=[callback])


# test_learning_rate_in_history
def test_learning_rate_in_history(lr_data):
    model = dense_model(3, 5, 2, loss="mse", optimizer="sgd")
    history = model.fit(lr_data[0], lr_data[1], verbose=0, epochs=1,
                        callbacks=[LearningRateScheduler(lambda step, lr: 0.5)])
    assert "learning_rate" in history.history
    assert type(history.history["learning_rate"][0]) is float
    assert history.history["learning_rate"][0] == 0.5


# ReduceLROnPlateauTest: test_reduces_lr_with_model_fit, test_verbose_logging, test_honors_min_lr,
# test_cooldown (Keras' model: Dense(5), Dense(2), Adam(0.1), loss "mse")
@pytest.mark.parametrize("kwargs, epochs, expected", [
    ({"min_delta": 100}, 2, 0.01), ({"min_delta": 10, "min_lr": 0.005}, 4, 0.005),
    ({"min_delta": 100, "cooldown": 2}, 4, 0.001)])
def test_reduce_lr_on_plateau(lr_data, capsys, kwargs, epochs, expected):
    model = dense_model(3, 5, 2, loss="mse", optimizer="adam", lr=0.1)
    model.fit(lr_data[0], lr_data[1], validation_data=lr_data[2:], verbose=0, epochs=epochs,
              callbacks=[ReduceLROnPlateau(patience=1, factor=0.1, monitor="val_loss", verbose=1, **kwargs)])
    assert _lr(model) == pytest.approx(expected)
    assert "ReduceLROnPlateau reducing learning rate to 0.01" in capsys.readouterr().out


# ReduceLROnPlateauTest.test_state_reset_across_fit_calls
def test_reduce_lr_state_reset_across_fit_calls():
    reduce_lr = ReduceLROnPlateau(patience=1, factor=0.1, monitor="loss", min_delta=0, cooldown=2)
    reduce_lr.set_model(dense_model(3, 5, 2, loss="mse", optimizer="adam", lr=0.1))
    reduce_lr.on_train_begin()
    reduce_lr.best, reduce_lr.wait, reduce_lr.cooldown_counter = 0.5, 3, 2
    reduce_lr.on_train_begin()
    assert reduce_lr.best is None
    assert reduce_lr.wait == 0
    assert reduce_lr.cooldown_counter == 0

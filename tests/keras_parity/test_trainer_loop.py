"""Port of keras/src/trainers/trainer_test.py (keras-team/keras), continued: the cases on the
loop's callbacks (their logs' keys, stopping flags, state changed at batch boundaries), Keras'
assertions unchanged. See test_trainer.py for the conventions."""
import contextlib

import numpy as np
import pytest
import torch
from keras_helpers import example_model
from torch import nn

import pratique as pq
from pratique.training.callbacks import Callback


# TestTrainer.test_callback_methods_keys. Differs on purpose in two keys, dropped before Keras'
# assertions: batch logs also carry "size" (the batch's sample count, Keras 2's key), and
# on_predict_end's logs carry the whole "outputs" (Keras 3 passes {}).
def test_callback_methods_keys():
    def keys_of(logs, drop=()):
        return sorted(k for k in logs if k not in drop)

    class CustomCallback(Callback):
        def on_train_begin(self, logs=None):
            assert keys_of(logs) == []

        def on_train_end(self, logs=None):
            assert keys_of(logs) == ["loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error"]

        def on_epoch_begin(self, epoch, logs=None):
            assert keys_of(logs) == []

        def on_epoch_end(self, epoch, logs=None):
            assert keys_of(logs) == ["loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error"]

        def on_test_begin(self, logs=None):
            assert keys_of(logs) == []

        def on_test_end(self, logs=None):
            assert keys_of(logs) == ["loss", "mean_absolute_error"]

        def on_predict_begin(self, logs=None):
            assert keys_of(logs) == []

        def on_predict_end(self, logs=None):
            assert keys_of(logs, ("outputs",)) == []

        def on_train_batch_begin(self, batch, logs=None):
            assert keys_of(logs) == []

        def on_train_batch_end(self, batch, logs=None):
            assert keys_of(logs, ("size",)) == ["loss", "mean_absolute_error"]

        def on_test_batch_begin(self, batch, logs=None):
            assert keys_of(logs) == []

        def on_test_batch_end(self, batch, logs=None):
            assert keys_of(logs, ("size",)) == ["loss", "mean_absolute_error"]

        def on_predict_batch_begin(self, batch, logs=None):
            assert keys_of(logs) == []

        def on_predict_batch_end(self, batch, logs=None):
            assert keys_of(logs) == ["outputs"]

    model = example_model(units=3)
    model.compile(optimizer="adam", loss="mse", metrics=["mean_absolute_error"])
    x = np.ones((16, 4))
    y = np.zeros((16, 3))
    x_test = np.ones((16, 4))
    y_test = np.zeros((16, 3))
    model.fit(x, y, callbacks=[CustomCallback()], batch_size=4, validation_data=(x_test, y_test), verbose=0)
    # Keras' evaluate and predict here take no callbacks: the hooks above ran inside fit only.
    # pratique's evaluate and predict take them too; their hooks see the same keys.
    model.evaluate(x_test, y_test, batch_size=4, verbose=0, callbacks=[CustomCallback()])
    model.predict(x_test, batch_size=4, callbacks=[CustomCallback()])


# TestTrainer.test_for_eval_epoch_iterator: Keras checks a private iterator; its intent, a fit
# that failed on bad validation data leaves the model able to fit, is ported.
def test_for_eval_epoch_iterator():
    model = example_model(units=3)
    model.compile(optimizer="adam", loss="mse", metrics=["mean_absolute_error"])
    x = np.ones((16, 4))
    y = np.zeros((16, 3))
    x_test = np.ones((16, 4))
    y_test = np.zeros((16, 3))
    model.fit(x, y, batch_size=4, validation_data=(x_test, y_test), verbose=0)
    with contextlib.suppress(Exception):  # Keras: try: ... except: pass
        model.fit(x, y, batch_size=4, verbose=0,
                  validation_data=(x_test.reshape((-1, 16, 4)), y_test.reshape((-1, 16, 3))))
    history = model.fit(x, y, batch_size=4, validation_data=(x_test, y_test), verbose=0)
    assert len(history.history["val_loss"]) == 1


# TestTrainer.test_stop_loop. Keras feeds an infinite generator; pratique takes arrays or a
# DataLoader, so 100 batches of 2 stand in for it (the stop must come at the 5th).
@pytest.mark.parametrize("method, method_gerund, on_end_name", [
    ("fit", "training", "train"), ("evaluate", "evaluating", "test"), ("predict", "predicting", "predict")])
def test_stop_loop(method, method_gerund, on_end_name):
    model = example_model(units=3, in_features=2)
    model.compile(optimizer="sgd", loss="mse", metrics=["mse"])

    class Stopper(Callback):
        def __init__(self, stop_count):
            self.stop_count = stop_count
            self.counter = 0
            setattr(self, f"on_{on_end_name}_batch_end", self.batch_end)

        def batch_end(self, *args, **kwargs):
            self.counter += 1
            if self.counter == self.stop_count:
                setattr(self.model, f"stop_{method_gerund}", True)

    x, y = np.ones((200, 2)), np.ones((200, 3))
    stop_count = 5
    stopper = Stopper(stop_count)
    args = (x,) if method == "predict" else (x, y)
    kwargs = {} if method == "predict" else {"verbose": 0}
    getattr(model, method)(*args, batch_size=2, callbacks=[stopper], **kwargs)
    assert stopper.counter == stop_count


# TestTrainer.test_rng_updated_during_predict (keras.random.dropout with a SeedGenerator is
# torch's dropout drawing from the global generator)
def test_rng_updated_during_predict():
    class TestTimeDropout(nn.Module):
        def forward(self, x):
            return nn.functional.dropout(x, p=0.5, training=True)

    model = pq.Model(TestTimeDropout(), accelerator="cpu")
    model.compile(optimizer="rmsprop", loss="mse")
    x = np.ones((32, 20))
    out_1 = model.predict(x)
    out_2 = model.predict(x)
    assert np.mean(np.abs(out_1 - out_2)) > 0.01


# TestTrainer.test_callbacks_can_update_state_at_batch_boundary (Keras' counter weights are
# buffers of the module; the callback reaches them through `model.module`)
def test_callbacks_can_update_state_at_batch_boundary():
    class CounterModel(nn.Module):
        def __init__(self):
            super().__init__()
            for name in ("train_counter", "test_counter", "predict_counter"):
                self.register_buffer(name, torch.zeros(()))
            self.dense = nn.Linear(3, 3)

        def forward(self, x):
            return self.dense(x)

    class CounterCallback(Callback):
        def __init__(self):
            self.eager_call_counter_train = 0
            self.eager_call_counter_test = 0
            self.eager_call_counter_predict = 0

        def on_train_batch_end(self, *args, **kwargs):
            self.model.module.train_counter.add_(1)
            self.eager_call_counter_train += 1

        def on_test_batch_end(self, *args, **kwargs):
            self.model.module.test_counter.add_(1)
            self.eager_call_counter_test += 1

        def on_predict_batch_end(self, *args, **kwargs):
            self.model.module.predict_counter.add_(1)
            self.eager_call_counter_predict += 1

    model = pq.Model(CounterModel(), accelerator="cpu")
    model.compile(optimizer="sgd", loss="mse", metrics=["mse"])
    cbk = CounterCallback()
    model.fit(np.ones((4, 3)), np.ones((4, 3)), callbacks=[cbk], epochs=3, batch_size=1, verbose=0,
              validation_data=(np.ones((2, 3)), np.ones((2, 3))))
    assert cbk.eager_call_counter_train == 12
    assert float(model.module.train_counter) == 12
    assert cbk.eager_call_counter_test == 6
    assert float(model.module.test_counter) == 6
    model.predict(np.ones((4, 3)), callbacks=[cbk], batch_size=1)
    assert cbk.eager_call_counter_predict == 4
    assert float(model.module.predict_counter) == 4

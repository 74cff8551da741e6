"""Port of the fit / evaluate / predict cases of keras/src/trainers/trainer_test.py
(keras-team/keras) that pratique claims, case by case, Keras' assertions unchanged.

Keras' `ExampleModel(units)` (a `Dense(units, use_bias=False)` with a kernel of ones) is
`nn.Linear(in, units, bias=False)` with weights of ones here: torch's layer needs the input
width. `metrics.MeanSquaredError()` logs as "mean_squared_error" in Keras; here that name is
passed as a string. Keras' run_eagerly / jit_compile variants are one case here (eager torch).
The table in docs/coming-from/keras.md lists every case of the file.
"""
import warnings

import numpy as np
import pytest
import torch
from keras_helpers import example_model
from numpy.testing import assert_allclose
from torch import nn

import pratique as pq
from pratique.training.callbacks import Callback


def epoch_agnostic_mse():
    """Keras' EpochAgnosticMeanSquaredError: an "mse" metric whose reset does nothing."""
    metric = pq.metrics.get("mse")
    metric.reset()
    metric.reset = lambda: None
    return metric


class StepObserver(Callback):
    def __init__(self):
        super().__init__()
        self.begin_count = 0
        self.end_count = 0
        self.epoch_begin_count = 0
        self.epoch_end_count = 0
        self.batch_loss_history = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_begin_count += 1

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_end_count += 1

    def on_batch_begin(self, batch, logs=None):
        self.begin_count += 1

    def on_batch_end(self, batch, logs=None):
        self.end_count += 1
        self.batch_loss_history.append(logs["mse"])


# TestTrainer.test_fit_flow (eager, and the steps_per_epoch variant)
@pytest.mark.parametrize("use_steps_per_epoch", [False, True])
def test_fit_flow(use_steps_per_epoch):
    model = example_model(units=3)
    epochs = 3
    batch_size = 20
    steps_per_epoch = 7
    dataset_size = batch_size * (steps_per_epoch - 2)
    x = np.ones((dataset_size, 4))
    y = np.zeros((dataset_size, 3))
    model.compile(optimizer="sgd", loss="mean_squared_error", metrics=["mean_squared_error"])
    with warnings.catch_warnings():  # steps_per_epoch > the data's 5 batches: Keras warns too
        warnings.simplefilter("ignore")
        history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0,
                            steps_per_epoch=steps_per_epoch if use_steps_per_epoch else None)
    history = history.history
    assert "loss" in history
    assert "mean_squared_error" in history
    assert_allclose(history["mean_squared_error"], [14.5, 11.5, 8.5], atol=1.0)


# TestTrainer.test_fit_with_val_split (eager, and the steps_per_epoch variant)
@pytest.mark.parametrize("use_steps_per_epoch", [False, True])
def test_fit_with_val_split(use_steps_per_epoch):
    model = example_model(units=3)
    epochs = 3
    batch_size = 20
    steps_per_epoch = 7
    dataset_size = batch_size * (steps_per_epoch - 2)
    model.compile(optimizer="sgd", loss="mean_squared_error", metrics=["mean_squared_error"])
    # numpy arrays, then backend-native tensors (torch's here)
    for x, y in [(np.ones((dataset_size, 4)), np.zeros((dataset_size, 3))),
                 (torch.ones((dataset_size, 4)), torch.zeros((dataset_size, 3)))]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            history = model.fit(x, y, batch_size=batch_size, epochs=epochs, validation_split=0.2,
                                steps_per_epoch=steps_per_epoch if use_steps_per_epoch else None,
                                verbose=0)
        history = history.history
        assert "loss" in history
        assert "val_loss" in history


# TestTrainer.test_fit_with_data_adapter: np_array, native_array, torch_dataloader_tensor
@pytest.mark.parametrize("dataset_type", ["np_array", "native_array", "torch_dataloader"])
def test_fit_with_data_adapter(dataset_type):
    model = example_model(units=3)
    model.compile(optimizer="adagrad", loss="mean_squared_error", metrics=["mean_squared_error"])
    fit_kwargs = {}
    if dataset_type == "np_array":
        x, y = np.ones((100, 4)), np.zeros((100, 3))
        fit_kwargs = {"batch_size": 5}
    elif dataset_type == "native_array":
        x, y = torch.ones((100, 4)), torch.zeros((100, 3))
        fit_kwargs = {"batch_size": 5}
    else:
        dataset = torch.utils.data.TensorDataset(torch.ones((100, 4)), torch.zeros((100, 3)))
        x, y = torch.utils.data.DataLoader(dataset, batch_size=5), None
    model.fit(x, y, epochs=3, verbose=0, **fit_kwargs)


# TestTrainer.test_evaluate_flow
def test_evaluate_flow():
    model = example_model(units=3)
    x = np.ones((100, 4))
    y = np.zeros((100, 3))
    batch_size = 16
    model.compile(optimizer="sgd", loss="mean_squared_error", metrics=["mean_squared_error"])
    output = model.evaluate(x, y, batch_size=batch_size, verbose=0)
    assert_allclose(output, [16.0, 16.0])
    output = model.evaluate(x, y, batch_size=batch_size, return_dict=True, verbose=0)
    assert isinstance(output, dict)
    assert "loss" in output
    assert "mean_squared_error" in output
    assert_allclose(output["mean_squared_error"], 16.0)


# TestTrainer.test_predict_flow
def test_predict_flow():
    model = example_model(units=3)
    x = np.ones((100, 4))
    batch_size = 16
    outputs = model.predict(x, batch_size=batch_size)
    assert_allclose(outputs, 4 * np.ones((100, 3)))


# TestTrainer.test_steps_per_epoch (one mode: eager)
@pytest.mark.parametrize("steps_per_epoch_test", ["match_one_epoch", "match_multi_epoch",
                                                  "not_match_too_low", "not_match_but_high_enough"])
def test_steps_per_epoch(steps_per_epoch_test):
    batch_size = 8
    epochs = 4
    num_batches = 10
    data_size = num_batches * batch_size
    if steps_per_epoch_test == "match_one_epoch":
        steps_per_epoch = num_batches
    elif steps_per_epoch_test == "match_multi_epoch":
        steps_per_epoch = num_batches // (epochs // 2)
    elif steps_per_epoch_test == "not_match_too_low":
        steps_per_epoch = num_batches - 1
    elif steps_per_epoch_test == "not_match_but_high_enough":
        steps_per_epoch = num_batches + 1
    x = np.ones((data_size, 4))
    y = np.ones((data_size, 1))

    model = example_model(units=1)
    model.compile(loss="mse", optimizer="sgd", metrics=[epoch_agnostic_mse()])
    step_observer = StepObserver()
    with warnings.catch_warnings():  # "ran out of data", as Keras warns
        warnings.simplefilter("ignore")
        model.fit(x=x, y=y, batch_size=batch_size, epochs=epochs, steps_per_epoch=steps_per_epoch,
                  callbacks=[step_observer], verbose=0)
    if steps_per_epoch_test != "not_match_too_low":
        training_batch_count = epochs * min(steps_per_epoch, num_batches)
    else:
        complete_epochs = num_batches // steps_per_epoch
        remaining_steps = num_batches % steps_per_epoch
        steps_cycles = [complete_epochs * steps_per_epoch, remaining_steps] * epochs
        steps_per_epochs = steps_cycles[:epochs]
        training_batch_count = sum(steps_per_epochs)
    assert step_observer.begin_count == training_batch_count
    assert step_observer.end_count == step_observer.begin_count
    assert step_observer.epoch_begin_count == epochs
    assert step_observer.epoch_end_count == step_observer.epoch_begin_count

    if steps_per_epoch_test != "not_match_too_low":
        model_2 = example_model(units=1)
        model_2.compile(loss="mse", optimizer="sgd", metrics=[epoch_agnostic_mse()])
        step_observer_2 = StepObserver()
        if steps_per_epoch_test in ("not_match_but_high_enough", "match_one_epoch"):
            model_2_epochs = epochs
        elif steps_per_epoch_test == "match_multi_epoch":
            model_2_epochs = epochs // (num_batches // steps_per_epoch)
        else:
            model_2_epochs = 1
        model_2.fit(x=x, y=y, batch_size=batch_size, epochs=model_2_epochs,
                    callbacks=[step_observer_2], verbose=0)
        losses = step_observer.batch_loss_history
        losses_2 = step_observer_2.batch_loss_history
        assert_allclose(losses, losses_2)
        assert_allclose(model.module.weight.detach(), model_2.module.weight.detach())  # get_weights()
        assert_allclose(model.predict(x, batch_size=batch_size), model_2.predict(x, batch_size=batch_size))
        assert_allclose(model.evaluate(x, y, verbose=0), model_2.evaluate(x, y, verbose=0))


# TestTrainer.test_fit_with_different_batch_size_same_loss
def test_fit_with_different_batch_size_same_loss():
    x = np.random.rand(100, 4)
    y = np.ones((100, 1))
    model = example_model(units=1)
    model.module.requires_grad_(False)  # Keras: model.trainable = False
    model.compile(loss="mse")
    with warnings.catch_warnings():  # nothing trains: warned, as Keras does
        warnings.simplefilter("ignore")
        loss1 = model.fit(x, y, batch_size=80, verbose=0).history["loss"]
        loss2 = model.fit(x, y, batch_size=100, verbose=0).history["loss"]
    assert_allclose(loss1, loss2, rtol=1e-6)


# TestTrainer.test_evaluate_with_different_batch_size_same_loss
def test_evaluate_with_different_batch_size_same_loss():
    x = np.random.rand(100, 4)
    y = np.ones((100, 1))
    model = example_model(units=1)
    model.compile(loss="mse")
    loss1 = model.evaluate(x, y, batch_size=80, verbose=0)
    loss2 = model.evaluate(x, y, batch_size=100, verbose=0)
    assert_allclose(loss1, loss2, rtol=1e-6)


class TrainingTestingLayer(nn.Module):
    """Keras' TrainingTestingLayer: `call(x, training)` reads torch's `self.training`."""

    def forward(self, x):
        if self.training:
            return x
        return x * 0


# TestTrainer.test_training_arg
def test_training_arg():
    model = pq.Model(TrainingTestingLayer(), accelerator="cpu")
    model.compile(optimizer="rmsprop", loss="mse")
    x = np.ones((128, 1))
    y = np.zeros((128, 1))
    with warnings.catch_warnings():  # no weights: nothing to train, warned
        warnings.simplefilter("ignore")
        history = model.fit(x, y, batch_size=32, verbose=0)
    assert_allclose(history.history["loss"], [1.0])
    val_loss = model.evaluate(x, y, batch_size=32, verbose=0)
    assert_allclose(val_loss, 0.0)
    preds = model.predict(x)
    assert_allclose(preds, np.zeros((128, 1)))


# TestTrainer.test_recompile (Keras builds Dense on inputs of width 2)
def test_recompile():
    model = example_model(units=3, in_features=2)
    model.compile(optimizer="sgd", loss="mse", metrics=["mean_squared_error"])
    history_1 = model.fit(np.ones((3, 2)), np.ones((3, 3)), verbose=0).history
    eval_out_1 = model.evaluate(np.ones((3, 2)), np.ones((3, 3)), return_dict=True, verbose=0)
    model.compile(optimizer="sgd", loss="mse", metrics=["mean_absolute_error"])
    history_2 = model.fit(np.ones((3, 2)), np.ones((3, 3)), verbose=0).history
    eval_out_2 = model.evaluate(np.ones((3, 2)), np.ones((3, 3)), return_dict=True, verbose=0)
    assert sorted(history_1.keys()) == ["loss", "mean_squared_error"]
    assert sorted(eval_out_1.keys()) == ["loss", "mean_squared_error"]
    assert sorted(history_2.keys()) == ["loss", "mean_absolute_error"]
    assert sorted(eval_out_2.keys()) == ["loss", "mean_absolute_error"]


# TestTrainer.test_evaluate_return_list_respect_metrics_order
def test_evaluate_return_list_respect_metrics_order():
    def metrics_zero(y_true, y_pred):
        return 0.0

    def metrics_one(y_true, y_pred):
        return 1.0

    model = example_model(units=3, in_features=2)
    model.compile(optimizer="sgd", loss="mse", metrics=[metrics_zero, metrics_one])
    eval_out = model.evaluate(np.ones((3, 2)), np.ones((3, 3)), verbose=0)
    assert len(eval_out) == 3
    assert eval_out[1] == 0.0
    assert eval_out[2] == 1.0
    model.compile(optimizer="sgd", loss="mse", metrics=[metrics_one, metrics_zero])
    eval_out = model.evaluate(np.ones((3, 2)), np.ones((3, 3)), verbose=0)
    assert len(eval_out) == 3
    assert eval_out[1] == 1.0
    assert eval_out[2] == 0.0


# TestTrainer.test_nested_input_predict: not claimed (pratique's Model takes one input tensor);
# a tuple or list of arrays stops with a clear error (Keras' own accepted outcome below).
def test_nested_input_predict():
    class TupleInputModel(nn.Module):
        def forward(self, inputs):
            a, b = inputs
            return a + b

    model = pq.Model(TupleInputModel(), accelerator="cpu")
    x1, x2 = np.random.rand(2, 3, 4)
    for inputs in ((x1, x2), [x1, x2]):
        with pytest.raises(pq.PratiqueError, match="one array of inputs"):
            model.predict(inputs)  # not Keras' (3, 4): refused, never a stacked (2, 3, 4) input
    y = np.zeros(3, dtype="int64")
    with pytest.raises(pq.PratiqueError, match="one array of inputs"):
        pq.Model(nn.Linear(4, 2)).compile(loss="cross_entropy").fit([x1, x2], y, verbose=0)

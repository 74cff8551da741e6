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


# -- 15.2: an optimizer class or partial gets compile's lr and kwargs, as torch would ----------
def _net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def _one_step_torch(make_opt, x, y):
    net = _net()
    opt = make_opt(net.parameters())
    opt.zero_grad()
    nn.functional.cross_entropy(net(x), y).backward()
    opt.step()
    return opt, net


@pytest.mark.parametrize("optimizer, kwargs", [
    (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (torch.optim.SGD, {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    (__import__("functools").partial(torch.optim.SGD, momentum=0.9, nesterov=True), {"learning_rate": 0.1}),
])
def test_optimizer_class_or_partial_trains_as_plain_torch(optimizer, kwargs):
    x, y = make_data(32)
    ref_opt, ref_net = _one_step_torch(
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), x, y)
    model = pq.Model(_net(), accelerator="cpu").compile(optimizer=optimizer, metrics=[], **kwargs)
    strip = lambda groups: [{k: v for k, v in g.items() if k != "params"} for g in groups]
    assert strip(model.optimizer.param_groups) == strip(ref_opt.param_groups)
    model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    for a, b in zip(model.module.parameters(), ref_net.parameters()):
        torch.testing.assert_close(a, b)


def test_lr_and_learning_rate_disagreeing_is_refused():
    with pytest.raises(PratiqueError, match="lr=0.1 and learning_rate=0.01"):
        pq.Model(_net()).compile(optimizer="sgd", lr=0.1, learning_rate=0.01)


def test_partial_and_compile_disagreeing_is_refused():
    from functools import partial

    with pytest.raises(PratiqueError, match="momentum"):
        pq.Model(_net()).compile(optimizer=partial(torch.optim.SGD, momentum=0.9), lr=0.1, momentum=0.5)


def test_optimizer_instance_on_other_parameters_is_refused():
    other = _net(1)
    with pytest.raises(PratiqueError, match="built on other parameters"):
        pq.Model(_net()).compile(optimizer=torch.optim.SGD(other.parameters(), lr=0.1))
    net = _net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    assert pq.Model(net).compile(optimizer=opt).optimizer is opt
    with pytest.raises(PratiqueError, match="carries its own settings"):
        pq.Model(net).compile(optimizer=opt, lr=0.5)


# -- 14.9: models Keras trains ------------------------------------------------------------------
def test_fully_frozen_model_fits_with_a_warning(data):
    model = make_model()
    for p in model.module.parameters():
        p.requires_grad_(False)
    before = {k: v.clone() for k, v in model.module.state_dict().items()}
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        history = model.fit(*data, epochs=2, validation_data=data, verbose=0)
    assert len(history.history["loss"]) == 2 and history.history["loss"][0] == pytest.approx(
        history.history["val_loss"][0])  # nothing moved: train and val loss are the same numbers
    assert all(torch.equal(before[k], v) for k, v in model.module.state_dict().items())


def test_module_without_parameters_compiles_evaluates_predicts_and_fits(data):
    x, _ = data
    model = pq.Model(nn.Identity(), accelerator="cpu").compile(optimizer="sgd", loss="mse", metrics=[])
    assert model.optimizer is None
    xf = x[:, :3]
    expected = float(nn.functional.mse_loss(xf, xf * 0))
    assert model.evaluate(xf, xf * 0, verbose=0) == pytest.approx(expected)
    assert model.predict(xf).shape == (96, 3)
    with pytest.warns(UserWarning, match="trainable weights"):
        model.fit(xf, xf * 0, epochs=1, verbose=0)


# -- 14.5: the loop ----------------------------------------------------------------------------
class _Logs(Callback):
    def __init__(self):
        self.train, self.test, self.val_sizes = [], [], []

    def on_train_batch_end(self, batch, logs=None):
        self.train.append(dict(logs))

    def on_test_batch_end(self, batch, logs=None):
        self.test.append(dict(logs))
        self.val_sizes.append(logs["size"])


def test_batch_logs_hold_keras_floats_on_train_and_test_batches(data):
    x, y = data
    cb = _Logs()
    model = make_model(metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, batch_size=32, shuffle=False, validation_data=data,
                        callbacks=[cb], verbose=0)
    assert all(type(logs["loss"]) is float and type(logs["accuracy"]) is float for logs in cb.train)
    # Keras: the epoch's mean loss so far; the last batch's equals the epoch's loss
    assert cb.train[-1]["loss"] == pytest.approx(history.history["loss"][0])
    assert cb.train[-1]["accuracy"] == pytest.approx(history.history["accuracy"][0])
    assert type(cb.test[-1]["loss"]) is float
    assert cb.test[-1]["loss"] == pytest.approx(history.history["val_loss"][0])
    assert cb.test[-1]["accuracy"] == pytest.approx(history.history["val_accuracy"][0])


def test_validation_batch_size_defaults_to_batch_size(data):
    cb = _Logs()
    make_model().fit(*data, epochs=1, batch_size=32, validation_data=data, callbacks=[cb], verbose=0)
    assert cb.val_sizes == [32, 32, 32]
    cb = _Logs()
    make_model().fit(*data, epochs=1, batch_size=32, validation_data=data, callbacks=[cb], verbose=0,
                     validation_batch_size=48)
    assert cb.val_sizes == [48, 48]


def test_stop_evaluating_and_stop_predicting_are_honoured(data):
    x, y = data
    model = make_model()

    class StopEval(Callback):
        def on_test_batch_end(self, batch, logs=None):
            self.model.stop_evaluating = True

    class StopPredict(Callback):
        def on_predict_batch_end(self, batch, logs=None):
            self.model.stop_predicting = True

    first = model.evaluate(x[:32], y[:32], verbose=0)
    assert model.evaluate(x, y, batch_size=32, verbose=0, callbacks=[StopEval()]) == pytest.approx(first)
    assert model.predict(x, batch_size=32, callbacks=[StopPredict()]).shape == (32, 3)
    assert model.predict(x, batch_size=32).shape == (96, 3)  # reset at the next call


# -- 14.6: evaluate returns what Keras returns --------------------------------------------------
def test_evaluate_returns_loss_metrics_list_or_dict(data):
    x, y = data
    model = make_model(metrics=["accuracy"])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    test_loss, test_acc = model.evaluate(x, y, verbose=0)
    assert (test_loss, test_acc) == (logs["loss"], logs["accuracy"])
    assert list(logs) == ["loss", "accuracy"]
    assert make_model(metrics=[]).evaluate(x, y, verbose=0) == pytest.approx(logs["loss"])
    assert make_model(metrics=[]).evaluate(x, y, batch_size=32, verbose=0, steps=1) == pytest.approx(
        make_model(metrics=[]).evaluate(x[:32], y[:32], verbose=0))


# -- 15.15: steps_per_epoch, validation_steps, history["lr"], evaluate on any ImageData split ---
def test_steps_per_epoch_continues_through_the_data_as_keras_3(data):
    x, y = data
    seen = []
    spy = pq.callbacks.LambdaCallback(on_train_batch_begin=lambda b, logs: seen.append(b))
    firsts = []
    model = make_model()
    model.module.register_forward_pre_hook(lambda m, args: firsts.append(args[0][0, 0].item()))
    model.fit(x, y, epochs=3, batch_size=16, shuffle=False, steps_per_epoch=2, callbacks=[spy], verbose=0)
    assert seen == [0, 1] * 3
    # 6 batches of 16 in order: epochs take batches 0-1, 2-3, 4-5 (not 0-1 three times)
    assert firsts == pytest.approx([x[16 * i, 0].item() for i in range(6)])


def test_validation_steps_limits_validation_batches(data):
    cb = _Logs()
    history = make_model().fit(*data, epochs=1, batch_size=16, validation_data=data,
                               validation_steps=2, callbacks=[cb], verbose=0)
    assert len(cb.test) == 2
    assert history.history["val_loss"][0] == pytest.approx(cb.test[-1]["loss"])


def test_history_lr_is_learning_rate(data):
    history = make_model(lr=0.1).fit(*data, epochs=2, verbose=0,
                                      callbacks=[LearningRateScheduler(lambda e, lr: lr * 0.5)])
    assert history.history["lr"] == history.history["learning_rate"] == pytest.approx([0.05, 0.025])


def test_evaluate_any_split_of_an_image_data():
    x = torch.rand(40, 1, 8, 8)
    y = torch.arange(40) % 2
    data = pq.ImageData.from_numpy(x[:32], y[:32], validation_data=(x[32:], y[32:]), batch_size=8)
    model = pq.Model(nn.Sequential(nn.Flatten(), nn.Linear(64, 2)), accelerator="cpu").compile(
        metrics=["accuracy"])
    model.fit(data, epochs=1, verbose=0)
    train = model.evaluate(data, split="train", verbose=0, return_dict=True)
    plain = model.evaluate(x[:32], y[:32], verbose=0, return_dict=True)  # the model normalizes as data
    assert train == pytest.approx(plain)
    assert model.evaluate(data, split="val", verbose=0) == pytest.approx(model.evaluate(data, verbose=0))
    with pytest.raises(PratiqueError, match="no 'test' split"):
        model.evaluate(data, split="test", verbose=0)


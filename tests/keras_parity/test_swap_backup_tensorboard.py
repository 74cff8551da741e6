"""Ports of keras/src/callbacks/swap_ema_weights_test.py, backup_and_restore_test.py and the
profile / steps-per-second cases of tensorboard_test.py (keras-team/keras).
Keras' `model.evaluate(..., return_dict=True)` logs are read from on_test_end here (the same
dict), so these tests do not depend on evaluate's return value."""
import glob
import os

import numpy as np
import pytest
import torch
from keras_helpers import get_test_data, to_categorical
from torch import nn

import pratique as pq
from pratique import PratiqueError
from pratique.training.callbacks import (
    BackupAndRestore,
    Callback,
    LambdaCallback,
    ModelCheckpoint,
    SwapEMAWeights,
    TensorBoard,
)


@pytest.fixture(scope="module")
def ema_data():
    (x, y), _ = get_test_data(10, 10, (3,), 2, random_seed=2023)
    return x, to_categorical(y, 2)


def _ema_model(use_ema=True):
    """Dense(2, kernel_initializer="ones", use_bias=False), SGD(use_ema, ema_momentum=0.9)."""
    module = nn.Sequential(nn.Linear(3, 2, bias=False))
    nn.init.ones_(module[0].weight)
    return pq.Model(module, accelerator="cpu").compile(
        optimizer="sgd", lr=0.01, loss="mse", metrics=["mean_squared_error"],
        use_ema=use_ema, ema_momentum=0.9)


def _evaluate(model, x, y):
    seen = []
    model.evaluate(x, y, verbose=0, callbacks=[LambdaCallback(on_test_end=lambda logs: seen.append(dict(logs)))])
    return seen[-1]


# SwapEMAWeightsTest.test_swap_ema_weights_with_invalid_optimizer
def test_swap_ema_weights_with_invalid_optimizer(ema_data):
    with pytest.raises(ValueError, match="SwapEMAWeights must be used when `use_ema=True` is set"):
        _ema_model(use_ema=False).fit(*ema_data, epochs=2, verbose=0, callbacks=[SwapEMAWeights()],
                                      validation_data=ema_data)


# SwapEMAWeightsTest.test_swap_ema_weights
def test_swap_ema_weights(ema_data):
    model = _ema_model()
    history = model.fit(*ema_data, epochs=2, verbose=0, validation_data=ema_data)
    logs = _evaluate(model, *ema_data)
    assert history.history["val_mean_squared_error"][-1] != logs["mean_squared_error"]
    model = _ema_model()
    history = model.fit(*ema_data, epochs=2, verbose=0, callbacks=[SwapEMAWeights()], validation_data=ema_data)
    logs = _evaluate(model, *ema_data)
    assert history.history["val_mean_squared_error"][-1] == logs["mean_squared_error"]


# SwapEMAWeightsTest.test_swap_ema_weights_on_epoch
def test_swap_ema_weights_on_epoch(ema_data, tmp_path):
    model = _ema_model()
    model.fit(*ema_data, epochs=2, verbose=0, validation_data=ema_data, callbacks=[
        SwapEMAWeights(swap_on_epoch=True), ModelCheckpoint(os.path.join(tmp_path, "{epoch:1d}.pratique"))])
    model2 = pq.load(os.path.join(tmp_path, "2.pratique"), module=nn.Sequential(nn.Linear(3, 2, bias=False)))
    model2.compile(optimizer="sgd", loss="mse", metrics=["mean_squared_error"])
    assert _evaluate(model, *ema_data)["mean_squared_error"] == _evaluate(model2, *ema_data)["mean_squared_error"]


def test_optimizer_ema_matches_keras_formula(ema_data):
    """Keras' base_optimizer: the first step copies the weights, then m * avg + (1 - m) * w."""
    model = _ema_model()
    expected = None

    def track(batch, logs):
        nonlocal expected
        w = model.module[0].weight.detach().clone()
        expected = w if expected is None else 0.9 * expected + 0.1 * w
    model.fit(*ema_data, epochs=2, batch_size=4, verbose=0, callbacks=[LambdaCallback(on_train_batch_end=track)])
    torch.testing.assert_close(model.module[0].weight.detach(), expected)  # finalized at the end of fit


class InterruptingCallback(Callback):
    def __init__(self, steps_int, epoch_int):
        self.batch_count = self.epoch_count = 0
        self.steps_int, self.epoch_int = steps_int, epoch_int

    def on_epoch_end(self, epoch, log=None):
        self.epoch_count += 1
        if self.epoch_int is not None and self.epoch_count == self.epoch_int:
            raise RuntimeError("EpochInterruption")

    def on_batch_end(self, batch, logs=None):  # Keras' alias of on_train_batch_end
        self.batch_count += 1
        if self.steps_int is not None and self.batch_count == self.steps_int:
            raise RuntimeError("StepsInterruption")


class CanaryLayer(nn.Module):
    """Counts its forward calls in a non-trainable weight (a buffer: saved and restored)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("counter", torch.zeros(()))

    def forward(self, x):
        self.counter += 1
        return x


def make_model():
    module = nn.Sequential(CanaryLayer(), nn.Linear(3, 1))
    return pq.Model(module, accelerator="cpu").compile(loss="mse", optimizer="sgd", metrics=["mse"])


def _xy():
    return np.random.random((10, 3)).astype("float32"), np.random.random((10, 1)).astype("float32")


# BackupAndRestoreCallbackTest.test_save_freq_unknown_error
def test_save_freq_unknown_error():
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(backup_dir="backup_dir", save_freq="batch")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(backup_dir="backup_dir", save_freq=0.15)


# test_best_case_step (Keras' try/except passes when nothing raises: pytest.raises here)
def test_best_case_step(tmp_path):
    backup_dir = os.path.join(tmp_path, "subdir")
    model, cbk = make_model(), BackupAndRestore(backup_dir, save_freq=1)
    x_train, y_train = _xy()
    with pytest.raises(RuntimeError):
        model.fit(x_train, y_train, batch_size=4, epochs=2, verbose=0,
                  callbacks=[cbk, InterruptingCallback(steps_int=2, epoch_int=None)])
    assert os.path.exists(backup_dir)
    assert int(model.module[0].counter) == 2
    hist = model.fit(x_train, y_train, batch_size=4, callbacks=[cbk], epochs=5, verbose=0)
    assert hist.epoch[-1] == 4
    # Differs on purpose: Keras restarts the interrupted epoch from its first batch (2 + 5 * 3 =
    # 17 forwards); pratique resumes after the last backed-up batch, so the run is the one an
    # uninterrupted fit gives (2 + 13 = 15: every batch of the 5 epochs seen exactly once).
    assert int(model.module[0].counter) == 15


def _best_case_epoch(tmp_path, corrupt):
    backup_dir = os.path.join(tmp_path, "subdir")
    assert not os.path.exists(backup_dir)
    model, cbk = make_model(), BackupAndRestore(backup_dir=backup_dir, save_freq="epoch")
    assert int(model.module[0].counter) == 0
    x_train, y_train = _xy()
    with pytest.raises(RuntimeError, match="EpochInterruption"):
        model.fit(x_train, y_train, batch_size=4, epochs=6, verbose=0,
                  callbacks=[cbk, InterruptingCallback(steps_int=None, epoch_int=2)])
    assert os.path.exists(backup_dir)
    if corrupt:  # Keras' double_checkpoint=True: the previous backup is always kept here
        assert os.path.exists(cbk.resume_path + ".prev")
        with open(cbk.resume_path, "w") as f:
            f.write("0")
    hist = model.fit(x_train, y_train, batch_size=4, callbacks=[cbk], epochs=5, verbose=0)
    assert hist.epoch[-1] == 4
    return model


# test_best_case_epoch: the epoch whose on_epoch_end raised is not lost (issue 14 item 8)
def test_best_case_epoch_resumes_after_the_failing_epoch(tmp_path, capsys):
    _best_case_epoch(tmp_path, corrupt=False)
    out = capsys.readouterr().out
    assert "Resuming from" in out and ": epoch 3, after batch 0" in out  # not epoch 2


@pytest.mark.parametrize("corrupt", [False, True])  # test_best_case_epoch, test_backup_corrupted
def test_best_case_epoch_counter(tmp_path, corrupt):
    assert int(_best_case_epoch(tmp_path, corrupt).module[0].counter) == 5 * 3


# test_model_deleted_case_epoch: a normal end removes the backup directory
def test_model_deleted_case_epoch(tmp_path):
    backup_dir = os.path.join(tmp_path, "subdir")
    x_train, y_train = _xy()
    make_model().fit(x_train, y_train, batch_size=4, callbacks=[BackupAndRestore(backup_dir, save_freq="epoch")],
                     epochs=2, verbose=0)
    assert not os.path.exists(backup_dir)


# test_backup_dir_empty_error / test_backup_dir_none_error
@pytest.mark.parametrize("backup_dir", ["", None])
def test_backup_dir_empty_error(backup_dir):
    with pytest.raises(ValueError, match="backup_dir"):
        BackupAndRestore(backup_dir=backup_dir, save_freq="epoch")


# TensorBoardTest.test_TensorBoard_global_step (steps per second; pratique's tag layout is
# epoch/<name> and batch/<name> instead of epoch_<name>) and test_TensorBoard_auto_trace
# (Keras' torch backend refuses profile_batch; here torch.profiler writes a trace)
def test_tensorboard_steps_per_second_and_profile(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    model = pq.Model(nn.Sequential(nn.Flatten(), nn.Linear(100, 1)), accelerator="cpu").compile(
        "sgd", loss="mse", metrics=[])
    x, y = np.ones((10, 10, 10, 1), "float32"), np.ones((10, 1), "float32")
    model.fit(x, y, batch_size=2, epochs=2, verbose=0, callbacks=[TensorBoard(
        str(tmp_path), update_freq=1, profile_batch=1, write_steps_per_second=True, write_graph=False,
        write_images=False)])
    events = EventAccumulator(str(tmp_path)).Reload()
    tags = set(events.Tags()["scalars"])
    assert {"batch/loss", "epoch/loss/train", "epoch/learning_rate", "epoch/steps_per_second",
            "batch/steps_per_second"} <= tags
    assert len(glob.glob(os.path.join(tmp_path, "plugins", "profile", "*.pt.trace.json*"))) == 1


def test_tensorboard_profile_batch_is_checked():
    with pytest.raises(PratiqueError, match="profile_batch"):
        TensorBoard("logs", profile_batch=(3, 1))

"""A NaN/inf loss never costs the last good checkpoint (BackupAndRestore, last.ckpt, the CLI)."""
import sys

import pytest
import torch
import torch.nn.functional as F

from pratique.training.callbacks import BackupAndRestore, LambdaCallback, TerminateOnNaN
from pratique.training.checkpoint import load_checkpoint
from pratique.training.interrupts import NonFiniteLoss
from pratique.training.resume import ResumeCheckpoint

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "training"))
from training_helpers import make_data, make_model, same, weights


def nan_at(call: int):
    """cross_entropy whose `call`-th call (from 0) and every later one return NaN."""
    calls = [0]

    def loss(out, y):
        calls[0] += 1
        value = F.cross_entropy(out, y)
        return value * float("nan") if calls[0] - 1 >= call else value
    return loss


def _after_each_epoch(model):
    seen = []
    return seen, LambdaCallback(on_epoch_end=lambda e, logs: seen.append(weights(model)))


def test_backup_is_kept_when_terminate_on_nan_stops_the_fit(tmp_path, capsys):
    model = make_model()
    model.loss_fn = nan_at(8)  # 6 batches an epoch: batch 3 of the second epoch
    seen, record = _after_each_epoch(model)
    model.fit(*make_data(), epochs=4, batch_size=16, verbose=0,
              callbacks=[TerminateOnNaN(), BackupAndRestore(tmp_path), record])
    assert "Epoch 2, batch 3: Invalid loss nan" in capsys.readouterr().out
    state = load_checkpoint(tmp_path / "latest.ckpt")  # not deleted
    assert state["epoch"] == 1  # the last complete, good epoch, not the cut-short one
    assert same(state["module"], seen[0])


def test_epoch_checkpoint_is_not_overwritten_by_a_nan_epoch(tmp_path, capsys):
    model = make_model()
    model.loss_fn = nan_at(8)  # no check: NaN reaches the weights in epoch 2
    seen, record = _after_each_epoch(model)
    hist = model.fit(*make_data(), epochs=3, batch_size=16, verbose=0,
                     callbacks=[record, ResumeCheckpoint(tmp_path / "last.ckpt")])
    assert len(hist.epoch) == 3 and not torch.isfinite(torch.tensor(hist.history["loss"][1]))
    state = load_checkpoint(tmp_path / "last.ckpt")
    assert state["epoch"] == 1 and same(state["module"], seen[0])
    assert "the last good one" in capsys.readouterr().err


def test_cli_train_stops_at_the_first_nan_and_keeps_last_ckpt(tmp_path, monkeypatch):
    from pratique.tasks import run

    build = run._build

    def with_nan(config, data):
        model = build(config, data)
        model.loss_fn = nan_at(20)  # mnist5k at batch 256: inside epoch 2 (validation counts too)
        return model
    monkeypatch.setattr(run, "_build", with_nan)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NonFiniteLoss, match=r"epoch 2, batch \d+.*last\.ckpt' was kept"):
        run.train(model="mlp", epochs=3, batch_size=256, schedule=None)
    state = load_checkpoint(tmp_path / "runs" / "train" / "last.ckpt")
    assert state["epoch"] == 1
    assert all(torch.isfinite(v).all() for v in state["module"].values())

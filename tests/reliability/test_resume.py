"""Exact resume: killed mid-epoch (SIGTERM) and resumed == never stopped, bit for bit on CPU."""
import os
import signal

import numpy as np
import pytest
import torch

from pratique import PratiqueError
from pratique.data.loaders import InMemoryBatches
from pratique.training.callbacks import Callback
from pratique.training.checkpoint import load_checkpoint
from pratique.training.interrupts import NonFiniteLoss, TrainingInterrupted
from pratique.training.resume import ResumeCheckpoint


class SignalAt(Callback):
    """Sends `signum` to this process after batch `batch` of (0-based) epoch `epoch`."""

    def __init__(self, epoch, batch, signum=signal.SIGTERM):
        self.at, self.signum = (epoch, batch), signum

    def on_train_batch_end(self, batch, logs=None):
        if (self.model.epoch, batch) == self.at:
            os.kill(os.getpid(), self.signum)


def _same_weights(a, b):
    return all(torch.equal(a[k], b[k]) for k in a) and a.keys() == b.keys()


@pytest.fixture(scope="module")
def reference(tiny, tmp_path_factory):
    run = tmp_path_factory.mktemp("ref")
    m = tiny.model()
    history = tiny.fit(m, str(run))
    return m.module.state_dict(), (run / "metrics.csv").read_text(), history.history


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_kill_mid_epoch_2_and_resume_is_identical(tiny, reference, tmp_path, signum):
    weights, csv, history = reference
    before = signal.getsignal(signum)
    with pytest.raises(TrainingInterrupted) as info:
        tiny.fit(tiny.model(), str(tmp_path), extra=[SignalAt(1, 4, signum)])
    assert signal.getsignal(signum) == before  # handlers are restored after fit
    ckpt = str(tmp_path / "last.ckpt")
    assert info.value.checkpoint == ckpt and f"--resume {ckpt}" in str(info.value)
    state = load_checkpoint(ckpt)
    assert (state["epoch"], state["batch"]) == (1, 5)
    assert len((tmp_path / "metrics.csv").read_text().splitlines()) == 2  # header + epoch 1

    m = tiny.model()
    resumed = tiny.fit(m, str(tmp_path), resume_from=ckpt)
    assert _same_weights(weights, m.module.state_dict())
    assert (tmp_path / "metrics.csv").read_text() == csv
    assert resumed.history == history
    assert os.path.exists(ckpt + ".resumed")  # the checkpoint resumed from is never deleted


def test_resume_from_epoch_boundary_drops_rows_written_after_it(tiny, reference, tmp_path):
    weights, csv, _ = reference
    tiny.fit(tiny.model(), str(tmp_path))  # 4 rows; last.ckpt.prev is the end of epoch 3
    prev = str(tmp_path / "last.ckpt.prev")
    assert load_checkpoint(prev, fallback=False)["epoch"] == 3
    m = tiny.model()
    tiny.fit(m, str(tmp_path), resume_from=prev)
    assert _same_weights(weights, m.module.state_dict())
    assert (tmp_path / "metrics.csv").read_text() == csv  # row 4 not duplicated


def test_resume_with_other_epochs_and_a_schedule_is_refused(tiny, tmp_path):
    tiny.fit(tiny.model(), str(tmp_path), epochs=2)
    with pytest.raises(PratiqueError, match="epochs=2"):
        tiny.fit(tiny.model(), str(tmp_path), epochs=3, resume_from=str(tmp_path / "last.ckpt"))


def test_every_n_batches_and_model_load_checkpoint(tiny, tmp_path):
    m = tiny.model()
    tiny.fit(m, str(tmp_path), epochs=1, save_freq=4)
    state = load_checkpoint(tmp_path / "last.ckpt")
    assert (state["epoch"], state["batch"]) == (1, 0)  # the epoch-end save comes last
    prev = load_checkpoint(str(tmp_path / "last.ckpt") + ".prev", fallback=False)
    assert (prev["epoch"], prev["batch"]) == (0, 8)  # batches 4 and 8 of 9
    assert set(state) >= {"module", "optimizer", "scheduler", "rng", "data", "callbacks", "classes"}
    fresh = tiny.model()
    fresh.load_checkpoint(tmp_path / "last.ckpt")
    assert _same_weights(m.module.state_dict(), fresh.module.state_dict()) and fresh.epoch == 1


def test_in_memory_batches_continue_the_same_order():
    x, y = torch.arange(20).float().view(20, 1), torch.arange(20)
    full = InMemoryBatches(x, y, batch_size=3, shuffle=True, seed=5)
    list(full)
    order = [yb.tolist() for _, yb in full]  # epoch 2
    part = InMemoryBatches(x, y, batch_size=3, shuffle=True, seed=5)
    list(part)
    it = iter(part)
    done = [next(it)[1].tolist() for _ in range(3)]
    state = part.state_dict()
    other = InMemoryBatches(x, y, batch_size=3, shuffle=True, seed=99)
    other.load_state_dict(state)
    rest = [yb.tolist() for _, yb in other]
    assert done + rest == order  # no batch replayed or skipped
    assert [yb.tolist() for _, yb in other] == [yb.tolist() for _, yb in full]  # epoch 3 too


def test_non_finite_loss_stops_before_the_update_and_keeps_checkpoint(tiny, tmp_path):
    m = tiny.model()
    tiny.fit(m, str(tmp_path), epochs=1)
    kept = (tmp_path / "last.ckpt").read_bytes()
    x, y = tiny.data()
    x[16 * 2 + 3] = np.nan  # inside batch 3 of the first epoch (no shuffle below)
    m.compile(optimizer="adam", lr=1e-2, terminate_on_nan=True)
    before = {k: v.clone() for k, v in m.module.state_dict().items()}
    seen = []

    class Count(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    cb = ResumeCheckpoint(tmp_path / "last.ckpt", save_freq=100)
    with pytest.raises(NonFiniteLoss, match=r"epoch 1, batch 3.*last.ckpt|epoch 1, batch 3"):
        m.fit(x, y, epochs=1, batch_size=16, shuffle=False, callbacks=[cb, Count()], verbose=0)
    assert seen == [0, 1]  # batch index 2 (the third) never reached its update
    assert (tmp_path / "last.ckpt").read_bytes() == kept
    assert not _same_weights(before, m.module.state_dict())  # batches 1-2 did update
    assert all(torch.isfinite(v).all() for v in m.module.state_dict().values())


def test_no_nan_check_by_default(tiny, monkeypatch):
    m = tiny.model()
    x, y = tiny.data()
    x[0] = np.nan
    calls = []
    real = torch.isfinite
    monkeypatch.setattr(torch, "isfinite", lambda t: calls.append(1) or real(t))
    hist = m.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)  # Keras' default: no check
    assert calls == []  # no per-batch test of the loss, so no host sync
    assert np.isnan(hist.history["loss"][0])  # the NaN went through, as in Keras
    assert not all(torch.isfinite(v).all() for v in m.module.state_dict().values())


def test_resume_with_another_architecture_is_refused(tiny, tmp_path):
    from torch import nn

    import pratique as pq

    tiny.fit(tiny.model(), str(tmp_path), epochs=1)
    other = pq.Model(nn.Sequential(nn.Flatten(), nn.Linear(64, 4))).compile()
    x, y = tiny.data()
    with pytest.raises(PratiqueError, match="missing keys"):
        other.fit(x, y, epochs=2, resume_from=tmp_path / "last.ckpt", verbose=0)


def test_save_freq_is_checked():
    with pytest.raises(PratiqueError, match="save_freq"):
        ResumeCheckpoint("x.ckpt", save_freq=0)


def test_checkpoint_from_a_newer_pratique_is_refused_plainly(tiny, tmp_path):
    from pratique.training.checkpoint import save_checkpoint

    m = tiny.model()
    tiny.fit(m, str(tmp_path), epochs=1)
    state = load_checkpoint(tmp_path / "last.ckpt")
    state["pratique_version"] = "99.0.0"
    save_checkpoint(state, tmp_path / "new.ckpt")
    x, y = tiny.data()
    with pytest.raises(PratiqueError, match=r"saved by pratique 99\.0\.0, newer than this .*Upgrade"):
        tiny.model().fit(x, y, epochs=2, resume_from=tmp_path / "new.ckpt", verbose=0)
    with pytest.raises(PratiqueError, match="newer"):
        m.load_checkpoint(tmp_path / "new.ckpt")

"""Exact resume on the streaming path: the order and the per-batch augmentation continue."""
import os
import signal

import numpy as np
import pytest
import torch

from pratique.data.loaders import Fetcher, StreamingBatches
from pratique.data.module import ImageData
from pratique.data.transforms import BatchPipeline, augment_spec
from pratique.training.callbacks import Callback


def _batches(seed, num_workers=0):
    ds = torch.utils.data.TensorDataset(torch.rand(22, 1, 6, 6, generator=torch.Generator().manual_seed(0)),
                                        torch.arange(22))
    pipe = BatchPipeline(augment_spec({"rotation_range": 30, "horizontal_flip": True}))
    return StreamingBatches(Fetcher(ds, "grayscale", (6, 6)), torch.arange(22), 4, shuffle=True,
                            seed=seed, batch_transform=pipe, num_workers=num_workers)


def _pairs(batches):
    return [(x, y.tolist()) for x, y in batches]


def _same(a, b):
    return len(a) == len(b) and all(torch.equal(xa, xb) and ya == yb for (xa, ya), (xb, yb) in zip(a, b))


@pytest.mark.parametrize("num_workers", [0, 2])
def test_streaming_batches_resume_mid_epoch_in_the_same_order(num_workers):
    full = _batches(5)
    epochs = [_pairs(full) for _ in range(3)]
    assert epochs[1][0][1] != epochs[0][0][1]  # each epoch its own order

    part = _batches(5, num_workers)
    _pairs(part)  # epoch 0
    it = iter(part)
    done = [next(it) for _ in range(2)]
    done = [(x, y.tolist()) for x, y in done]
    state = part.state_dict()
    assert state["position"] == 2  # batches handed out, not those the workers prefetched
    other = _batches(99)  # another seed: the state decides
    other.load_state_dict(state)
    rest = _pairs(other)
    assert _same(done + rest, epochs[1])  # no batch replayed or skipped, same augmentation
    assert other.state_dict()["position"] == 0
    assert _same(_pairs(other), epochs[2])  # the next epoch too


class SignalAt(Callback):
    """Sends SIGTERM after batch `batch` of (0-based) epoch `epoch`."""

    def __init__(self, epoch, batch):
        self.at = (epoch, batch)

    def on_train_batch_end(self, batch, logs=None):
        if (self.model.epoch, batch) == self.at:
            os.kill(os.getpid(), signal.SIGTERM)


def test_fit_on_streamed_files_resumes_mid_epoch_exactly(tmp_path, shapes_root):
    import pratique as pq
    from pratique.training.interrupts import TrainingInterrupted
    from pratique.training.resume import ResumeCheckpoint

    def fit(run, extra=(), resume_from=None):
        data = ImageData.from_folders(shapes_root, batch_size=4, memory_budget=0, num_workers=0,
                                      augment={"rotation_range": 20})
        assert isinstance(data.train_batches(), StreamingBatches)
        torch.manual_seed(0)
        module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(256, 3))
        m = pq.Model(module, accelerator="cpu").compile(optimizer="adam", lr=1e-2)
        m.fit(data, epochs=2, seed=1, verbose=0, resume_from=resume_from,
              callbacks=[*extra, ResumeCheckpoint(str(run / "last.ckpt"))])
        return m.module.state_dict()

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    reference = fit(tmp_path / "a")
    with pytest.raises(TrainingInterrupted):
        fit(tmp_path / "b", extra=[SignalAt(1, 2)])
    resumed = fit(tmp_path / "b", resume_from=str(tmp_path / "b" / "last.ckpt"))
    assert all(torch.equal(reference[k], resumed[k]) for k in reference)
    assert np.isfinite(resumed["1.weight"].numpy()).all()

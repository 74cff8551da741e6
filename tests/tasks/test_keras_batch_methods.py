"""Keras' train_on_batch / test_on_batch / predict_on_batch and load_weights, against plain torch."""
import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq


def _model():
    torch.manual_seed(0)
    return pq.Model(nn.Linear(4, 3)).compile(optimizer="sgd", lr=0.1, loss="cross_entropy",
                                             metrics=["accuracy"])


def test_train_on_batch_is_one_sgd_step_and_returns_the_batch_loss():
    g = np.random.default_rng(0)
    x, y = g.normal(size=(8, 4)).astype("float32"), np.arange(8) % 3
    model = _model()
    ref = nn.Linear(4, 3)
    ref.load_state_dict(model.module.state_dict())
    loss_ref = nn.functional.cross_entropy(ref(torch.from_numpy(x)), torch.from_numpy(y))
    loss_ref.backward()
    with torch.no_grad():
        for p in ref.parameters():
            p -= 0.1 * p.grad
    loss, acc = model.train_on_batch(x, y)
    assert loss == pytest.approx(loss_ref.item(), rel=1e-5) and 0 <= acc <= 1
    for a, b in zip(model.module.parameters(), ref.parameters()):
        torch.testing.assert_close(a, b)
    logs = model.test_on_batch(x, y, return_dict=True)
    expected = nn.functional.cross_entropy(ref(torch.from_numpy(x)), torch.from_numpy(y)).item()
    assert logs["loss"] == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(x), ref(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_load_weights_reads_save_weights_and_refuses_other_files(tmp_path):
    a, b = _model(), pq.Model(nn.Linear(4, 3))
    a.save_weights(tmp_path / "w.weights.h5")  # a Keras file name; the bytes are safetensors
    b.load_weights(tmp_path / "w.weights.h5")
    for p, q in zip(a.module.parameters(), b.module.parameters()):
        assert torch.equal(p, q)
    with pytest.raises(pq.PratiqueError, match="do not match the model"):
        pq.Model(nn.Linear(4, 2)).load_weights(tmp_path / "w.weights.h5")
    (tmp_path / "bad.bin").write_bytes(b"not weights")
    with pytest.raises(pq.PratiqueError, match="not a weights file"):
        b.load_weights(tmp_path / "bad.bin")

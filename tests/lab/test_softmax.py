import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pratique.lab import cross_entropy, entropy, log_softmax, nll_loss, softmax, softmax_naive
from pratique.lab.softmax import FLOAT32_EXP_LIMIT


def test_naive_overflows_in_float32_past_88_7():
    assert FLOAT32_EXP_LIMIT == pytest.approx(88.7228, abs=1e-4)
    assert np.isfinite(softmax_naive(np.float32([88.0, 0.0]))).all()
    assert np.isnan(softmax_naive(np.float32([89.0, 0.0]))).any()
    np.testing.assert_allclose(softmax(np.float32([89.0, 0.0])), [1.0, np.exp(-89.0)], rtol=1e-6)


def test_against_torch():
    logits = np.random.default_rng(0).normal(scale=50, size=(6, 5)).astype(np.float32)
    labels = np.array([0, 1, 2, 3, 4, 0])
    t = torch.from_numpy(logits)
    np.testing.assert_allclose(softmax(logits), torch.softmax(t, 1).numpy(), rtol=1e-5, atol=1e-30)
    np.testing.assert_allclose(log_softmax(logits), torch.log_softmax(t, 1).numpy(), rtol=1e-5)
    ours = nll_loss(log_softmax(logits), labels)
    assert ours == pytest.approx(F.cross_entropy(t, torch.from_numpy(labels)).item(), rel=1e-5)


def test_log_softmax_stays_finite_where_log_of_softmax_does_not():
    x = np.float32([1000.0, 0.0])
    with np.errstate(divide="ignore"):
        assert np.log(softmax(x))[1] == -np.inf
    assert log_softmax(x)[1] == -1000.0


def test_entropy_and_cross_entropy_by_hand():
    assert entropy([0.5, 0.5]) == 1.0 and entropy([0.25] * 4) == 2.0 and entropy([1, 0]) == 0.0
    assert entropy([0.5, 0.5], base=np.e) == pytest.approx(np.log(2))
    p, q = [0.5, 0.5], [0.25, 0.75]
    assert cross_entropy(p, q) == pytest.approx(-(0.5 * np.log2(0.25) + 0.5 * np.log2(0.75)))
    assert cross_entropy(p, q) > entropy(p)  # Gibbs' inequality

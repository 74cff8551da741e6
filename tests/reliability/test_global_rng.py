"""fit and predict never reseed torch's global generator: torch.manual_seed makes a fit without
`seed` reproducible, and predict (which needs no randomness) leaves the global stream alone."""
import numpy as np
import torch
from torch import nn

import pratique as pq


def _model():
    module = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    return pq.Model(module, accelerator="cpu").compile(optimizer="sgd", lr=0.1)


def _data():
    x = np.random.default_rng(0).standard_normal((64, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


def test_manual_seed_makes_a_fit_without_seed_reproducible():
    runs = []
    for _ in range(2):
        torch.manual_seed(0)  # the init, the shuffling and dropout all follow from it
        model = _model()
        hist = model.fit(*_data(), epochs=3, batch_size=8, verbose=0)
        runs.append((hist.history["loss"], torch.rand(3)))  # the global stream continues alike
    assert runs[0][0] == runs[1][0]
    assert torch.equal(runs[0][1], runs[1][1])


def test_predict_and_evaluate_leave_the_global_generator_untouched():
    model = _model()
    x, y = _data()
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    model.predict(x)
    model.evaluate(x, y, verbose=0)
    assert torch.equal(torch.random.get_rng_state(), state)

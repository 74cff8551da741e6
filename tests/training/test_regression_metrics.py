"""Regression metrics for forecasting: mae, rmse (root_mean_squared_error), mape (issue 19.3)."""
import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq
from pratique.training import metrics

RNG = np.random.default_rng(0)


def run(name, y_pred, y_true, cut=3):
    """Two uneven batches, as an epoch feeds them."""
    m = metrics.get(name)
    p, t = torch.as_tensor(y_pred), torch.as_tensor(y_true)
    m.update(p[:cut], t[:cut])
    m.update(p[cut:], t[cut:])
    return m.compute(), m.name


def test_regression_metrics_against_numpy():
    y = RNG.normal(size=(11, 4)).astype("float32")
    p = RNG.normal(size=(11, 4)).astype("float32")
    y[0, 0] = 0.0  # Keras divides by max(|y|, 1e-7), not by 0
    e = p.astype("float64") - y
    mape = 100 * np.mean(np.abs(e) / np.maximum(np.abs(y), 1e-7))
    assert run("mae", p, y) == (pytest.approx(np.mean(np.abs(e)), rel=1e-6), "mae")
    assert run("rmse", p, y) == (pytest.approx(np.sqrt(np.mean(e ** 2)), rel=1e-6), "rmse")
    assert run("root_mean_squared_error", p, y)[0] == pytest.approx(np.sqrt(np.mean(e ** 2)), rel=1e-6)
    assert run("mape", p, y) == (pytest.approx(mape, rel=1e-5), "mape")
    assert run("mean_absolute_percentage_error", p, y)[0] == pytest.approx(mape, rel=1e-5)


def test_rmse_is_the_root_of_the_epoch_mean_not_a_mean_of_batch_roots():
    p, y = np.array([[3.0], [0.0], [0.0], [0.0]], "float32"), np.zeros((4, 1), "float32")
    # batches [3] and [0, 0, 0]: epoch RMSE sqrt(9 / 4) = 1.5; a mean of batch RMSEs would give 1.5 / 2
    assert run("rmse", p, y, cut=1)[0] == pytest.approx(1.5)


def test_keras_documented_examples():
    # keras.metrics.RootMeanSquaredError and MeanAbsolutePercentageError docstrings
    y, p = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]
    assert run("root_mean_squared_error", p, y, cut=1)[0] == pytest.approx(0.5)
    assert run("mean_absolute_percentage_error", p, y, cut=1)[0] == pytest.approx(250000000.0)


def test_directions_and_compile_logs_them():
    for name in ("rmse", "root_mean_squared_error", "mape", "mean_absolute_percentage_error"):
        assert metrics.get(name).higher_is_better is False and name in metrics.list_metrics()
    x = RNG.normal(size=(40, 3)).astype("float32")
    y = (x @ np.array([[1.0], [2.0], [-1.0]], "float32") + 5).astype("float32")
    torch.manual_seed(0)
    model = pq.Model(nn.Linear(3, 1), accelerator="cpu").compile(loss="mse", metrics=["mae", "rmse", "mape"])
    hist = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    e = model.predict(x).astype("float64") - y
    assert set(hist.history) == {"loss", "mae", "rmse", "mape"}
    assert logs["rmse"] == pytest.approx(np.sqrt(np.mean(e ** 2)), rel=1e-5)
    assert logs["mape"] == pytest.approx(100 * np.mean(np.abs(e) / np.abs(y)), rel=1e-5)

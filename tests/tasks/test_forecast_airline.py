"""Must show (issue 19): the 12-month forecast of 1960 beats the seasonal-naive baseline's MAPE."""
import pytest
import torch

import pratique as pq

RECIPE = {"window": 24, "horizon": 12, "season": 12}  # the default recipe of docs/signals.md, 200 epochs


@pytest.fixture(autouse=True)
def one_thread():
    """A 24 -> 64 -> 12 MLP is fastest on one thread; two threads on a busy CPU spin (30x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def airline_scores(seed, **kwargs):
    (train, _), (test, _) = pq.datasets.load_data("airline")
    model = pq.Forecaster(**RECIPE, **kwargs, seed=seed, accelerator="cpu")
    model.fit(train, epochs=200, verbose=0, seed=seed)
    return model.evaluate(test, verbose=0)


def test_airline_1960_beats_seasonal_naive():
    logs = airline_scores(seed=0)
    assert logs["seasonal_naive_mape"] == pytest.approx(9.9875, abs=1e-3)  # 1959 repeated: 9.99%
    assert logs["mape"] < 0.75 * logs["seasonal_naive_mape"] and logs["mae"] < logs["seasonal_naive_mae"]


@pytest.mark.slow
@pytest.mark.parametrize("transform", [None, "log"])
def test_airline_beats_seasonal_naive_on_every_seed(transform):
    for seed in (0, 1, 2):
        logs = airline_scores(seed, transform=transform)
        assert logs["mape"] < 0.75 * logs["seasonal_naive_mape"], (seed, logs)
        assert logs["rmse"] < logs["seasonal_naive_rmse"] < logs["naive_rmse"], (seed, logs)

import numpy as np
import pytest

from pratique.core.errors import PratiqueError
from pratique.data.datasets import dataset_info, load_data
from pratique.data.windows import sliding_windows


def test_windows_match_a_python_loop():
    s = np.random.default_rng(0).normal(size=(3, 40)).astype(np.float32)
    x, y = sliding_windows(s, window=7, horizon=3, stride=4)
    starts = range(0, 40 - 7 - 3 + 1, 4)
    assert x.shape == (len(starts), 3, 7) and y.shape == (len(starts), 3, 3)
    for i, t in enumerate(starts):
        np.testing.assert_array_equal(x[i], s[:, t:t + 7])
        np.testing.assert_array_equal(y[i], s[:, t + 7:t + 10])


def test_one_channel_targets_are_flat_and_no_horizon_gives_no_targets():
    x, y = sliding_windows(np.arange(10.0), window=4, horizon=2, stride=2)
    assert x.shape == (3, 1, 4) and y.tolist() == [[4, 5], [6, 7], [8, 9]]
    x, y = sliding_windows(np.arange(10.0), window=10)
    assert x.shape == (1, 1, 10) and y is None


@pytest.mark.parametrize("kwargs, match", [({"window": 9, "horizon": 2}, "too short"),
                                           ({"window": 0}, "window must be"),
                                           ({"window": 3, "stride": 1.5}, "stride must be")])
def test_bad_windows_are_refused(kwargs, match):
    with pytest.raises(PratiqueError, match=match):
        sliding_windows(np.arange(10.0), **kwargs)


@pytest.mark.parametrize("name, shape, classes", [("gunpoint", (50, 1, 150), 2),
                                                  ("italypowerdemand", (67, 1, 24), 2),
                                                  ("basicmotions", (40, 6, 100), 4)])
def test_bundled_series_datasets(name, shape, classes):
    (x, y), (xt, yt) = load_data(name)
    assert x.shape == shape and x.dtype == np.float32 and xt.shape[1:] == shape[1:]
    assert sorted(set(y.tolist()) | set(yt.tolist())) == list(range(classes))
    assert len(dataset_info(name)["classes"]) == classes and dataset_info(name)["kind"] == "series"


def test_airline_holds_out_the_last_year_and_the_anomaly_signal_is_labelled():
    (train, months), (test, test_months) = load_data("airline")
    assert len(train) == 132 and len(test) == 12 and test_months[0] == "1960-01" and train[0] == 112
    (normal, _), (signal, labels) = load_data("internalbleeding16")
    assert len(normal) == 1200 and len(signal) == 7501
    assert np.flatnonzero(labels).tolist() == list(range(4187, 4199))

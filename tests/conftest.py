import numpy as np
import pytest


@pytest.fixture(scope="session")
def mnist5k():
    import pratique as pq

    return pq.datasets.load_data("mnist5k")


@pytest.fixture
def small_digits(mnist5k):
    """800 train / 200 test digits: enough to learn, small enough to be quick."""
    (x, y), (xt, yt) = mnist5k
    return (x[:800], y[:800]), (xt[:200], yt[:200])


@pytest.fixture
def rng():
    return np.random.default_rng(0)

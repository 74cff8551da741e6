import os

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


@pytest.fixture(scope="session", autouse=True)
def _image_cache_dir(tmp_path_factory):
    """Decoded-image caches go to a temp folder, never ~/.cache (subprocesses inherit it)."""
    old = os.environ.get("PRATIQUE_CACHE_DIR")
    os.environ["PRATIQUE_CACHE_DIR"] = str(tmp_path_factory.mktemp("image-cache"))
    yield
    if old is None:
        os.environ.pop("PRATIQUE_CACHE_DIR", None)
    else:
        os.environ["PRATIQUE_CACHE_DIR"] = old

import numpy as np

import pratique as pq


def test_load_data_shapes_dtypes_and_split(mnist5k):
    (x, y), (xt, yt) = mnist5k
    assert x.shape == (4000, 28, 28) and xt.shape == (1000, 28, 28)
    assert x.dtype == np.uint8 and xt.dtype == np.uint8
    assert y.dtype == np.uint8 and yt.dtype == np.uint8  # as keras.datasets.mnist.load_data()
    assert y.shape == (4000,) and yt.shape == (1000,)
    # stratified: 400 / 100 per class
    assert np.bincount(y, minlength=10).tolist() == [400] * 10
    assert np.bincount(yt, minlength=10).tolist() == [100] * 10


def test_split_is_fixed_disjoint_and_covers_the_file(mnist5k):
    (x, y), (xt, yt) = mnist5k
    (x2, _), (xt2, _) = pq.datasets.load_data("mnist5k")
    assert np.array_equal(x, x2) and np.array_equal(xt, xt2)
    train_keys = {im.tobytes() for im in x}
    test_keys = {im.tobytes() for im in xt}
    assert not train_keys & test_keys
    assert len(train_keys | test_keys) >= 4990  # MNIST has a few duplicate digits at most


def test_train_order_is_shuffled_not_sorted_by_class(mnist5k):
    (_, y), _ = mnist5k
    assert len(set(y[:50].tolist())) >= 8


def test_unknown_dataset_lists_valid_names():
    try:
        pq.datasets.load_data("mnist5")
    except pq.UnknownNameError as e:
        assert "mnist5k" in str(e) and "Did you mean" in str(e)
    else:
        raise AssertionError("expected UnknownNameError")

"""Rank-3 arrays with a Conv1d model are series (N, C, L); Keras' (N, L, C) is transposed, said once."""
import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq
from pratique import PratiqueError
from pratique.data import arrays
from pratique.models import create_model
from pratique.tasks._inputs import series_channels


def _series(n=48, length=50, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, channels, length)).astype("float32")
    y = (x[:, 0, : length // 2].mean(1) > 0).astype("int64")  # the first half's sign: learnable
    return x, y


def _fit(x, y, xv):
    model = pq.Model(create_model("fcn", num_classes=2, filters=(8, 8), kernels=(5, 3)))
    model.compile(optimizer="adam", lr=1e-2, metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, seed=0, validation_data=(xv, y))
    return history.history, model.evaluate(x, y, verbose=0), model.predict(xv)


def test_first_layer_tells_the_layout():
    assert series_channels(create_model("fcn", in_channels=6)) == 6
    assert series_channels(create_model("inceptiontime", in_channels=3)) == 3
    assert series_channels(create_model("lenet5")) is None  # images keep their handling
    assert series_channels(create_model("mlp")) is None  # flattens: (N, H, W) as before
    assert series_channels(nn.Sequential(nn.Flatten(), nn.Linear(4, 2), nn.Unflatten(1, (1, 2)),
                                         nn.Conv1d(1, 2, 1))) is None


def test_keras_layout_fits_the_same_as_pytorch_layout(capsys):
    arrays._TOLD.discard((50, 1))  # said once per process: an earlier test may have said it
    x, y = _series()
    torch.manual_seed(0)
    ref = _fit(x, y, x)
    torch.manual_seed(0)
    keras = _fit(np.ascontiguousarray(x.transpose(0, 2, 1)), y, np.ascontiguousarray(x.transpose(0, 2, 1)))
    assert keras[0] == ref[0]  # every epoch's loss, accuracy and validation figures
    assert keras[1] == ref[1]
    np.testing.assert_array_equal(keras[2], ref[2])
    said = [line for line in capsys.readouterr().out.splitlines() if "Keras'" in line]
    assert said == [("x of shape (N, 50, 1) is read as Keras' (samples, steps, channels) and "
                     "transposed to PyTorch's (N, 1, 50) for the model's Conv1d(in_channels=1).")]


def test_series_stay_series():
    x, y = _series(n=4, length=30, channels=6)
    xs, ys = arrays.as_tensors(x, y, series_channels=6)
    assert xs.shape == (4, 6, 30) and torch.equal(xs, torch.from_numpy(x)) and ys.dtype == torch.int64
    xk, _ = arrays.as_tensors(x.transpose(0, 2, 1), series_channels=6)
    assert torch.equal(xk, torch.from_numpy(x))
    flat, _ = arrays.as_tensors(x[:, 0], series_channels=1)  # (N, L): one channel added
    assert flat.shape == (4, 1, 30)
    image, _ = arrays.as_tensors(x[:, 0:3, 0:5])  # no Conv1d model: (N, H, W) images as before
    assert image.shape == (4, 1, 3, 5)


@pytest.mark.parametrize("shape, got", [((4, 3, 50), "neither axis 1 (3) nor axis 2 (50) is 1"),
                                        ((4, 1, 8, 8), "4 axes, not 3")])
def test_a_shape_matching_neither_layout_is_refused(shape, got):
    model = pq.Model(create_model("fcn", num_classes=2)).compile()
    with pytest.raises(PratiqueError, match="Conv1d\\(in_channels=1\\)") as info:
        model.fit(np.zeros(shape, "float32"), np.zeros(4, "int64"), verbose=0)
    assert got in str(info.value)
    with pytest.raises(PratiqueError, match="does not fit the model"):
        model.predict(np.zeros(shape, "float32"))


def test_series_summary_after_fit_shows_lengths():
    from pratique.models.registry import layout_safe
    from pratique.training import _layout

    x, y = _series(n=8, length=24)
    model = pq.Model(create_model("fcn", num_classes=2, filters=(4,), kernels=(3,))).compile()
    model.fit(x.transpose(0, 2, 1), y, verbose=0)
    assert model.input_shape == (1, 24)
    # a registry model, but channels-last is a 4-D layout: series batches stay as they are
    assert layout_safe(model.module) and not _layout.decided(model.module)
    assert model.module[0].weight.is_contiguous()
    text = str(model.summary(print_fn=lambda *_: None))
    assert "(None, 4, 24)" in text and "(None, 4)" in text


def test_adapt_normalization_refuses_series():
    model = pq.Model(create_model("fcn", num_classes=2, filters=(4,), kernels=(3,)))
    with pytest.raises(PratiqueError, match=r"statistics of images \(N, C, H, W\). Received an array "
                                            r"of shape \(4, 1, 30\)"):
        model.adapt_normalization(np.zeros((4, 1, 30), "float32"))

"""SeriesData through Model / ImageClassifier: fit, evaluate, save with its normalization, predict raw."""
import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq
from pratique.core.errors import PratiqueError
from pratique.data.datasets import load_data
from pratique.tasks._manifest_schema import check_manifest


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv1d(1, 4, 5, stride=2), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 73, 2))


@pytest.fixture(scope="module")
def fitted():
    data = pq.SeriesData.named("gunpoint", batch_size=10)
    model = pq.Model(_net()).compile(optimizer="adam", lr=1e-2, loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(data, epochs=6, verbose=0, seed=0)
    return data, model, history


def test_a_conv1d_model_fits_gunpoint_and_evaluates_on_its_test_split(fitted):
    data, model, history = fitted
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    _, acc = model.evaluate(data, verbose=0)
    (_, _), (xt, yt) = load_data("gunpoint")
    pred = model.predict(xt).argmax(1)  # raw arrays: normalized with the saved statistics
    assert acc == pytest.approx(float((pred == yt).mean())) and acc >= 0.7
    assert model.classes == ["gun", "point"] and model.input_shape == (1, 150)
    with pytest.raises(PratiqueError, match=r"fit\(SeriesData\) takes no y"):
        model.fit(data, yt)  # its labels are in the SeriesData


def test_save_load_then_predict_on_raw_arrays_gives_the_same_outputs(fitted, tmp_path):
    data, model, _ = fitted
    (_, _), (xt, _) = load_data("gunpoint")
    before = model.predict(xt)
    mean, std = data.preprocessing["mean"][0], data.preprocessing["std"][0]
    with torch.no_grad():  # the reference: the module on (x - mean) / std by hand
        ref = model.module(torch.from_numpy((xt - mean) / std).float()).numpy()
    np.testing.assert_allclose(before, ref, rtol=1e-4, atol=1e-4)
    model.save(tmp_path / "gp.pratique")
    loaded = pq.load(tmp_path / "gp.pratique", module=_net())
    assert loaded.preprocessing == data.preprocessing
    np.testing.assert_array_equal(loaded.predict(xt), before)
    with pytest.warns(UserWarning, match="Keras' layout"):
        keras = loaded.predict(xt.transpose(0, 2, 1))  # (N, 150, 1)
    np.testing.assert_array_equal(keras, before)
    np.testing.assert_array_equal(loaded.predict(xt[:, 0]), before)  # (N, L): one channel


def test_the_manifest_accepts_series_preprocessing_and_refuses_a_bad_one():
    pre = {"kind": "series", "input_shape": [6, 100_000], "normalize": "channel", "mean": [0.0] * 6, "std": [1.0] * 6}
    check_manifest("m.pratique", {"preprocessing": pre, "input_shape": [6, 100_000]})
    for bad in ({**pre, "normalize": "global"}, {**pre, "mean": None, "std": None}):
        with pytest.raises(PratiqueError, match="normalize"):
            check_manifest("m.pratique", {"preprocessing": bad})


def test_image_classifier_and_autoencoder_targets_take_series_data():
    (x, y), _ = load_data("italypowerdemand")  # (67, 1, 24)
    data = pq.SeriesData.from_numpy(x, y, augment="standard", batch_size=16)
    torch.manual_seed(0)
    clf = pq.ImageClassifier(nn.Sequential(nn.Conv1d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(88, 2)))
    history = clf.finetune(data, epochs=2, strategy="no_freeze", verbose=0)
    assert len(history.history["val_accuracy"]) == 2
    labels = clf.predict(x[:5], output="labels")
    assert set(labels) <= {"0", "1"}
    auto = pq.SeriesData.from_series(np.sin(np.arange(300) / 4), window=24, stride=4, batch_size=16)
    ae = pq.Model(nn.Conv1d(1, 1, 3, padding=1)).compile(loss="mse")
    ae.fit(auto, epochs=2, verbose=0)
    xv, yv = (torch.cat(t) for t in zip(*auto.val_batches()))
    assert torch.equal(xv, yv)  # the targets are the inputs
    with torch.no_grad():
        ref = float(nn.functional.mse_loss(ae.module(xv), yv))
    assert ae.evaluate(auto, verbose=0) == pytest.approx(ref, rel=1e-4)

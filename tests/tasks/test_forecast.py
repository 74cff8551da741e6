"""Forecaster: windows, scaling saved with the model, recursive forecasts, baselines (issue 19.3)."""
import json
import zipfile

import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq
from pratique.tasks import _forecast_prep as prep

MONTHS = np.arange(96)
SERIES = (100 + 2 * MONTHS) * (1 + 0.2 * np.sin(2 * np.pi * MONTHS / 12))  # trend x season, > 0


@pytest.fixture(scope="module")
def fitted():
    model = pq.Forecaster(window=12, horizon=4, season=12, transform="log", seed=0, accelerator="cpu")
    model.fit(SERIES, epochs=3, verbose=0, seed=0)
    return model


@pytest.mark.parametrize("transform, normalize", [(None, "window"), ("log", "window"),
                                                  ("log", "series"), (None, None)])
def test_scaling_inverts_exactly_and_matches_numpy(transform, normalize):
    cfg = {"transform": transform, "normalize": normalize, "window": 5, "horizon": 2}
    cfg["center"], cfg["scale"] = prep.adapt(SERIES, transform, normalize)
    z = np.log(SERIES) if transform == "log" else SERIES
    if normalize == "window":
        assert cfg["scale"] == pytest.approx(np.std(np.diff(z)))
    elif normalize == "series":
        assert (cfg["center"], cfg["scale"]) == (pytest.approx(z.mean()), pytest.approx(z.std()))
    x, y = SERIES[None, 10:15], SERIES[None, 15:17]
    xs, ys = prep.scale_windows(x, cfg, y)
    ref = z[14] if normalize == "window" else cfg["center"]
    assert xs.shape == (1, 1, 5) and np.allclose(ys[0], (z[15:17] - ref) / cfg["scale"], atol=1e-6)
    assert np.allclose(prep.unscale(ys, x, cfg), y, rtol=1e-5)  # the inverse gives the values back


def test_baselines_repeat_the_last_value_and_the_last_season():
    h = np.arange(30.0)
    b = prep.baselines(h, 15, season=12)
    assert b["naive"].tolist() == [29.0] * 15
    assert b["seasonal_naive"].tolist() == [18.0 + i % 12 for i in range(15)]  # y[t - 12k]
    assert set(prep.baselines(h, 3, season=None)) == {"naive"}


def test_forecast_predict_and_recursion_agree(fitted):
    one = fitted.forecast()
    assert one.shape == (4,) and np.allclose(one, fitted.predict(SERIES[None, -12:])[0])
    assert np.allclose(fitted.predict(SERIES[-12:].reshape(1, 1, 12)), one[None])  # Conv1d layout too
    long = fitted.forecast(10)  # beyond the horizon: fed back, 4 at a time
    assert np.allclose(long[:4], one)
    assert np.allclose(long[4:8], fitted.forecast(series=np.concatenate([SERIES, long[:4]])))
    assert np.allclose(fitted.forecast(series=SERIES[:50]), fitted.predict(SERIES[None, 38:50])[0])


def test_evaluate_scores_forecast_and_baselines_on_the_same_tail(fitted, capsys):
    test = SERIES[:6] * 1.5  # any held-out values
    logs = fitted.evaluate(test)
    pred, naive, seasonal = fitted.forecast(6), np.full(6, SERIES[-1]), SERIES[-12:-6]
    for prefix, p in (("", pred), ("naive_", naive), ("seasonal_naive_", seasonal)):
        e = p - test
        assert logs[prefix + "mae"] == pytest.approx(np.abs(e).mean())
        assert logs[prefix + "rmse"] == pytest.approx(np.sqrt((e ** 2).mean()))
        assert logs[prefix + "mape"] == pytest.approx(100 * np.mean(np.abs(e) / np.abs(test)))
    assert "seasonal_naive (season=12)" in capsys.readouterr().out


def test_save_load_forecasts_the_same_numbers(fitted, tmp_path):
    path = tmp_path / "airline.pratique"
    fitted.save(path)
    again = pq.load(path)
    assert isinstance(again, pq.Forecaster) and again.config == fitted.config
    assert np.array_equal(again.forecast(7), fitted.forecast(7))
    assert again.evaluate(SERIES[:5], verbose=0) == fitted.evaluate(SERIES[:5], verbose=0)
    with zipfile.ZipFile(path) as z:
        saved = json.loads(z.read("manifest.json"))["preprocessing"]["forecast"]
    assert saved["transform"] == "log" and saved["history"] == SERIES[-12:].tolist()


def test_custom_module_loads_with_module_and_sees_conv1d_windows(tmp_path):
    shapes = []

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.head = nn.Conv1d(1, 2, 3), nn.Linear(2 * 6, 3)

        def forward(self, x):
            shapes.append(tuple(x.shape[1:]))
            return self.head(self.conv(x).flatten(1))

    torch.manual_seed(0)
    model = pq.Forecaster(Net(), window=8, horizon=3, accelerator="cpu")
    model.fit(SERIES, epochs=1, verbose=0)
    model.save(tmp_path / "net.pratique")
    with pytest.raises(pq.PratiqueError, match="module=MyNet"):
        pq.load(tmp_path / "net.pratique")
    again = pq.load(tmp_path / "net.pratique", module=Net())
    assert np.array_equal(again.forecast(), model.forecast()) and set(shapes) == {(1, 8)}


def test_bad_inputs_fail_before_any_work():
    model = pq.Forecaster(window=12, horizon=4, transform="log", accelerator="cpu")
    with pytest.raises(pq.PratiqueError, match="fit first|call fit"):
        model.forecast()
    with pytest.raises(pq.PratiqueError, match="too short"):
        model.fit(SERIES[:10])
    with pytest.raises(pq.PratiqueError, match="values > 0"):
        model.fit(SERIES - 200)
    with pytest.raises(pq.PratiqueError, match="shape \\(L,\\)"):
        model.fit(np.stack([SERIES, SERIES]))
    with pytest.raises(pq.PratiqueError, match="one series"):
        model.fit(SERIES[:-4], SERIES[4:])
    with pytest.raises(pq.PratiqueError, match="NaN"):
        model.fit(np.where(MONTHS == 3, np.nan, SERIES))
    with pytest.raises(pq.PratiqueError, match="too short"):
        model.fit(SERIES, validation_data=SERIES[:10])
    assert model.config["scale"] is None and model.config["history"] is None  # nothing changed
    for bad in ({"model": "lstm"}, {"window": 0}, {"transform": "sqrt"}, {"normalize": "minmax"},
                {"hidden": (64, 0)}):
        with pytest.raises(pq.PratiqueError, match=next(iter(bad))):
            pq.Forecaster(**bad)


def test_a_tampered_forecast_manifest_is_refused(fitted, tmp_path):
    good = tmp_path / "good.pratique"
    fitted.save(good)
    with zipfile.ZipFile(good) as z:
        manifest, weights = json.loads(z.read("manifest.json")), z.read("weights.safetensors")
    manifest["preprocessing"]["forecast"]["scale"] = 0.0  # every forecast would be the last value
    bad = tmp_path / "bad.pratique"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("weights.safetensors", weights)
    with pytest.raises(pq.PratiqueError, match="scale"):
        pq.load(bad)


def test_validation_data_is_a_series_scaled_like_the_training_one_and_lr_find_works():
    model = pq.Forecaster("linear", window=12, horizon=4, seed=0, accelerator="cpu")
    hist = model.fit(SERIES[:60], epochs=2, verbose=0, validation_data=SERIES[44:])
    cfg = dict(model.config)
    pairs = np.lib.stride_tricks.sliding_window_view(SERIES[44:], 16)  # (N, window + horizon)
    e = model.predict(pairs[:, :12]) - pairs[:, 12:]  # in the series' units; the loss is scaled
    expected = np.mean((e / cfg["scale"]) ** 2)  # normalize="window": (p - ref) - (y - ref)
    assert hist.history["val_loss"][-1] == pytest.approx(expected, rel=1e-5)
    assert model.config == cfg and model.config["history"] == SERIES[48:60].tolist()  # not the val series
    split = model.fit(SERIES, epochs=1, verbose=0, validation_split=0.25).history
    assert "val_loss" in split and model.config["scale"] == cfg["scale"]  # kept from the first fit
    assert model.lr_find(SERIES, num_iter=5, plot=None).suggestion > 0
    with pytest.raises(pq.PratiqueError, match="evaluate"):
        model.test_on_batch(SERIES[None, :12], SERIES[None, 12:16])

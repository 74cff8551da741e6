"""SeriesData: constructors, layouts, normalization fitted on training data, padding and masks."""
import numpy as np
import pytest
import torch

from pratique.core.errors import PratiqueError
from pratique.data.datasets import load_data
from pratique.data.series import SeriesData


def _all(batches):
    xs, ys = zip(*batches)
    return torch.cat(xs), (None if ys[0] is None else torch.cat(ys))


def test_named_gunpoint_keeps_the_bundled_test_split_normalized_with_training_stats():
    (x, _), (xt, yt) = load_data("gunpoint")
    data = SeriesData.named("gunpoint", batch_size=16)
    assert data.classes == ["gun", "point"] and data.input_shape == (1, 150)
    assert len(data.splits["train"][0]) + len(data.splits["val"][0]) == len(x) == 50
    xb, yb = _all(data.eval_batches())  # the test split, in order
    assert xb.shape == (150, 1, 150) and xb.dtype == torch.float32
    mean, std = data.preprocessing["mean"][0], data.preprocessing["std"][0]
    np.testing.assert_allclose(xb.numpy(), (xt - mean) / std, rtol=1e-5, atol=1e-5)
    assert yb.tolist() == yt.tolist()


def test_keras_layout_gives_exactly_the_batches_of_ncl():
    (x, y), _ = load_data("basicmotions")  # (40, 6, 100)
    ncl = SeriesData.from_numpy(x, y, augment="standard", batch_size=8)
    with pytest.warns(UserWarning, match=r"Keras' layout: transposed to \(N, channels, length\)"):
        nlc = SeriesData.from_numpy(x.transpose(0, 2, 1), y, augment="standard", batch_size=8)
    for a, b in [(ncl.train_batches(), nlc.train_batches()), (ncl.val_batches(), nlc.val_batches())]:
        for (xa, ya), (xb, yb) in zip(a, b, strict=True):
            assert torch.equal(xa, xb) and torch.equal(ya, yb)
    one = x[:, :1]  # (N, 1, L) and (N, L) are the same one-channel series
    assert torch.equal(SeriesData.from_numpy(one, y).splits["train"][0],
                       SeriesData.from_numpy(one[:, 0], y).splits["train"][0])


def test_ambiguous_layouts_are_refused_and_layout_decides():
    x = np.random.default_rng(0).normal(size=(12, 10, 10)).astype(np.float32)
    y = np.arange(12) % 2
    with pytest.raises(PratiqueError, match="layout='ncl'.*layout='nlc'"):
        SeriesData.from_numpy(x, y)
    a = SeriesData.from_numpy(x, y, layout="nlc").splits["train"][0]
    b = SeriesData.from_numpy(x.transpose(0, 2, 1), y, layout="ncl").splits["train"][0]
    assert torch.equal(a, b)


def test_channel_statistics_come_from_the_training_split_only():
    rng = np.random.default_rng(0)
    x = (np.arange(20)[:, None, None] * 10.0 + rng.normal(size=(20, 2, 30))).astype(np.float32)
    x[:, 1] *= 3.0
    data = SeriesData.from_numpy(x, np.arange(20) % 2, val_split=0.25, test=(x + 100, np.arange(20) % 2))
    mean, std = (np.array(data.preprocessing[k]) for k in ("mean", "std"))
    raw_val = data.splits["val"][0].numpy() * std[:, None] + mean[:, None]
    val_rows = np.round(raw_val[:, 0].mean(-1) / 10).astype(int)  # row i: channel 0 near 10 i
    train = np.delete(x, val_rows, axis=0).astype(np.float64)
    assert len(set(val_rows)) == len(val_rows) == 4  # 2 of each class of 10
    np.testing.assert_allclose(mean, train.mean((0, 2)), rtol=1e-6)
    np.testing.assert_allclose(std, train.std((0, 2)), rtol=1e-6)
    assert abs(mean[0] - x.mean((0, 2))[0]) > 1  # all data would give another mean
    test = _all(data.test_batches())[0].numpy()
    np.testing.assert_allclose(test, (x + 100 - mean[:, None]) / std[:, None], rtol=1e-4, atol=1e-4)


def test_series_normalization_z_scores_each_series_and_channel():
    x = np.random.default_rng(1).normal(3.0, 2.0, size=(10, 3, 40)).astype(np.float32)
    data = SeriesData.from_numpy(x, np.arange(10) % 2, val_split=None, normalize="series")
    ref = (x - x.mean(-1, keepdims=True)) / x.std(-1, keepdims=True)
    np.testing.assert_allclose(data.splits["train"][0].numpy(), ref, rtol=1e-4, atol=1e-5)
    assert data.preprocessing["mean"] is None and data.preprocessing["normalize"] == "series"


def test_series_of_different_lengths_are_padded_with_a_mask():
    rng = np.random.default_rng(2)
    series = [rng.normal(size=(2, n)).astype(np.float32) for n in (5, 8, 6, 7)]
    data = SeriesData.from_numpy(series, [0, 1, 0, 1], val_split=None)
    x = data.splits["train"][0]
    assert x.shape == (4, 2, 8) and data.lengths["train"].tolist() == [5, 8, 6, 7]
    assert data.mask("train")[0].tolist() == [True] * 5 + [False] * 3
    assert (x[0, :, 5:] == 0).all()  # padding is 0 after normalization: the training mean
    valid = np.concatenate(series, axis=1).astype(np.float64)
    np.testing.assert_allclose(data.preprocessing["mean"], valid.mean(1), rtol=1e-6)
    with pytest.warns(UserWarning, match="Keras"):  # (L_i, C): the shared axis is the channels
        keras = SeriesData.from_numpy([s.T for s in series], [0, 1, 0, 1], val_split=None)
    assert torch.equal(keras.splits["train"][0], x)
    with pytest.raises(PratiqueError, match="different channel counts"):
        SeriesData.from_numpy([np.zeros((2, 5)), np.zeros((3, 7))], [0, 1], val_split=None)


def test_one_series_per_row_csv(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("label,t0,t1,t2,t3\nup,1,2,3,4\ndown,4,3,,\nup,0,1,2,\ndown,9,8,7,6\n")
    data = SeriesData.from_csv(path, label_column="label", val_split=None, normalize=None)
    assert data.classes == ["down", "up"] and data.lengths["train"].tolist() == [4, 2, 3, 4]
    assert data.splits["train"][0][1, 0].tolist() == [4, 3, 0, 0] and data.splits["train"][1].tolist() == [1, 0, 1, 0]
    path.write_text("1,0.5,0.25\n2,0.5,oops\n")
    with pytest.raises(PratiqueError, match=r"train.csv' line 2, column 3: 'oops' is not a number"):
        SeriesData.from_csv(path)


def test_one_file_per_series_in_class_folders(tmp_path):
    rng = np.random.default_rng(3)
    arrays = {}
    for c in ("walk", "run"):
        (tmp_path / c).mkdir()
        for i in range(3):
            a = rng.normal(size=(20 + i, 3)).round(4)  # rows: time steps, columns: channels
            arrays[(c, i)] = a
            np.savetxt(tmp_path / c / f"{i}.csv", a, delimiter=",", header="ax,ay,az", comments="")
    data = SeriesData.from_folders(tmp_path, val_split=None, normalize=None)
    assert data.classes == ["run", "walk"] and data.input_shape == (3, 22)
    np.testing.assert_allclose(data.splits["train"][0][0, :, :20].numpy(), arrays[("run", 0)].T, rtol=1e-6)
    (tmp_path / "run" / "1.csv").write_text("ax,ay,az\n1,2,3\n4,5\n")
    with pytest.raises(PratiqueError, match=r"1.csv' line 3: 2 columns, expected 3"):
        SeriesData.from_csv(tmp_path)


def test_sliding_windows_split_in_time_with_raw_targets():
    s = np.arange(100, dtype=np.float32)
    data = SeriesData.from_series(s, window=10, horizon=3, val_split=0.2)
    mean, std = data.preprocessing["mean"][0], data.preprocessing["std"][0]
    assert np.isclose(mean, s[:80].mean()) and np.isclose(std, s[:80].std())  # the training part only
    xv, yv = _all(data.val_batches())
    assert yv.min() >= 80 and yv.shape[1] == 3 and data.target == "values"  # targets after the cut, raw
    np.testing.assert_allclose(xv[:, 0].numpy() * std + mean, yv.numpy()[:, :1] - np.arange(10, 0, -1), atol=1e-4)
    auto = SeriesData.from_series(s, window=10, stride=5)
    for xb, yb in auto.train_batches():
        assert torch.equal(xb, yb)  # no horizon: the targets are the inputs
    with pytest.raises(PratiqueError, match="normalize='series'"):
        SeriesData.from_series(s, window=10, horizon=2, normalize="series")


@pytest.mark.parametrize("kwargs, match", [({"normalise": "channel"}, "Did you mean 'normalize'"),
                                           ({"normalize": "global"}, "normalize must be"),
                                           ({"augment": "jitterr"}, "Did you mean 'jitter'"),
                                           ({"val_split": 1.5}, "val_split must be")])
def test_bad_options_are_refused_before_any_work(kwargs, match):
    with pytest.raises(PratiqueError, match=match):
        SeriesData.from_numpy(np.zeros((10, 1, 20), np.float32), np.arange(10) % 2, **kwargs)


def test_predict_side_layout_is_told_by_the_model_channels_or_by_layout():
    from pratique.data.preprocess import Preprocessing
    from pratique.data.series import series_for_prediction

    pre = {"kind": "series", "input_shape": [4, 50], "normalize": "series", "mean": None, "std": None}
    x = np.random.default_rng(4).normal(size=(3, 4, 4)).astype(np.float32)  # length = channels
    with pytest.raises(PratiqueError, match="series_for_prediction"):
        Preprocessing(pre).normalize(torch.from_numpy(x))
    with pytest.raises(PratiqueError, match="no axis has 4"):
        Preprocessing(pre).normalize(torch.zeros(3, 5, 50))
    ncl = series_for_prediction(x.transpose(0, 2, 1), pre, layout="nlc")
    ref = (x - x.mean(-1, keepdims=True)) / x.std(-1, keepdims=True)
    np.testing.assert_allclose(ncl.numpy(), ref, rtol=1e-4, atol=1e-5)

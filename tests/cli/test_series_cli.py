"""`pratique train / predict / export` on series, and `train --task autoencoder`."""
import json

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import pratique as pq
from pratique.cli.main import main
from pratique.data.series import series_for_prediction


@pytest.fixture(scope="module")
def gunpoint_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("series")
    main(["train", "--data", "gunpoint", "--epochs", "1", "--project", str(root / "runs")])
    return root / "runs" / "train"


def _exit_2(args, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2 and "Traceback" not in err, err
    return err


def test_predict_on_a_csv_of_series_matches_the_python_api(gunpoint_run, tmp_path, capsys):
    (_, _), (xt, yt) = pq.datasets.load_data("gunpoint")
    np.savetxt(tmp_path / "series.csv", np.c_[yt[:12], xt[:12, 0]], delimiter=",")  # UCR: label first
    main(["predict", str(gunpoint_run / "best.pratique"), str(tmp_path / "series.csv"),
          "--out", str(tmp_path / "preds.csv")])
    assert "first column is read as the label" in capsys.readouterr().out
    rows = (tmp_path / "preds.csv").read_text().splitlines()[1:]
    model = pq.load(gunpoint_run / "best.pratique")
    probs = torch.softmax(torch.as_tensor(model.predict(xt[:12])), 1).numpy()  # raw: saved normalization
    assert [r.split(",")[1] for r in rows] == [model.classes[i] for i in probs.argmax(1)]
    np.testing.assert_allclose([float(r.split(",")[2]) for r in rows], probs.max(1), atol=1e-5)


def test_onnx_export_of_a_1d_model_agrees_with_torch_on_real_series(gunpoint_run, capsys):
    main(["export", str(gunpoint_run / "best.pratique"), "--format", "onnx"])
    from pratique.tasks._runners import open_runner

    (_, _), (xt, _) = pq.datasets.load_data("gunpoint")
    model = pq.load(gunpoint_run / "best.pratique")
    runner = open_runner(str(gunpoint_run / "best.onnx"))
    got = runner(runner.preprocess.series(torch.from_numpy(xt), layout="ncl"))  # the runner's own path
    with torch.no_grad():
        ref = model.module.eval()(series_for_prediction(xt, model.preprocessing)).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)


def test_an_image_model_on_series_is_a_usage_error_naming_the_1d_models(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    err = _exit_2(["train", "--data", "gunpoint", "--model", "resnet18"], capsys)
    assert "fcn" in err and "resnet1d" in err and "inceptiontime" in err
    assert "--task autoencoder" in _exit_2(["train", "--data", "mnist5k", "--normal", "1"], capsys)
    assert "--normal" in _exit_2(["train", "--task", "autoencoder", "--data", "mnist5k"], capsys)
    assert not (tmp_path / "runs").exists()


def test_train_on_a_csv_of_series_one_per_row(tmp_path, monkeypatch):
    (x, y), _ = pq.datasets.load_data("italypowerdemand")
    np.savetxt(tmp_path / "power.csv", np.c_[y, x[:, 0]], delimiter=",")
    monkeypatch.chdir(tmp_path)
    main(["train", "--data", "power.csv", "--model", "cnn1d", "--epochs", "1"])
    report = json.loads((tmp_path / "runs/train/report.json").read_text())
    assert 5 <= report["num_samples"] <= 8 and len(report["confusion_matrix"]) == 2  # the 10% val split


def test_autoencoder_on_one_digit_reports_the_roc_auc_of_its_scores(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    main(["train", "--task", "autoencoder", "--data", "mnist5k", "--normal", "1", "--epochs", "1"])
    run = tmp_path / "runs/train"
    report = json.loads((run / "report.json").read_text())
    (x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
    model = pq.load(run / "best.pratique")  # one epoch: the best is the last
    assert report["auc"] == pytest.approx(roc_auc_score(yt != 1, pq.anomaly.score(model, xt)), abs=1e-6)
    assert report["threshold"] == pytest.approx(np.quantile(pq.anomaly.score(model, x[y == 1]), 0.99), rel=1e-5)
    assert report["auc"] > 0.6  # one epoch: better than chance (50 epochs reach 0.95, tests/tasks)
    for name in ("roc.png", "reconstructions.png", "metrics.csv", "config.yaml"):
        assert (run / name).is_file(), name


@pytest.mark.slow
def test_autoencoder_on_internal_bleeding_finds_the_anomaly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main(["train", "--task", "autoencoder", "--data", "internalbleeding16"])
    report = json.loads((tmp_path / "runs/train/report.json").read_text())
    assert report["anomaly_start"] - 100 <= report["argmax"] <= report["anomaly_end"] + 100
    assert (tmp_path / "runs/train/signal_scores.png").is_file()

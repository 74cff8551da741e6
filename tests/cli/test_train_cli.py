import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import pratique
from pratique.cli.main import main


def run_cli(args, cwd):
    env = {**os.environ, "PYTHONPATH": str(Path(pratique.__file__).parents[1])}
    return subprocess.run([sys.executable, "-c", "from pratique.cli.main import main; main()", *args],
                          check=False, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def test_train_writes_the_run_directory_and_prints_held_out_accuracy(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main(["train", "--model", "mlp", "--epochs", "2", "--batch-size", "64"])
    out = capsys.readouterr().out
    acc = float(out.strip().splitlines()[-1].split("held-out accuracy:")[1])
    assert acc > 0.85
    run = tmp_path / "runs" / "train"
    for name in ["config.yaml", "metrics.csv", "best.pratique", "last.ckpt", "curves.png"]:
        assert (run / name).is_file(), name
    assert any(f.startswith("events.out.tfevents") for f in os.listdir(run))
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["model"] == "mlp" and config["epochs"] == 2
    rows = list(csv.DictReader((run / "metrics.csv").read_text().splitlines()))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert len(rows[0]["loss"]) > 8  # full float precision, not rounded
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run)).Reload()
    steps = [e.step for e in events.Scalars("batch/loss")]  # 3600 / 64 = 57 batches per epoch
    assert steps == [50, 100] or steps == [49, 99], steps


def test_second_run_goes_to_train2_and_same_seed_gives_identical_metrics(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        main(["train", "--model", "mlp", "--epochs", "1", "--seed", "3", "--batch-size", "256"])
    a = (tmp_path / "runs/train/metrics.csv").read_text()
    b = (tmp_path / "runs/train2/metrics.csv").read_text()
    assert a == b


@pytest.mark.parametrize("args, needle", [
    (["train", "--model", "lenet"], "lenet5"),
    (["train", "--data", "mnist5"], "mnist5k"),
    (["train", "--data", "mnist"], "Put these files here"),
    (["train", "--epohcs", "3"], "No such option"),
    (["summary", "lenet5", "--input-shape", "1,x,28"], "C,H,W"),
])
def test_usage_errors_exit_2_without_traceback(tmp_path, monkeypatch, capsys, args, needle):
    monkeypatch.chdir(tmp_path)  # in-process (a subprocess pays ~10 s of imports on a busy machine)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert needle in err
    assert "Traceback" not in err
    assert not (tmp_path / "runs").exists()


def test_debug_shows_the_traceback(tmp_path):
    result = run_cli(["--debug", "train", "--model", "lenet"], tmp_path)
    assert result.returncode == 2 and "Traceback" in result.stderr


def test_summary_command_prints_counts(tmp_path):
    result = run_cli(["summary", "lenet5", "--input-shape", "1,28,28"], tmp_path)
    assert result.returncode == 0
    assert "Total params: 61,706" in result.stdout


_DOWNLOADED = ("mnist", "fashion_mnist", "cifar10", "cifar100")  # files the user fetches


def _offline(name: str) -> bool:
    from pratique.core.errors import PratiqueError
    from pratique.data.datasets import load_data

    if name not in _DOWNLOADED:
        return False
    try:
        load_data(name)
    except PratiqueError:
        return True
    pytest.skip(f"{name} is on this machine: too big to train in a test")


_DATASETS = __import__("pratique.data.datasets", fromlist=["x"])
_ONE_SERIES = {"forecast": "pq.Forecaster", "anomaly": "--task autoencoder"}  # what each says to use


@pytest.mark.parametrize("name", _DATASETS.list_datasets())
def test_train_runs_on_every_listed_dataset(name, tmp_path, monkeypatch, capsys):
    """Every name `pratique datasets` lists trains (points via an mlp, series via fcn), or says
    how to get its files, or (one long series) names the command that uses it."""
    from pratique.data.datasets import dataset_info

    monkeypatch.chdir(tmp_path)
    kind = dataset_info(name)["kind"]
    if _offline(name) or kind in _ONE_SERIES:
        with pytest.raises(SystemExit) as info:
            main(["train", "--data", name, "--epochs", "1"])
        err = capsys.readouterr().err
        needle = _ONE_SERIES.get(kind, "Put these files here")
        assert info.value.code == 2 and needle in err and "Traceback" not in err, err
        assert not (tmp_path / "runs").exists()
        return
    main(["train", "--data", name, "--epochs", "1", "--batch-size", "256"])
    run = tmp_path / "runs" / "train"
    report = yaml.safe_load((run / "report.json").read_text())
    assert len(report["per_class"]) == len(dataset_info(name)["classes"] or report["classes"])
    model = {"points": "mlp", "series": "fcn"}.get(kind, "lenet5")
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["model"] == model and config["epochs"] == 1 and config["batch_size"] == 256
    assert (run / ("decision_regions.png" if kind == "points" else "top_losses.png")).is_file()

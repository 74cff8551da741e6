import csv
import json
from pathlib import Path

import pytest
import torch
import yaml

from pratique.cli.main import _COMMANDS, main
from pratique.tasks.run import resolve_data

TINY = ["--model", "mlp", "--epochs", "1", "--batch-size", "256"]


def exit_code(args, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("command", sorted(_COMMANDS))
def test_every_command_has_help_with_examples(command, capsys):
    main([command, "--help"])  # returns normally: a success
    out = capsys.readouterr().out
    assert f"Usage: pratique {command}" in out
    assert "Example" in out and "\n    pratique " in out  # an indented command line


def test_config_round_trip_repeats_the_run_in_a_new_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main(["train", *TINY, "--lr", "0.002", "--schedule", "none", "--seed", "4", "--name", "exp",
          "--exist-ok", "--accelerator", "cpu", "--devices", "1"])
    saved = yaml.safe_load(Path("runs/exp/config.yaml").read_text())
    assert saved["lr"] == 0.002 and saved["schedule"] is None and saved["devices"] == 1
    assert saved["exist_ok"] is False and saved["name"] == "exp" and saved["resume"] is None
    main(["train", "--config", "runs/exp/config.yaml"])
    assert Path("runs/exp2/config.yaml").read_text() == Path("runs/exp/config.yaml").read_text()
    assert Path("runs/exp2/metrics.csv").read_text() == Path("runs/exp/metrics.csv").read_text()
    main(["train", "--config", "runs/exp/config.yaml", "--epochs", "2"])  # flags override the file
    again = yaml.safe_load(Path("runs/exp3/config.yaml").read_text())
    assert again["epochs"] == 2 and again["lr"] == 0.002 and again["model"] == "mlp"


def test_resume_continues_from_the_saved_epoch(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    main(["train", *TINY, "--schedule", "none", "--name", "r"])  # a constant LR may be extended
    main(["train", "--resume", "runs/r/last.ckpt", "--epochs", "2"])  # model etc. from runs/r/config.yaml
    assert not (tmp_path / "runs/r2").exists()
    state = torch.load("runs/r/last.ckpt", weights_only=True)
    assert state["epoch"] == 2
    rows = list(csv.DictReader(Path("runs/r/metrics.csv").read_text().splitlines()))
    assert rows[-1]["epoch"] == "1"
    assert yaml.safe_load(Path("runs/r/config.yaml").read_text())["epochs"] == 2
    capsys.readouterr()
    main(["train", "--resume", "runs/r/last.ckpt"])  # finished: completes the report, exits 0
    assert "nothing left to train" in capsys.readouterr().out
    code, err = exit_code(["train", "--resume", "runs/r/last.ckpt", "--epochs", "1"], capsys)
    assert code == 2 and "already trained 2 epochs" in err


@pytest.mark.parametrize("text, needle", [
    ("epohcs: 3\n", "Did you mean 'epochs'"),
    ("epochs: three\n", "'epochs' must be int"),
    ("- a list\n", "mapping"),
])
def test_bad_config_files_exit_2(tmp_path, monkeypatch, capsys, text, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.yaml").write_text(text)
    code, err = exit_code(["train", "--config", "run.yaml"], capsys)
    assert code == 2 and needle in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists()


def test_yaml_exponent_floats_are_read_as_floats(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.yaml").write_text("model: mlp\nepochs: 1\nbatch_size: 256\nlr: 3e-3\n")
    main(["train", "--config", "run.yaml"])
    assert yaml.safe_load(Path("runs/train/config.yaml").read_text())["lr"] == 0.003


def test_evaluate_command_matches_model_evaluate(trained, tmp_path, capsys):
    import pratique as pq

    out = tmp_path / "metrics.json"
    main(["evaluate", str(trained["model"]), "--out", str(out)])
    screen = capsys.readouterr().out
    (_, _), (xt, yt) = pq.datasets.load_data("mnist5k")
    expected = trained["loaded"].compile().evaluate(xt, yt, verbose=0, return_dict=True)
    assert json.loads(out.read_text())["accuracy"] == pytest.approx(expected["accuracy"])
    assert f"accuracy     {expected['accuracy']:.4f}" in screen


def test_evaluate_report_writes_per_class_files(trained, tmp_path, capsys):
    report_dir = tmp_path / "val"
    main(["evaluate", str(trained["model"]), "--report", str(report_dir)])
    screen = capsys.readouterr().out
    report = json.loads((report_dir / "report.json").read_text())
    assert [r["class"] for r in report["per_class"]] == [str(i) for i in range(10)]
    assert sum(r["support"] for r in report["per_class"]) == 1000  # mnist5k's test split
    seven = report["per_class"][7]
    assert f"7                {seven['precision']:9.4f} {seven['recall']:9.4f}" in screen
    pair = report["most_confused"][0]
    assert f"{pair['true']} -> {pair['predicted']} ({pair['count']})" in screen
    assert "| 7 |" in (report_dir / "report.md").read_text()
    for name in ("confusion_matrix.csv", "confusion_matrix.png", "class_scores.png", "top_losses.png"):
        assert (report_dir / name).is_file(), name


def _pets(root: Path) -> list[tuple[str, str]]:
    """8 tiny PNGs in root/pets/<class>/ (red-ish cats, black dogs); returns (relative path, class)."""
    from PIL import Image

    rows = []
    for c in ("cat", "dog"):
        (root / "pets" / c).mkdir(parents=True)
        for i in range(4):
            Image.new("RGB", (8, 8), (40 * i, 200 if c == "cat" else 0, 0)).save(root / "pets" / c / f"{i}.png")
            rows.append((f"pets/{c}/{i}.png", c))
    return rows


def test_data_paths(tmp_path, monkeypatch, capsys):
    code, err = exit_code(["train", "--data", str(tmp_path / "pets"), *TINY], capsys)
    assert code == 2 and "no such file or folder" in err
    rows = _pets(tmp_path)
    data = resolve_data(str(tmp_path / "pets"), validation_split=0.25)
    assert data.num_classes == 2 and data.classes == ["cat", "dog"] and data.in_channels == 3
    (tmp_path / "pets.csv").write_text("path,label\n" + "".join(f"{p},{c}\n" for p, c in rows))
    (tmp_path / "pets.txt").write_text("".join(f"{p},{c}\n" for p, c in rows))
    monkeypatch.chdir(tmp_path)
    for spec, name in (("pets.csv", "csv"), ("pets.txt", "txt")):
        data = resolve_data(spec, validation_split=0.25)
        assert data.num_classes == 2 and data.classes == ["cat", "dog"] and data.in_channels == 3
        main(["train", "--data", spec, *TINY, "--validation-split", "0.25", "--name", name])
        report = json.loads((tmp_path / "runs" / name / "report.json").read_text())
        assert [r["class"] for r in report["per_class"]] == ["cat", "dog"]
    (tmp_path / "bad.txt").write_text("pets/cat/0.png\n")
    code, err = exit_code(["train", "--data", "bad.txt", *TINY], capsys)
    assert code == 2 and "bad.txt:1: expected `path,label`" in err


def test_finetune_and_lr_find(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PRATIQUE_DATA", str(tmp_path / "data"))  # where the frozen outputs are kept
    main(["finetune", *TINY, "--strategy", "no_freeze"])
    assert yaml.safe_load(Path("runs/finetune/config.yaml").read_text())["finetune_strategy"] == "no_freeze"
    timing = json.loads(Path("runs/finetune/report.json").read_text())["timing"]
    assert len(timing["epoch_seconds"]) == 1 and timing["images_per_second"][0] > 0
    assert "features_seconds" not in timing and "## Time" in Path("runs/finetune/report.md").read_text()
    main(["finetune", *TINY, "--strategy", "freeze"])
    assert "its outputs are computed once (4000 images)" in capsys.readouterr().out  # 3600 + 400 validation
    timing = json.loads(Path("runs/finetune2/report.json").read_text())["timing"]
    assert timing["features_images"] == 4000 and timing["features_cache_hit"] is False
    assert len(timing["epoch_seconds"]) == 1 and list((tmp_path / "data" / "features").glob("*.pt"))
    main(["lr-find", "--model", "mlp", "--batch-size", "256", "--plot", "lr.png"])
    assert "suggested lr:" in capsys.readouterr().out and (tmp_path / "lr.png").is_file()


def test_unknown_finetune_strategy_fails_before_any_run_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, err = exit_code(["finetune", *TINY, "--strategy", "nosuch"], capsys)
    assert code == 2 and "'nosuch' is not one of" in err and "freeze_unfreeze" in err
    assert not (tmp_path / "runs").exists()


def test_exit_codes_as_a_subprocess(tmp_path, run_cli):
    ok = run_cli(["datasets"], tmp_path)
    assert ok.returncode == 0 and "mnist5k" in ok.stdout
    (tmp_path / "run.yaml").write_text("modle: mlp\n")
    bad = run_cli(["train", "--config", "run.yaml"], tmp_path)
    assert bad.returncode == 2 and "Did you mean 'model'" in bad.stderr and "Traceback" not in bad.stderr


def test_predict_and_export_errors_exit_2_as_a_subprocess(trained, tmp_path, run_cli):
    missing = run_cli(["predict", str(trained["model"]), str(tmp_path / "photos")], tmp_path)
    assert missing.returncode == 2 and "No such file or folder" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad = run_cli(["export", str(trained["model"]), "--format", "tflite"], tmp_path)
    assert bad.returncode == 2 and "'onnx', 'torchscript'" in bad.stderr
    assert not list(tmp_path.iterdir())  # nothing written

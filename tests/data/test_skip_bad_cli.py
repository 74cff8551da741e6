import csv
import shutil
from pathlib import Path

import pytest

from pratique.cli.main import main


def test_train_skip_bad_writes_skipped_csv_in_the_run_directory(tmp_path, shapes_root, monkeypatch, capsys):
    data = tmp_path / "pets"
    shutil.copytree(shapes_root, data)
    bad = data / "circle" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):  # without the flag the bad file stops the run, before its directory
        main(["train", "--data", str(data), "--model", "mlp", "--epochs", "1"])
    assert "skip_bad" in capsys.readouterr().err and not (tmp_path / "runs").exists()
    main(["train", "--data", str(data), "--model", "mlp", "--epochs", "1", "--batch-size", "8", "--skip-bad",
          "--image-size", "28"])
    rows = list(csv.DictReader((tmp_path / "runs" / "train" / "skipped.csv").read_text().splitlines()))
    assert [r["path"] for r in rows] == [str(bad)]
    assert rows[0]["reason"] and str(bad) not in rows[0]["reason"]
    assert "skipped 1 unreadable files" in capsys.readouterr().out
    # the flag is part of the recipe: `pratique train --config runs/train/config.yaml` skips again
    assert "skip_bad: true" in (tmp_path / "runs" / "train" / "config.yaml").read_text()


def test_train_skip_bad_leaves_out_missing_files_of_a_csv_and_records_them(tmp_path, shapes_root, monkeypatch,
                                                                         capsys):
    images = sorted(Path(shapes_root).rglob("*.png"))
    table = tmp_path / "labels.csv"
    gone = tmp_path / "gone" / "nowhere.png"
    table.write_text("path,label\n" + "".join(f"{p},{p.parent.name}\n" for p in images)
                     + f"{gone},circle\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):  # without the flag the missing file stays a clear error
        main(["train", "--data", str(table), "--model", "mlp", "--epochs", "1"])
    err = capsys.readouterr().err
    assert "do not exist" in err and str(gone) in err and "--skip-bad" in err
    main(["train", "--data", str(table), "--model", "mlp", "--epochs", "1", "--batch-size", "8", "--skip-bad",
          "--image-size", "16"])
    rows = list(csv.DictReader((tmp_path / "runs" / "train" / "skipped.csv").read_text().splitlines()))
    assert rows == [{"path": str(gone), "reason": "file does not exist"}]


def test_from_files_skip_bad_drops_missing_files_and_keeps_the_rest(shapes_root, tmp_path):
    from pratique.data.module import ImageData

    images = sorted(str(p) for p in Path(shapes_root).rglob("*.png"))
    labels = [p.split("/")[-2] for p in images]
    gone = str(tmp_path / "nowhere.jpg")
    data = ImageData.from_files(images + [gone], labels + ["square"], skip_bad=True, image_size=16)
    assert data.skipped == [{"path": gone, "reason": "file does not exist"}]
    assert sum(len(ys) for _, ys in data.splits.values()) == len(images)

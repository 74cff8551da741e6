import csv
import shutil

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

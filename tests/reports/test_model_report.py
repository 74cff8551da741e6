import json
import os

import pytest
import torch

from pratique.reports.evaluation import evaluation_report
from pratique.tasks.run import train

from .conftest import tiny_model


def test_evaluate_with_report_writes_files_and_matches_predict(tmp_path, tiny_data):
    x, y = tiny_data
    model = tiny_model()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, seed=0)
    r = model.evaluate(x, y, verbose=0, report=tmp_path)
    ref = evaluation_report(y, torch.from_numpy(model.predict(x)).softmax(1), ["ant", "bee", "cow"])
    for a, b in zip(r["per_class"], ref["per_class"]):
        assert a["f1"] == pytest.approx(b["f1"]) and a["support"] == b["support"]
    assert r["confusion_matrix"] == ref["confusion_matrix"]
    assert r["accuracy"] == pytest.approx(model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"])
    assert "loss" in r
    for name in ["report.json", "report.md", "confusion_matrix.csv", "confusion_matrix.png",
                 "class_scores.png", "top_losses.png"]:
        assert os.path.getsize(tmp_path / name) > 0, name
    assert json.loads((tmp_path / "report.json").read_text())["classes"] == ["ant", "bee", "cow"]
    assert "bee" in model.evaluate(x, y, verbose=0, report=True)["classes"]  # True: no files


def test_train_leaves_pictures_and_report(tmp_path):
    result = train(model="mlp", epochs=1, batch_size=128, project=str(tmp_path), name="run")
    files = set(os.listdir(result["run_dir"]))
    assert {"curves.png", "confusion_matrix.png", "report.json", "report.md", "metrics.csv"} <= files
    assert any(f.startswith("events.out.tfevents") for f in files)
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["num_samples"] == 1000 and report["accuracy"] == pytest.approx(result["test"]["accuracy"])

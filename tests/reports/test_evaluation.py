import csv
import json
from pathlib import Path

import pytest
import torch
from torchmetrics.classification import (
    MulticlassAccuracy,
    MulticlassConfusionMatrix,
    MulticlassF1Score,
    MulticlassPrecision,
    MulticlassRecall,
)

from pratique import PratiqueError
from pratique.reports.evaluation import evaluation_report, write_report


def _onehot(pred, c):
    return torch.nn.functional.one_hot(torch.tensor(pred), c).float()


def test_hand_computed_three_classes():
    y = [0, 0, 0, 1, 1, 2]
    pred = [0, 0, 1, 1, 2, 2]
    r = evaluation_report(y, _onehot(pred, 3), ["cat", "dog", "fox"], top_k=(1, 2))
    assert r["accuracy"] == pytest.approx(4 / 6)
    cat, dog, fox = r["per_class"]
    # cat: tp 2, predicted 2, support 3; dog: tp 1, predicted 2, support 2; fox: tp 1, predicted 2, support 1
    assert (cat["precision"], cat["recall"]) == pytest.approx((1.0, 2 / 3))
    assert (dog["precision"], dog["recall"]) == pytest.approx((0.5, 0.5))
    assert (fox["precision"], fox["recall"]) == pytest.approx((0.5, 1.0))
    assert cat["f1"] == pytest.approx(2 * 1 * (2 / 3) / (1 + 2 / 3))
    assert [c["support"] for c in r["per_class"]] == [3, 2, 1]
    assert r["macro_avg"]["precision"] == pytest.approx((1 + 0.5 + 0.5) / 3)
    assert r["weighted_avg"]["recall"] == pytest.approx((3 * 2 / 3 + 2 * 0.5 + 1 * 1) / 6)
    assert r["confusion_matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert r["most_confused"] == [{"true": "cat", "predicted": "dog", "count": 1},
                                  {"true": "dog", "predicted": "fox", "count": 1}]
    assert set(r["top_k_accuracy"]) == {"top_1", "top_2"}


def test_top_k_by_hand():
    probs = torch.tensor([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    r = evaluation_report([1, 1, 2], probs, top_k=(1, 2, 5))
    # sample 0: 1 is 2nd; sample 1: 1 is 2nd; sample 2: 2 is 3rd
    assert r["top_k_accuracy"] == pytest.approx({"top_1": 0.0, "top_2": 2 / 3})  # top_5 >= C left out


def test_matches_torchmetrics_on_random_data():
    g = torch.Generator().manual_seed(0)
    c, n = 7, 500
    y = torch.randint(0, c, (n,), generator=g)
    logits = torch.randn(n, c, generator=g) + 1.5 * torch.nn.functional.one_hot(y, c)
    y[:5] = 6  # an imbalanced class
    r = evaluation_report(y, logits.softmax(1), top_k=(1, 3))
    pc = r["per_class"]
    for key, cls in [("precision", MulticlassPrecision), ("recall", MulticlassRecall), ("f1", MulticlassF1Score)]:
        ref = cls(num_classes=c, average=None)(logits, y)
        assert torch.allclose(torch.tensor([p[key] for p in pc]), ref.double().float(), atol=1e-6)
        assert r["macro_avg"][key] == pytest.approx(float(cls(num_classes=c, average="macro")(logits, y)), abs=1e-6)
        assert r["weighted_avg"][key] == pytest.approx(
            float(cls(num_classes=c, average="weighted")(logits, y)), abs=1e-6)
    top3 = MulticlassAccuracy(num_classes=c, top_k=3, average="micro")(logits, y)
    assert r["top_k_accuracy"]["top_3"] == pytest.approx(float(top3), abs=1e-6)
    assert r["confusion_matrix"] == MulticlassConfusionMatrix(num_classes=c)(logits, y).tolist()


def test_no_prediction_of_a_class_gives_zero_precision():
    r = evaluation_report([0, 1], _onehot([0, 0], 2))
    assert r["per_class"][1]["precision"] == 0.0 and r["per_class"][1]["f1"] == 0.0


def test_bad_shapes_are_explained():
    with pytest.raises(PratiqueError, match="shape"):
        evaluation_report([0, 1, 1], torch.rand(2, 3))
    with pytest.raises(PratiqueError, match="classes"):
        evaluation_report([0, 1], torch.rand(2, 3), ["a", "b"])


def test_write_report_files(tmp_path):
    r = evaluation_report([0, 1, 1, 2], _onehot([0, 2, 1, 2], 3), ["ant", "bee", "cow"])
    paths = write_report(r, tmp_path / "out")
    assert json.loads(Path(paths["report.json"]).read_text()) == r
    rows = list(csv.reader(Path(paths["confusion_matrix.csv"]).read_text().splitlines()))
    assert rows[0][1:] == ["ant", "bee", "cow"] and rows[2] == ["bee", "0", "1", "1"]
    md = Path(paths["report.md"]).read_text()
    assert "| bee | 1.0000 | 0.5000 | 0.6667 | 2 |" in md
    assert "- bee -> cow: 1" in md and "macro avg" in md

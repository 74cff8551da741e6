import csv
import json

import numpy as np
import pytest
import torch

from pratique.cli.main import main
from pratique.data.preprocess import Preprocessing
from pratique.tasks.predict import iter_paths, predict_rows


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_preprocessing_load_matches_the_array_path(trained):
    model = trained["loaded"]
    x = Preprocessing(model.preprocessing, model.input_shape).load(trained["files"][3])
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32
    mean, std = model.preprocessing["mean"][0], model.preprocessing["std"][0]
    expected = (torch.from_numpy(trained["x"][3]).float() / 255 - mean) / std
    torch.testing.assert_close(x[0], expected)


def test_folder_predictions_equal_array_predictions_and_bad_file_is_a_row(trained):
    rows = list(predict_rows(trained["model"], trained["images"], top_k=3))
    assert len(rows) == 13  # 10 + 2 in sub/ + the broken file, walked recursively
    bad = [r for r in rows if r["error"]]
    assert [r["path"].endswith("broken.png") for r in bad] == [True] and "broken.png" in bad[0]["error"]
    good = {r["path"]: r for r in rows if not r["error"]}
    probs = softmax(trained["loaded"].predict(trained["x"]))
    for i, f in enumerate(trained["files"]):
        r = good[str(f)]
        assert r["label"] == str(probs[i].argmax())
        assert r["probability"] == pytest.approx(probs[i].max(), abs=1e-5)
        assert [lab for lab, _ in r["top_k"]] == [str(c) for c in np.argsort(-probs[i])[:3]]


def test_sources_glob_csv_and_list(trained):
    root = trained["root"]
    glob_paths = list(iter_paths(str(root / "images" / "**" / "*.png")))
    assert len(glob_paths) == 13
    assert list(iter_paths(root / "list.csv")) == [str(f) for f in trained["files"][:5]]
    assert list(iter_paths([trained["files"][0], trained["files"][1]])) == [str(f) for f in trained["files"][:2]]
    with pytest.raises(FileNotFoundError):
        list(iter_paths(root / "nothing_here"))


def test_tta_averages_the_flipped_image(trained):
    model = trained["loaded"]
    row = next(predict_rows(model, trained["files"][0], tta=True))
    x = torch.from_numpy(trained["x"][:1]).unsqueeze(1)
    p = (softmax(model.predict(x.numpy())) + softmax(model.predict(x.flip(-1).numpy()))) / 2
    assert row["probability"] == pytest.approx(p.max(), abs=1e-5)


def test_multi_label_uses_sigmoid_and_per_class_thresholds(trained):
    model = trained["loaded"]
    logits = model.predict(trained["x"][:1])[0]
    sig = 1 / (1 + np.exp(-logits))
    thresholds = [0.5] * 10
    thresholds[int(sig.argmin())] = 0.0  # this class is always on
    row = next(predict_rows(model, trained["files"][0], multi_label=True, threshold=thresholds))
    expected = sorted(str(c) for c in range(10) if sig[c] >= thresholds[c])
    assert sorted(row["label"]) == expected and str(int(sig.argmin())) in row["label"]


def test_classifier_predict_accepts_paths(trained):
    model = trained["loaded"]
    labels = model.predict([str(f) for f in trained["files"][:4]], output="labels")
    assert list(labels) == list(model.predict(trained["x"][:4], output="labels"))
    with pytest.raises(ValueError, match="broken.png"):
        model.predict(trained["images"], output="labels")


def test_predict_command_writes_csv_and_json(trained, tmp_path, capsys):
    out = tmp_path / "preds.csv"
    main(["predict", str(trained["model"]), str(trained["images"]), "--top-k", "2", "--out", str(out)])
    screen = capsys.readouterr().out
    assert "13 images, 1 unreadable" in screen
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert list(rows[0]) == ["path", "label", "probability", "top_k", "error"]
    assert len(rows) == 13 and sum(bool(r["error"]) for r in rows) == 1
    assert all(len(r["top_k"].split(";")) == 2 for r in rows if not r["error"])
    out_json = tmp_path / "preds.json"
    main(["predict", str(trained["model"]), str(trained["root"] / "list.csv"), "--out", str(out_json)])
    items = json.loads(out_json.read_text())
    assert [i["label"] for i in items] == [str(v) for v in trained["loaded"].predict(trained["x"][:5], output="labels")]


def test_predict_usage_errors_exit_2(trained, tmp_path, capsys):
    for args, needle in [
        ([str(trained["model"]), str(tmp_path / "missing")], "No such file or folder"),
        ([str(trained["model"]), str(trained["images"]), "--out", "p.txt"], ".csv or .json"),
        ([str(trained["model"]), str(trained["images"]), "--threshold", "half"], "probability"),
        ([str(tmp_path / "nope.pratique"), str(trained["images"])], "does not exist"),
        ([str(trained["model"]), str(trained["images"]), "--top_k", "3"], "Did you mean '--top-k'"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main(["predict", *args])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2, (args, err)
        assert needle in err and "Traceback" not in err

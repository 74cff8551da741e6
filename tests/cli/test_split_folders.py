"""`pratique train/finetune/evaluate` on the course's data/{train,val,test}/<class>/ folders, and
evaluate on a folder scoring every image in it."""
import shutil

import pytest
from PIL import Image

import pratique as pq
from pratique.cli.main import main
from pratique.tasks.run import evaluate

TINY = ["--model", "mlp", "--epochs", "1", "--batch-size", "32", "--accelerator", "cpu", "--devices", "1"]


@pytest.fixture(scope="module")
def split_root(tmp_path_factory):
    """mnist5k digits 0-2 as PNGs in data/{train,val,test}/<digit>/: 30, 8 and 10 per class."""
    root = tmp_path_factory.mktemp("split") / "data"
    (x, y), _ = pq.datasets.load_data("mnist5k")
    start = 0
    for split, n in (("train", 30), ("val", 8), ("test", 10)):
        for c in range(3):
            folder = root / split / str(c)
            folder.mkdir(parents=True)
            for i in [i for i in range(len(y)) if y[i] == c][start:start + n]:
                Image.fromarray(x[i]).save(folder / f"{i}.png")
        start += n
    return root


@pytest.mark.parametrize("command", ["train", "finetune"])
def test_train_on_train_val_test_folders(split_root, tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    main([command, "--data", str(split_root), *TINY, "--name", "course"])  # was "either val_split or ..."
    out = capsys.readouterr().out
    assert f"train: {split_root / 'train'}; val: {split_root / 'val'}; test: {split_root / 'test'}" in out
    metrics = (tmp_path / "runs/course/metrics.csv").read_text()
    assert "val_accuracy" in metrics
    report = (tmp_path / "runs/course/report.json").read_text()
    assert '"support": 10' in report  # the held-out score is test/: 10 images per class


def test_evaluate_scores_every_image_of_a_folder(split_root, trained, capsys):
    files = list((split_root / "test").rglob("*.png"))
    logs = evaluate(trained["model"], str(split_root / "test"), report=True)
    assert sum(row["support"] for row in logs["per_class"]) == len(files) == 30  # not a 10% slice
    assert f"evaluating on {split_root / 'test'}: 30 images" in capsys.readouterr().out


def test_evaluate_on_a_split_root_uses_test_then_val(split_root, trained, tmp_path, capsys):
    logs = evaluate(trained["model"], str(split_root), report=True)
    assert sum(row["support"] for row in logs["per_class"]) == 30
    out = capsys.readouterr().out
    said = [line for line in out.splitlines() if not line.startswith("decoding ")]  # the cache's note aside
    assert len(said) == 1 and f"the test split of {split_root}" in out  # says which, in one line
    no_test = tmp_path / "no_test"
    shutil.copytree(split_root / "train", no_test / "train")
    shutil.copytree(split_root / "val", no_test / "valid")
    logs = evaluate(trained["model"], str(no_test), report=True)
    assert sum(row["support"] for row in logs["per_class"]) == 24
    assert f"evaluating on {no_test / 'valid'}" in capsys.readouterr().out


def test_evaluate_uses_the_models_class_names_and_preprocessing(split_root, trained):
    model = trained["loaded"]
    logs = evaluate(model, str(split_root / "test"), report=True)
    # labels are mapped by name: folder "2" is class 2 of the model's 10, whatever folders exist
    assert [row["class"] for row in logs["per_class"]][:3] == ["0", "1", "2"]
    assert logs["accuracy"] > 0.5  # normalized with the model's own statistics, as in training

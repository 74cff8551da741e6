"""User errors stop before any work with a message that names the problem, and exit 2."""

import pytest
from PIL import Image

from pratique.cli.main import main


def _exit(args, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    return info.value.code, capsys.readouterr().err


def _images(folder, n=4):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.new("L", (8, 8), color=40 * i).save(folder / f"{i}.png")
    return [f"{i}.png" for i in range(n)]


def test_csv_rows_with_an_empty_label_are_refused_naming_the_lines(tmp_path, capsys):
    names = _images(tmp_path)
    (tmp_path / "labels.csv").write_text(
        f"path,label\n{names[0]},cat\n{names[1]},\n{names[2]},dog\n{names[3]},  \n")
    code, err = _exit(["train", "--data", str(tmp_path / "labels.csv"), "--model", "mlp",
                       "--epochs", "1", "--project", str(tmp_path / "runs")], capsys)
    assert code == 2
    assert "2 row(s) with an empty 'label': line(s) 3, 5" in err  # not a class named ''
    assert not (tmp_path / "runs").exists()


def test_image_size_beyond_reason_is_refused_up_front(tmp_path, capsys):
    code, err = _exit(["train", "--data", "mnist5k", "--image-size", "30000",
                       "--project", str(tmp_path / "runs")], capsys)
    assert code == 2 and "image_size must be 1..4096" in err and "30000" in err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("command", [["predict", "{model}", "{images}"], ["evaluate", "{model}"],
                                     ["export", "{model}"]])
def test_out_into_a_missing_folder_is_an_error(tmp_path, trained, command, capsys):
    model, images = str(trained["model"]), str(trained["images"])
    out = tmp_path / "no" / "such" / ("x.onnx" if command[0] == "export" else
                                      "x.json" if command[0] == "evaluate" else "x.csv")
    args = [a.format(model=model, images=images) for a in command] + ["--out", str(out)]
    code, err = _exit(args, capsys)
    assert code == 2 and "does not exist" in err and str(tmp_path / "no" / "such") in err
    assert not (tmp_path / "no").exists()  # no folder made


def test_a_folder_of_empty_class_folders_is_refused_plainly(tmp_path, capsys):
    for c in ("cat", "dog"):
        (tmp_path / "data" / c).mkdir(parents=True)
    (tmp_path / "data" / "cat" / "notes.txt").write_text("x")
    code, err = _exit(["train", "--data", str(tmp_path / "data"), "--model", "mlp", "--epochs", "1",
                       "--project", str(tmp_path / "runs")], capsys)
    assert code == 2  # was exit 1: "ValueError: need at least one array to concatenate"
    assert "class folders ['cat', 'dog'] but no image files" in err and "notes.txt" in err

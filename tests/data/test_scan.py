import json
import os
import shutil

import numpy as np
from PIL import Image

from pratique.cli.main import main
from pratique.data.scan import check_folder


def _kinds(report):
    return {i.kind: i for i in report.issues}


def test_clean_folder_has_no_issues(shapes_root):
    r = check_folder(shapes_root)
    assert r.ok and r.issues == [] and r.n_files == 24


def test_each_fault_is_reported_by_file(tmp_path, shapes_root):
    root = tmp_path / "d"
    shutil.copytree(shapes_root, root / "train")
    shutil.copytree(shapes_root, root / "test")
    c = root / "train" / "circle"
    (c / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\nxxxx")
    good = (c / "00001.png").read_bytes()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)).save(c / "big.png")
    big = (c / "big.png").read_bytes()
    (c / "truncated.png").write_bytes(big[: len(big) // 2])
    (c / "text.jpg").write_bytes(b"hello, I am text")
    (c / "lying.jpg").write_bytes(good)  # a PNG named .jpg
    (c / "notes.txt").write_text("x")
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(c / "tiny.png")  # also RGB: mixed modes
    (root / "train" / "empty").mkdir()
    (root / "train" / ".ipynb_checkpoints").mkdir()
    r = check_folder(root)
    k = _kinds(r)
    assert not r.ok
    bad = r.bad_files()
    assert str(c / "corrupt.png") in bad and str(c / "truncated.png") in bad and str(c / "text.jpg") in bad
    assert k["extension"].paths == [str(c / "lying.jpg")]
    assert k["non_image_file"].paths == [str(c / "notes.txt")]
    assert k["tiny"].paths == [str(c / "tiny.png")]
    assert "mixed_modes" in k and "empty_class" in k and "train/empty" in k["empty_class"].message
    assert ".ipynb_checkpoints" not in json.dumps(r.counts)
    assert len(k["leakage"].paths) == 24  # test is a copy of train


def test_single_class_and_imbalance(tmp_path, shapes_root):
    root = tmp_path / "one"
    shutil.copytree(os.path.join(shapes_root, "circle"), root / "circle")
    assert "single_class" in _kinds(check_folder(root))
    for i in range(50):
        shutil.copy(root / "circle" / "00000.png" if (root / "circle" / "00000.png").exists()
                    else next((root / "circle").iterdir()), root / "circle" / f"x{i}.png")
    (root / "sq").mkdir()
    shutil.copy(next((root / "circle").iterdir()), root / "sq" / "a.png")
    k = _kinds(check_folder(root))
    assert "imbalance" in k and "single_class" not in k


def test_cli_human_json_and_exit_codes(tmp_path, shapes_root, capsys):
    try:
        main(["check-data", str(shapes_root)])
    except SystemExit as e:
        assert e.code in (0, None)
    (tmp_path / "x").mkdir()
    shutil.copytree(shapes_root, tmp_path / "x" / "s")
    bad = tmp_path / "x" / "s" / "square" / "bad.png"
    bad.write_bytes(b"nope")
    capsys.readouterr()
    try:
        main(["check-data", str(tmp_path / "x" / "s"), "--json"])
        code = 0
    except SystemExit as e:
        code = e.code
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["ok"] is False and out["issues"][0]["paths"] == [str(bad)]


def test_val_and_test_classes_missing_from_train_are_errors_naming_the_folders(tmp_path, shapes_root):
    root = tmp_path / "d"
    shutil.copytree(shapes_root, root / "train")
    shutil.copytree(shapes_root, root / "valid")
    shutil.copytree(shapes_root, root / "test")
    os.rename(root / "valid" / "square", root / "valid" / "hexagon")
    shutil.copytree(root / "test" / "circle", root / "test" / "star")
    r = check_folder(root)
    issues = [i for i in r.issues if i.kind == "unknown_class"]
    assert not r.ok and len(issues) == 2
    assert issues[0].paths == [str(root / "valid" / "hexagon")] and "'hexagon'" in issues[0].message
    assert issues[1].paths == [str(root / "test" / "star")] and issues[1].message.startswith("test")
    assert r.counts["val"]["hexagon"] == 8  # still counted


def test_mixed_modes_lists_example_files_per_mode(tmp_path, shapes_root):
    root = tmp_path / "g"
    shutil.copytree(shapes_root, root)  # grayscale (L) PNGs
    f = root / "circle" / "colour.png"
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(f)
    issue = _kinds(check_folder(root))["mixed_modes"]
    gray = sorted(str(p) for p in (root / "circle").glob("0*.png"))[:3]
    assert f"L: {', '.join(gray)}" in issue.message and f"RGB: {f}" in issue.message
    assert sorted(issue.paths) == sorted(gray + [str(f)])

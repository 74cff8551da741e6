import pytest
from PIL import Image

from pratique.cli.main import main
from pratique.lab import list_demos, run_demo


@pytest.mark.parametrize("name", ["perceptron", "gradient-descent", "backprop", "broadcasting",
                                  "softmax", "convolution"])
def test_each_demo_writes_readable_pngs(name, tmp_path):
    paths = run_demo(name, tmp_path)
    pngs = [p for p in paths if p.suffix == ".png"]
    assert pngs and all(p.parent == tmp_path / name for p in paths)
    for p in pngs:
        with Image.open(p) as im:
            assert im.width > 200 and im.height > 200


def test_regions_demo_writes_legible_frames_gifs_and_sweeps(tmp_path):
    from pratique.lab.demos import regions

    paths = regions.run(tmp_path / "regions", steps=20, every=10, sweep_steps=20)  # tiny training
    names = {p.relative_to(tmp_path / "regions").as_posix() for p in paths}
    assert {"spiral/training.gif", "xor/frame_002.png", "spiral_regions.png", "width_sweep.png",
            "hinge_margins.png"} <= names
    for p in paths:
        with Image.open(p) as im:  # frames and pictures big enough to read their titles
            assert min(im.size) >= 300 and (im.width >= 450 or p.name == "width_sweep.png"), (p, im.size)
        if p.suffix == ".gif":
            with Image.open(p) as im:
                assert im.n_frames == 3  # steps 0, 10, 20


def test_cli_list_and_unknown_demo(capsys):
    with pytest.raises(SystemExit) as info:
        main(["lab", "regionz"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Unknown lab demo 'regionz'" in err and all(name in err for name in list_demos())
    main(["lab", "--list"])
    assert "gradient-descent" in capsys.readouterr().out


def test_cli_runs_a_demo(tmp_path, capsys):
    main(["lab", "softmax", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert (tmp_path / "softmax" / "softmax.png").exists()
    assert "wrote" in out and "88.72" in out  # the notes are echoed

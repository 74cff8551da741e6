"""`pratique explain` and `pratique attack`: PNGs written, a table printed, bad options exit 2.
In process (`main(argv)`, the console entry point): a subprocess per case costs an import each."""
import types

import pytest

from pratique.cli.main import main


@pytest.fixture
def run_cli(capsys):
    def run(args, cwd=None):
        try:
            main(args)
            code = 0
        except SystemExit as e:
            code = e.code
        out = capsys.readouterr()
        return types.SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return run


@pytest.fixture(scope="module")
def saved_cnn(tmp_path_factory):
    import torch
    from PIL import Image

    import pratique as pq

    root = tmp_path_factory.mktemp("explain_cli")
    model = pq.ImageClassifier("lenet5", seed=0)
    model.classes = [str(i) for i in range(10)]
    model.preprocessing.update(mean=[0.13], std=[0.31])
    model.save(root / "lenet.pratique")
    (_, _), (xt, _) = pq.datasets.load_data("mnist5k")
    Image.fromarray(xt[0]).save(root / "digit.png")
    torch.manual_seed(0)
    return root


def test_explain_writes_one_png_per_image(saved_cnn, run_cli, tmp_path):
    r = run_cli(["explain", str(saved_cnn / "lenet.pratique"), str(saved_cnn / "digit.png"),
                 "--methods", "saliency,gradcam", "--out", str(tmp_path)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "digit_explain.png").read_bytes()[:4] == b"\x89PNG"


def test_explain_unknown_method_exits_2_with_the_names(saved_cnn, run_cli, tmp_path):
    r = run_cli(["explain", str(saved_cnn / "lenet.pratique"), str(saved_cnn / "digit.png"),
                 "--methods", "saliency,lime"], cwd=tmp_path)
    assert r.returncode == 2 and "'lime'" in r.stderr and "integrated_gradients" in r.stderr


def test_explain_unknown_layer_exits_2_with_the_names(saved_cnn, run_cli, tmp_path):
    r = run_cli(["explain", str(saved_cnn / "lenet.pratique"), str(saved_cnn / "digit.png"),
                 "--methods", "gradcam", "--layer", "features.3", "--out", str(tmp_path / "o")], cwd=tmp_path)
    assert r.returncode == 2 and "Unknown layer 'features.3'" in r.stderr and "Expected one of: 0, 1" in r.stderr
    assert not (tmp_path / "o").exists()


def test_attack_prints_the_table_and_writes_the_png(saved_cnn, run_cli, tmp_path):
    r = run_cli(["attack", str(saved_cnn / "lenet.pratique"), "--eps", "0,0.1", "--method", "fgsm",
                 "--limit", "16", "--out", str(tmp_path)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    header, *rows = [line.split() for line in r.stdout.splitlines()[:3]]
    assert header == ["eps", "fgsm", "noise"] and [row[0] for row in rows] == ["0.000", "0.100"]
    assert (tmp_path / "adversarials.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("eps", ["1.5", "0.1,-0.1", "big"])
def test_attack_eps_outside_0_1_exits_2(saved_cnn, run_cli, tmp_path, eps):
    r = run_cli(["attack", str(saved_cnn / "lenet.pratique"), "--eps", eps], cwd=tmp_path)
    assert r.returncode == 2 and "[0, 1]" in r.stderr

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from pratique.cli.main import main
from pratique.tasks import export as export_mod
from pratique.tasks.predict import predict_rows


def test_onnx_export_has_dynamic_batch_and_metadata_and_matches_eager(trained, tmp_path, capsys):
    out = tmp_path / "digits.onnx"
    main(["export", str(trained["model"]), "--out", str(out)])
    assert "max abs diff vs eager" in capsys.readouterr().out
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    info = json.loads(meta["pratique"])
    model = trained["loaded"]
    assert info["classes"] == model.classes and info["input_shape"] == [1, 28, 28]
    assert info["preprocessing"]["mean"] == pytest.approx(model.preprocessing["mean"])
    assert json.loads(meta["preprocessing"])["std"] == pytest.approx(model.preprocessing["std"])
    x = torch.randn(7, 1, 28, 28)  # a batch size never seen at export
    got = ort.InferenceSession(str(out)).run(None, {"input": x.numpy()})[0]
    with torch.no_grad():
        ref = model.module.eval()(x).numpy()
    np.testing.assert_allclose(got, ref, atol=1e-4)


def test_baked_normalization_takes_scaled_pixels(trained, tmp_path):
    model = trained["loaded"]
    out = tmp_path / "baked.onnx"
    result = model.export(out, bake_normalization=True)
    assert result["max_abs_diff"] < 1e-4
    x = torch.from_numpy(trained["x"][:4]).float().unsqueeze(1) / 255
    got = ort.InferenceSession(str(out)).run(None, {"input": x.numpy()})[0]
    np.testing.assert_allclose(got, model.predict(trained["x"][:4]), atol=1e-4)


@pytest.mark.parametrize("fmt, suffix", [("onnx", ".onnx"), ("torchscript", ".torchscript")])
def test_predict_through_exported_model_equals_pratique(trained, tmp_path, fmt, suffix):
    out = tmp_path / f"m{suffix}"
    export_mod.export(trained["model"], out, fmt)
    ours = list(predict_rows(trained["model"], trained["images"], top_k=2))
    theirs = list(predict_rows(out, trained["images"], top_k=2, trust=True))
    assert [r["path"] for r in ours] == [r["path"] for r in theirs]
    for a, b in zip(ours, theirs):
        assert a["label"] == b["label"] and (a["error"] is None) == (b["error"] is None)
        if a["error"] is None:
            assert a["probability"] == pytest.approx(b["probability"], abs=1e-5)


def test_predict_command_runs_an_onnx_file(trained, tmp_path, capsys):
    out = tmp_path / "digits.onnx"
    export_mod.export(trained["model"], out)
    main(["predict", str(out), str(trained["files"][0]), str(trained["files"][1])])
    screen = capsys.readouterr().out
    labels = trained["loaded"].predict(trained["x"][:2], output="labels")
    assert "2 images, 0 unreadable" in screen
    assert all(f"d0{i}.png │ {labels[i]} " in screen for i in range(2))


def test_a_failed_check_exits_1(trained, tmp_path, monkeypatch, capsys):
    def disagree(*args):
        raise export_mod.ExportCheckError("The exported onnx model disagrees with the eager model")

    monkeypatch.setattr(export_mod, "_check", disagree)
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(trained["model"]), "--out", str(tmp_path / "m.onnx")])
    assert exit_info.value.code == 1
    assert "disagrees" in capsys.readouterr().err


def test_export_usage_errors_exit_2(trained, capsys):
    for args, needle in [(["--format", "tflite"], "'onnx', 'torchscript'"), (["--opset", "3"], "opset")]:
        with pytest.raises(SystemExit) as exit_info:
            main(["export", str(trained["model"]), *args])
        assert exit_info.value.code == 2 and needle in capsys.readouterr().err

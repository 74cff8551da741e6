"""A TorchScript file holds code that torch.jit.load runs: predict opens one only with trust=True
(`pratique predict --trust`), and says so otherwise."""
import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import pratique as pq
from pratique.cli.main import main
from pratique.tasks.export import export
from pratique.tasks.predict import predict_rows


@pytest.fixture
def exported(tmp_path):
    torch.manual_seed(0)
    model = pq.Model(nn.Sequential(nn.Flatten(), nn.Linear(16, 3)), accelerator="cpu")
    model.input_shape, model.classes = (1, 4, 4), ["a", "b", "c"]
    path = tmp_path / "m.torchscript"
    export(model, path, format="torchscript")  # its own check opens the file it wrote
    image = tmp_path / "x.png"
    Image.fromarray(np.arange(16, dtype=np.uint8).reshape(4, 4) * 16).save(image)
    return model, path, image


def test_torchscript_needs_trust(exported, monkeypatch):
    model, path, image = exported
    loads = []
    real = torch.jit.load
    monkeypatch.setattr(torch.jit, "load", lambda *a, **k: loads.append(1) or real(*a, **k))
    with pytest.raises(pq.PratiqueError, match="runs the code stored in it.*trust=True"):
        list(predict_rows(path, [str(image)]))
    assert loads == []  # refused before torch.jit.load ran
    rows = list(predict_rows(path, [str(image)], trust=True))
    eager = list(predict_rows(model, [str(image)]))
    assert loads == [1] and rows[0]["label"] == eager[0]["label"]


def test_cli_predict_torchscript_needs_trust(exported, capsys):
    _, path, image = exported
    with pytest.raises(SystemExit) as exit_info:
        main(["predict", str(path), str(image)])
    assert exit_info.value.code == 2 and "--trust" in capsys.readouterr().err
    main(["predict", str(path), str(image), "--trust"])
    assert "1 images, 0 unreadable" in capsys.readouterr().out

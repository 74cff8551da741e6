"""`pq.serve` / `pratique serve`: validation before anything loads, the 0.0.0.0 warning, the CLI
registered, and the ONNX backend giving the torch backend's predictions."""
import numpy as np
import pytest
from click.testing import CliRunner

import pratique as pq
from pratique.cli.main import cli
from pratique.core.errors import PratiqueError
from pratique.serve.app import create_app

from .conftest import post_files, running


@pytest.fixture
def no_uvicorn(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    return calls


def test_binds_loopback_by_default_and_warns_on_all_interfaces(digits, no_uvicorn, capsys):
    pq.serve(digits["model"])
    assert no_uvicorn[-1][1]["host"] == "127.0.0.1" and "warning" not in capsys.readouterr().err
    pq.serve(digits["model"], host="0.0.0.0", port=8123)
    assert no_uvicorn[-1][1]["host"] == "0.0.0.0" and no_uvicorn[-1][1]["port"] == 8123
    assert "warning: serving on 0.0.0.0" in capsys.readouterr().err


def test_bad_arguments_fail_before_anything_runs(digits, no_uvicorn):
    with pytest.raises(PratiqueError, match="Unknown serve limits.*max_batches"):
        pq.serve(digits["model"], limits={"max_batches": 4})
    with pytest.raises(PratiqueError, match="max_queue must be a positive number"):
        pq.serve(digits["model"], limits={"max_queue": 0})
    with pytest.raises(PratiqueError, match="save it"):
        pq.serve(digits["loaded"], workers=2)
    with pytest.raises(PratiqueError, match="backend must be 'torch' or 'onnx'"):
        pq.serve(digits["model"], backend="tensorrt")
    assert no_uvicorn == []


def test_workers_start_uvicorn_with_the_app_factory(digits, no_uvicorn, monkeypatch):
    from pratique.serve import _ENV, app_from_env

    monkeypatch.delenv(_ENV, raising=False)
    pq.serve(digits["model"], workers=2, limits={"max_batch": 4})
    target, kw = no_uvicorn[-1]
    assert target == "pratique.serve:app_from_env" and kw["factory"] and kw["workers"] == 2
    assert app_from_env().state.limits.max_batch == 4


def test_cli_serve_is_registered_and_passes_its_options(digits, no_uvicorn):
    r = CliRunner().invoke(cli, ["serve", str(digits["model"]), "--port", "8124", "--max-batch", "8"])
    assert r.exit_code == 0, r.output
    app, kw = no_uvicorn[-1]
    assert kw["port"] == 8124 and app.state.limits.max_batch == 8
    assert "POST /predict" in CliRunner().invoke(cli, ["serve", "--help"]).output


def test_onnx_backend_predicts_as_the_torch_backend(digits):
    pytest.importorskip("onnxruntime")
    files = digits["files"][:3]
    app = create_app(digits["model"], backend="onnx")
    with running(app) as url:
        got = post_files(url, files).json()["predictions"]
    expected = digits["loaded"].predict([str(f) for f in files], output="probabilities")
    np.testing.assert_allclose([p["probabilities"] for p in got], expected, rtol=0, atol=1e-5)
    assert app.state.limits.top_k == 5


def test_pq_serve_stays_the_function_after_its_subpackage_is_imported():
    import pratique.serve.app  # noqa: F401  (binds the subpackage as pratique.serve, lazily)

    assert callable(pq.serve) and pq.serve.__module__ == "pratique.serve"

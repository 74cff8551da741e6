"""Data-parallel fits on 2 CPU processes (gloo) match one process with the same global batch."""
import os
import subprocess
import sys

import pytest
import torch

SCRIPT = os.path.join(os.path.dirname(__file__), "ddp_fit.py")
SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "src"))


def _fit(out, devices: int, epochs: int = 2) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, SCRIPT, str(out), str(devices), str(epochs)], env=env,
                          check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]


def _load(path) -> dict:
    return torch.load(path, weights_only=False)


def _assert_same(a: dict, b: dict) -> None:
    for k in a["state"]:
        torch.testing.assert_close(b["state"][k], a["state"][k], rtol=1e-4, atol=1e-6)
    for key in ("loss", "accuracy"):  # reduced over ranks: the single process's epoch means
        assert b["history"][key] == pytest.approx(a["history"][key], rel=1e-4)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    single, ddp = tmp_path_factory.mktemp("single"), tmp_path_factory.mktemp("ddp")
    _fit(single, 1)
    _fit(ddp, 2)
    return single, ddp


@pytest.mark.slow  # two processes started twice (~30-80 s here); make test-all runs it
def test_two_processes_match_one_with_the_same_global_batch(runs):
    single, ddp = runs
    ref, r0, r1 = _load(single / "rank0.pt"), _load(ddp / "rank0.pt"), _load(ddp / "rank1.pt")
    assert (r0["world"], r1["world"], ref["world"]) == (2, 2, 1)
    _assert_same(ref, r0)
    _assert_same(ref, r1)  # DDP keeps ranks identical


@pytest.mark.slow
def test_files_written_once_by_rank_zero(runs):
    _, ddp = runs
    lines = (ddp / "metrics.csv").read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss" and [ln.split(",")[0] for ln in lines[1:]] == ["0", "1"]
    assert sorted(p.name for p in ddp.iterdir()) == ["last.ckpt", "last.ckpt.prev", "metrics.csv",
                                                     "rank0.pt", "rank1.pt"]


@pytest.mark.slow
def test_resume_on_two_processes_continues_exactly(runs, tmp_path):
    single, _ = runs
    _fit(tmp_path, 2, epochs=1)
    _fit(tmp_path, 2, epochs=2)  # auto_resume from last.ckpt: epoch 2 only
    _assert_same(_load(single / "rank0.pt"), _load(tmp_path / "rank0.pt"))
    assert len((tmp_path / "metrics.csv").read_text().splitlines()) == 3


@pytest.mark.slow
def test_pratique_train_on_two_processes_writes_one_run_directory(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    script = os.path.join(os.path.dirname(sys.executable), "pratique")  # the console script
    cmd = [sys.executable, script, "train", "--model", "mlp", "--epochs", "1",
           "--devices", "2", "--strategy", "ddp", "--batch-size", "64", "--project", str(tmp_path)]
    proc = subprocess.run(cmd, env=env, check=False, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert [p.name for p in tmp_path.iterdir()] == ["train"]
    assert proc.stdout.count("run directory:") == 1
    files = {p.name for p in (tmp_path / "train").iterdir()}
    assert {"config.yaml", "metrics.csv", "best.pratique", "last.ckpt", "report.json"} <= files
    assert len((tmp_path / "train" / "metrics.csv").read_text().splitlines()) == 2

"""`pratique train --resume` runs with the settings stored in the checkpoint, refuses flags and
edits that would change them (writing nothing), and finishes a run stopped after its last epoch."""
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from pratique import PratiqueError
from pratique.cli.main import main
from pratique.tasks.classifier import ImageClassifier
from pratique.training.checkpoint import load_checkpoint, save_checkpoint

RUN = ["train", "--model", "mlp", "--epochs", "2", "--batch-size", "64", "--accelerator", "cpu"]
MID = "runs/r/last.ckpt.prev"  # the checkpoint after epoch 1 of 2: a run stopped halfway


def _exit(args, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    return info.value.code, capsys.readouterr().err


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished 2-epoch run (mlp on mnist5k, batch 64, onecycle) in runs/r."""
    root = tmp_path_factory.mktemp("finished")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        main([*RUN, "--name", "r"])
    finally:
        os.chdir(cwd)
    return root / "runs" / "r"


@pytest.fixture
def run(finished, tmp_path, monkeypatch):
    """A copy of the finished run in the test's own folder (the cwd), as runs/r."""
    shutil.copytree(finished, tmp_path / "runs" / "r")
    monkeypatch.chdir(tmp_path)
    return Path("runs/r")


def _snapshot(run) -> dict:
    return {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}


@pytest.mark.parametrize("flags, named", [
    (["--batch-size", "32"], ["--batch-size 32", "64"]),
    (["--validation-split", "0.3", "--lr", "0.01"], ["--validation-split 0.3", "--lr 0.01"]),
    (["--model", "lenet5"], ["--model 'lenet5'"]),
])
def test_flags_that_change_the_run_are_refused_and_nothing_is_written(run, capsys, flags, named):
    before = _snapshot(run)
    code, err = _exit(["train", "--resume", MID, *flags], capsys)
    assert code == 2 and all(n in err for n in named), err
    assert _snapshot(run) == before


def test_the_python_api_refuses_the_same(run):
    from pratique.tasks.run import train

    with pytest.raises(PratiqueError, match="--batch-size 32"):
        train(resume=MID, batch_size=32)


def test_an_edited_config_yaml_is_refused_and_kept(run, capsys):
    yaml_path = run / "config.yaml"
    text = yaml_path.read_text()
    edited = text.replace("batch_size: 64", "batch_size: 44").replace("validation_split: 0.1",
                                                                      "validation_split: 0.3")
    assert edited != text
    yaml_path.write_text(edited)
    code, err = _exit(["train", "--resume", MID], capsys)
    assert code == 2 and "batch_size: 44 (checkpoint: 64)" in err
    assert "validation_split: 0.3 (checkpoint: 0.1)" in err
    assert yaml_path.read_text() == edited  # a failed resume does not rewrite it


def test_fewer_epochs_or_a_stretched_schedule_are_refused_before_writing(run, capsys):
    before = _snapshot(run)
    code, err = _exit(["train", "--resume", "runs/r/last.ckpt", "--epochs", "3"], capsys)
    assert code == 2 and "'onecycle' learning-rate schedule" in err
    code, err = _exit(["train", "--resume", "runs/r/last.ckpt", "--epochs", "1"], capsys)
    assert code == 2 and "already trained 2 epochs" in err
    assert _snapshot(run) == before  # the config is not rewritten with other epochs


def test_a_missing_config_yaml_is_written_from_the_checkpoint(run, finished):
    """The resume trains epoch 2 with the checkpoint's settings: the run never stopped's CSV."""
    original = (run / "config.yaml").read_text()
    (run / "config.yaml").unlink()
    main(["train", "--resume", MID])
    assert (run / "config.yaml").read_text() == original  # not defaults (batch_size 16)
    assert (run / "metrics.csv").read_text() == (finished / "metrics.csv").read_text()


def test_a_checkpoint_without_run_config_and_no_config_yaml_is_refused(run, capsys):
    state = load_checkpoint(run / "last.ckpt")
    del state["run_config"]  # as written by pratique before run configs (digest made anew)
    save_checkpoint(state, run / "last.ckpt", keep_previous=False)
    (run / "config.yaml").unlink()
    code, err = _exit(["train", "--resume", "runs/r/last.ckpt"], capsys)
    assert code == 2 and "carries no run config" in err and "defaults are not guessed" in err
    assert not (run / "config.yaml").exists()


def test_a_run_stopped_after_its_last_checkpoint_is_finished_by_resume(finished, tmp_path,
                                                                      monkeypatch, capsys):
    """The signal lands between the last checkpoint and the report; resume completes the run
    (evaluation, report, plots) with the result of a run never stopped, and exits 0."""
    monkeypatch.chdir(tmp_path)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(ImageClassifier, "evaluate", stopped)
        code, _ = _exit([*RUN, "--name", "r"], capsys)
    run = tmp_path / "runs" / "r"
    assert code == 130 and (run / "last.ckpt").exists() and not (run / "report.json").exists()
    main(["train", "--resume", "runs/r/last.ckpt"])  # returns: exit 0
    out = capsys.readouterr().out
    assert "training is complete (2 epochs)" in out and "epoch 3" not in out.lower()
    for name in ("report.json", "report.md", "curves.png", "confusion_matrix.png"):
        assert (run / name).exists(), name
    assert _results(run / "report.json") == _results(finished / "report.json")
    assert (run / "metrics.csv").read_text() == (finished / "metrics.csv").read_text()
    assert yaml.safe_load((run / "config.yaml").read_text())["epochs"] == 2


@pytest.mark.slow
def test_sigkill_after_the_last_checkpoint_then_resume_completes(finished, tmp_path):
    """A real SIGKILL in a separate process, at the moment the held-out evaluation starts (after
    the final last.ckpt); `pratique train --resume` in a new process then completes the run."""
    import signal
    import subprocess
    import sys

    import pratique as pq

    env = {**os.environ, "PYTHONPATH": str(Path(pq.__file__).parents[1])}
    kill = ("import os, signal; from pratique.tasks.classifier import ImageClassifier as C; "
            "C.evaluate = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL); "
            "from pratique.cli.main import main; main()")
    done = subprocess.run([sys.executable, "-c", kill, *RUN, "--name", "r"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    run = tmp_path / "runs" / "r"
    assert done.returncode == -signal.SIGKILL and not (run / "report.json").exists()
    resume = "from pratique.cli.main import main; main()"
    done = subprocess.run([sys.executable, "-c", resume, "train", "--resume", "runs/r/last.ckpt"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "nothing left to train" in done.stdout and "held-out accuracy" in done.stdout
    assert _results(run / "report.json") == _results(finished / "report.json")


def test_a_missing_last_ckpt_resumes_from_prev(run, capsys):
    os.remove(run / "last.ckpt")  # killed between the rotation's two renames, or deleted by hand
    with pytest.warns(UserWarning, match="is missing"):
        main(["train", "--resume", "runs/r/last.ckpt"])
    assert load_checkpoint(run / "last.ckpt")["epoch"] == 2  # epoch 2 trained again from .prev


def _results(path) -> dict:
    """A report.json without its "timing" (seconds differ between any two runs)."""
    report = json.loads(path.read_text())
    assert set(report["timing"]) >= {"epoch_seconds", "train_seconds", "images_per_second"}
    return {k: v for k, v in report.items() if k != "timing"}

"""One run per folder: simultaneous starts never share a folder; a second writer is refused."""
import multiprocessing
import os

import pytest

import pratique as pq
from pratique.cli.main import main
from pratique.tasks._run_dir import LOCK_NAME, acquire, create_run_dir, run_lock

ROUNDS = 20


def _start(project, barrier, queue):
    barrier.wait()  # both processes leave together: the check-then-create gap is hit
    queue.put(create_run_dir(project, "train"))


def test_simultaneous_starts_never_share_a_folder(tmp_path):
    ctx = multiprocessing.get_context("fork")
    for r in range(ROUNDS):
        project = str(tmp_path / f"round{r}")
        if r % 2:  # half the rounds start beside an existing runs/train, as a second run would
            os.makedirs(os.path.join(project, "train"))
        barrier, queue = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=_start, args=(project, barrier, queue)) for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=60)
        got = [queue.get(timeout=10) for _ in procs]
        assert all(p.exitcode == 0 for p in procs)
        assert len(set(got)) == 2 and all(os.path.isdir(g) for g in got), got


def test_names_follow_ultralytics_rule(tmp_path):
    project = str(tmp_path)
    assert [os.path.basename(create_run_dir(project, "train")) for _ in range(3)] == \
        ["train", "train2", "train3"]
    assert create_run_dir(project, "train", exist_ok=True) == os.path.join(project, "train")


def test_a_second_writer_is_refused_naming_the_folder(tmp_path):
    run = str(tmp_path / "train")
    os.mkdir(run)
    with run_lock(run):
        with pytest.raises(pq.PratiqueError, match="in use by another run") as info:
            acquire(run)
        assert repr(run) in str(info.value)
    os.close(acquire(run))  # released when the run ends
    assert os.path.isfile(os.path.join(run, LOCK_NAME))


def test_cli_exist_ok_into_a_folder_in_use_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    os.makedirs("runs/r")
    with run_lock("runs/r"), pytest.raises(SystemExit) as exit_info:  # another run writes there
        main(["train", "--data", "spiral", "--model", "mlp", "--epochs", "1",
              "--project", "runs", "--name", "r", "--exist-ok"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "'runs/r' is in use by another run" in err
    assert sorted(os.listdir("runs/r")) == [LOCK_NAME]  # nothing of the second run was written

"""The evaluation report scores the arrays it is given, also inside a process group: its
torchmetrics collection must not all-reduce (a report built on rank 0 alone would hang, and one
built on every rank would sum the ranks' counts)."""
import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def _rank(rank: int, init: str, out: str) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=2)
    try:
        from pratique.reports.evaluation import evaluation_report

        y = torch.tensor([0, 1, 1] if rank == 0 else [1, 1, 1, 1, 0])
        probs = torch.nn.functional.one_hot(torch.tensor([0, 1, 0] if rank == 0 else [1, 1, 1, 1, 1]), 2)
        r = evaluation_report(y, probs.float(), top_k=(1,))
        torch.save({"n": r["num_samples"], "cm": r["confusion_matrix"], "acc": r["accuracy"]},
                   os.path.join(out, f"{rank}.pt"))
    finally:
        dist.destroy_process_group()


@pytest.mark.slow  # two spawned processes: ~15-35 s, mostly imports
def test_report_is_not_reduced_over_ranks(tmp_path):
    init = f"file://{tmp_path / 'store'}"
    mp.start_processes(_rank, args=(init, str(tmp_path)), nprocs=2, start_method="spawn")
    r0, r1 = (torch.load(tmp_path / f"{k}.pt") for k in (0, 1))
    assert r0 == {"n": 3, "cm": [[1, 0], [1, 1]], "acc": 2 / 3}
    assert r1 == {"n": 5, "cm": [[0, 1], [0, 4]], "acc": 4 / 5}

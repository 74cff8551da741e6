"""SIGKILL trials, run as a script so torch is imported once: `python _kill_trials.py DIR N RESUMES`.

A first run trains to the end (the reference). Then trials fork a child that trains with a checkpoint
after every batch; the parent waits for the first `last.ckpt`, then SIGKILLs the child after a
random delay, until N children were killed mid-training (at most 2N trials). Only after all forks (a forked child must not inherit a used OpenMP pool) does the
parent load every `last.ckpt` and resume the first RESUMES of them to the end. Prints one JSON line.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _tiny

EPOCHS = 3


def child(run_dir: str) -> None:
    import torch

    torch.set_num_threads(1)
    try:
        m = _tiny.model()
        _tiny.fit(m, run_dir, epochs=EPOCHS, save_freq=1)
        torch.save(m.module.state_dict(), os.path.join(run_dir, "final.pt"))
    finally:
        os._exit(0)


def trial(run_dir: str, delay: float | None) -> dict:
    os.makedirs(run_dir)
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        child(run_dir)
    ckpt = os.path.join(run_dir, "last.ckpt")
    while not os.path.exists(ckpt) and time.perf_counter() - t0 < 60:
        time.sleep(0.001)
    t1 = time.perf_counter()
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return {"dir": run_dir, "killed": os.WIFSIGNALED(status), "seconds": time.perf_counter() - t1}


def main(root: str, n: int, resumes: int) -> None:
    _tiny.model()  # warm the lazy imports once; tiny tensors, so no OpenMP pool is started
    ref = trial(os.path.join(root, "ref"), None)
    rng = random.Random(0)
    span = ref["seconds"]  # from the first checkpoint to the end of training
    trials: list[dict] = []
    while sum(t["killed"] for t in trials) < n and len(trials) < 2 * n:
        t = trial(os.path.join(root, f"t{len(trials)}"), rng.uniform(0, 0.9 * span))
        if not t["killed"]:  # the machine got faster: aim earlier
            span = min(span, t["seconds"])
        trials.append(t)
    # forks are over: torch may run in this process now
    import torch

    from pratique.training.checkpoint import load_checkpoint

    final = torch.load(os.path.join(ref["dir"], "final.pt"), weights_only=True)
    with open(os.path.join(ref["dir"], "metrics.csv")) as f:
        csv = f.read()
    for t in trials:
        state = load_checkpoint(os.path.join(t["dir"], "last.ckpt"), fallback=False)
        t["at"] = [state["epoch"], state["batch"]]
        t["litter"] = sorted(f for f in os.listdir(t["dir"]) if f.endswith(".tmp"))
    for t in [t for t in trials if t["killed"]][:resumes]:
        m = _tiny.model()
        _tiny.fit(m, t["dir"], epochs=EPOCHS, save_freq=1,
                  resume_from=os.path.join(t["dir"], "last.ckpt"))
        got = m.module.state_dict()
        t["same_weights"] = all(torch.equal(final[k], got[k]) for k in final)
        with open(os.path.join(t["dir"], "metrics.csv")) as f:
            t["same_csv"] = f.read() == csv
    print(json.dumps({"reference_seconds": ref["seconds"], "trials": trials}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))

"""SIGKILL at random moments (20 trials, a checkpoint after every batch): a loadable last.ckpt always."""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.slow  # ~35-55 s of random SIGKILLs (make test-all); test_resume.py kills at fixed moments in make test
def test_sigkill_at_random_moments_always_leaves_a_loadable_checkpoint(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.join(HERE, "..", "..", "src"),
                                                        os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, os.path.join(HERE, "_kill_trials.py"), str(tmp_path), "20", "3"],
                         capture_output=True, text=True, env=env, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    trials = json.loads(out.stdout.strip().splitlines()[-1])["trials"]
    killed = [t for t in trials if t["killed"]]
    assert len(killed) >= 15, trials  # the kills land during training, not after it
    for t in trials:  # _kill_trials loaded each last.ckpt with fallback=False; it got a position
        epoch, batch = t["at"]
        assert 0 <= epoch <= 3 and 0 <= batch <= 9
        names = set(os.listdir(t["dir"])) - set(t["litter"])  # litter: hidden .tmp of a killed save
        expected = {"last.ckpt", "last.ckpt.prev", "last.ckpt.resumed", "metrics.csv", "final.pt"}
        assert names <= expected, (t, names)
    resumed = [t for t in killed if "same_weights" in t]
    assert len(resumed) == 3
    assert all(t["same_weights"] and t["same_csv"] for t in resumed), resumed

"""Start-up time, side by side: `import torch` against `import pratique` and three CLI calls.

Each round runs every command once, in turn (the order rotates from round to round), so a noisy
machine slows all of them alike; the table gives each command's median wall time and the median
of its per-round ratio to `import torch` in the same round. Goals (issue 16): `import pratique`
at most 1.3x `import torch`; `pratique --help`, `pratique datasets` and a usage error at most 1.0x.

    python bench/startup.py --repeats 15
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def commands() -> list[tuple[str, list[str], int, float | None]]:
    """(label, argv, expected exit status, goal as a ratio to `import torch`)."""
    py = sys.executable
    cli = Path(py).parent / "pratique"
    cli = [str(cli)] if cli.exists() else [shutil.which("pratique") or "pratique"]
    return [
        ("python -c 'import torch'", [py, "-c", "import torch"], 0, None),
        ("python -c 'import pratique'", [py, "-c", "import pratique"], 0, 1.3),
        ("... and touch pq.Model", [py, "-c", "import pratique; pratique.Model"], 0, None),
        ("pratique --help", [*cli, "--help"], 0, 1.0),
        ("pratique datasets", [*cli, "datasets"], 0, 1.0),
        ("pratique train --epochs x", [*cli, "train", "--epochs", "x"], 2, 1.0),
    ]


def run_once(argv: list[str], expected: int, env: dict) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != expected:
        sys.exit(f"{' '.join(argv)} exited {done.returncode} (expected {expected}):\n{done.stderr[-2000:]}")
    return seconds


def machine_line() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if "model name" in line), "?")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.node()} | {cpu} | {os.cpu_count()} cores | load average {load:.1f} "
            f"| python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--src", default=str(SRC), help="the src/ folder of the pratique to time "
                        "(default: this checkout's, whatever copy the environment has installed)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [args.src, os.environ.get("PYTHONPATH")]))}
    cmds = commands()
    for _, argv, expected, _ in cmds:  # warm the file cache and the .pyc files once, untimed
        run_once(argv, expected, env)
    times: list[list[float]] = [[] for _ in cmds]
    for r in range(args.repeats):
        order = list(range(len(cmds)))
        order = order[r % len(order):] + order[:r % len(order)]
        for i in order:
            times[i].append(run_once(cmds[i][1], cmds[i][2], env))
    print(machine_line())
    print(f"pratique from {args.src}; {args.repeats} rounds, each command once per round, order rotating\n")
    print(f"{'command':32s} {'median s':>9s} {'min s':>7s} {'x torch':>8s} {'goal':>6s}")
    for (label, _, _, goal), ts in zip(cmds, times):
        ratio = statistics.median(t / t0 for t, t0 in zip(ts, times[0]))
        verdict = "" if goal is None else f"<={goal:.1f}x {'ok' if ratio <= goal else 'MISSED'}"
        print(f"{label:32s} {statistics.median(ts):9.3f} {min(ts):7.3f} {ratio:7.2f}x  {verdict}")


if __name__ == "__main__":
    main()

"""`pratique tensorboard` serves a run that headless Chromium shows with its scalar tags."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from pratique.training.callbacks import TensorBoard

from .conftest import tiny_model

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--window-size=1400,900", "--hide-scrollbars", "--virtual-time-budget=15000"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_runs(url: str, proc, timeout: float = 90.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            runs = json.loads(urllib.request.urlopen(url + "data/runs", timeout=2).read())
            if runs:
                return runs
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"TensorBoard at {url} listed no run within {timeout} s")


def _chromium(args, tmp_path):
    return subprocess.run([_BROWSER, *_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          check=False, capture_output=True, text=True, timeout=120)


_BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_BROWSER is None, reason="chromium is not installed "
                    "(apt-get install chromium chromium-driver); CI installs it")
def test_tensorboard_page_shows_the_run_and_its_scalars(tmp_path, tiny_data):
    x, y = tiny_data
    tiny_model().fit(x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=0,
                     callbacks=[TensorBoard(tmp_path / "runs" / "demo-run", write_images=False)])
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", "from pratique.cli.main import main; main()",
                             "tensorboard", "--logdir", str(tmp_path / "runs"), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        url = f"http://127.0.0.1:{port}/"
        assert _wait_for_runs(url, proc) == ["demo-run"]
        page = url + "?darkMode=false#timeseries"
        dom = _chromium(["--dump-dom", page], tmp_path).stdout
        shot = tmp_path / "tensorboard.png"
        _chromium([f"--screenshot={shot}", page], tmp_path)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "demo-run" in dom
    for tag in ["epoch/loss/train", "epoch/loss/val", "epoch/accuracy/val", "epoch/learning_rate"]:
        assert tag in dom, f"{tag} not on the page"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000

"""`pratique serve` as a process: SIGTERM lets the request in flight finish, then exits."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import pratique as pq

from .conftest import free_port, post_files


@pytest.mark.slow  # a second Python process importing torch: ~10-30 s on a shared machine
def test_sigterm_finishes_the_request_in_flight_then_stops(digits):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(pq.__file__).parents[1])}
    # a batch waits 1.5 s for company: the request is in flight when SIGTERM arrives
    proc = subprocess.Popen([sys.executable, "-c", "from pratique.cli.main import main; main()", "serve",
                             str(digits["model"]), "--port", str(port), "--max-wait-ms", "1500"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        result = {}
        thread = threading.Thread(target=lambda: result.update(r=post_files(url, digits["files"][:1])))
        thread.start()
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        thread.join(30)
        # uvicorn (>= 0.29) shuts down gracefully, then re-raises the signal it caught, so the
        # exit status says "terminated by SIGTERM" as a shell expects
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert result["r"].status_code == 200 and result["r"].json()["predictions"][0]["name"] == "d0.png"
    assert "Finished server process" in proc.stdout.read()

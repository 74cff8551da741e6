"""`pratique serve` held under load: throughput and latency with batching on and off, beside
offline `predict_rows` on the same images, and the server's resident memory as requests pile up.

The server runs in its own process (`pq.serve`, loopback only); 16 concurrent clients (one
httpx.AsyncClient) each send one mnist5k PNG per request. Every phase is bounded in count and in
time (--max-seconds); a request that fails or never comes back is counted, never hidden.

    python bench/serve.py [--requests 2000] [--clients 16] [--repeats 3] [--memory 10000]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import torch
from PIL import Image

import pratique as pq
from pratique.tasks.predict import predict_rows


def machine_line() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if "model name" in line), "?")
    return (f"{platform.node()} | {cpu} | {os.cpu_count()} cores, {torch.get_num_threads()} torch threads "
            f"| load average {os.getloadavg()[0]:.1f} | torch {torch.__version__} | python {platform.python_version()}")


def make_model_and_images(root: str, n: int) -> tuple[str, list[str]]:
    (x, y), (xt, _) = pq.datasets.load_data("mnist5k")
    model = pq.ImageClassifier("lenet5", num_classes=10, seed=0)
    model.classes = [str(i) for i in range(10)]
    model.compile(lr=3e-3)
    model.adapt_normalization(x)
    model.fit(x, y, epochs=1, batch_size=64, verbose=0, seed=0)
    path = os.path.join(root, "digits.pratique")
    model.save(path)
    files = []
    for i in range(n):
        files.append(os.path.join(root, f"d{i:04d}.png"))
        Image.fromarray(xt[i % len(xt)]).save(files[-1])
    return path, files


class Server:
    """`pq.serve` in a subprocess on a free loopback port; bounded startup wait."""

    def __init__(self, model: str, limits: dict, timeout: float = 120.0):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        code = (f"import pratique as pq; pq.serve({model!r}, port={self.port}, limits={limits!r}, "
                "log_level='warning')")
        self.proc = subprocess.Popen([sys.executable, "-c", code])
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024

    def stop(self) -> None:
        self.proc.terminate()  # SIGTERM: uvicorn's graceful shutdown
        self.proc.wait(timeout=60)


async def load(url: str, payloads: list[bytes], requests: int, clients: int, max_seconds: float) -> dict:
    """`requests` POST /predict from `clients` concurrent clients, or fewer if `max_seconds` runs out."""
    latencies, failures, sent = [], [], [0]
    deadline = time.monotonic() + max_seconds

    async def client(http):
        while sent[0] < requests and time.monotonic() < deadline:
            i = sent[0]
            sent[0] += 1
            t = time.perf_counter()
            try:
                r = await http.post(url + "/predict", files=[("files", (f"{i}.png", payloads[i % len(payloads)]))])
                ok = r.status_code == 200 and len(r.json()["predictions"]) == 1
                (latencies if ok else failures).append(time.perf_counter() - t if ok else r.status_code)
            except httpx.HTTPError as e:
                failures.append(type(e).__name__)

    start = time.perf_counter()
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=clients)) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    wall = time.perf_counter() - start
    lat = sorted(latencies)
    return {"ok": len(lat), "failed": len(failures), "sent": sent[0], "rps": len(lat) / wall,
            "p50_ms": 1000 * lat[len(lat) // 2] if lat else float("nan"),
            "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else float("nan")}


def offline(model: str, files: list[str], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        n = sum(1 for r in predict_rows(model, files, batch_size=64) if r["error"] is None)
        runs.append(n / (time.perf_counter() - t))
    return statistics.median(runs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--memory", type=int, default=10000, help="requests for the memory check (0: skip)")
    p.add_argument("--max-seconds", type=float, default=300, help="time bound of each load phase")
    a = p.parse_args()
    print("machine:", machine_line())
    with tempfile.TemporaryDirectory() as root:
        model, files = make_model_and_images(root, 500)
        payloads = [Path(f).read_bytes() for f in files]
        print(f"offline predict_rows      {offline(model, files, a.repeats):8.0f} images/s (median of {a.repeats})")
        for name, limits in (("batching on ", {"max_batch": 32, "max_wait_ms": 5}),
                             ("batching off", {"max_batch": 1, "max_wait_ms": 0})):
            server = Server(model, {**limits, "max_queue": 4 * a.clients})
            try:
                runs = [asyncio.run(load(server.url, payloads, a.requests, a.clients, a.max_seconds))
                        for _ in range(a.repeats)]
            finally:
                server.stop()
            med = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50_ms", "p99_ms")}
            print(f"served {name}      {med['rps']:8.0f} requests/s  p50 {med['p50_ms']:6.1f} ms  "
                  f"p99 {med['p99_ms']:6.1f} ms  failed {sum(r['failed'] for r in runs)}  "
                  f"lost {sum(r['sent'] - r['ok'] - r['failed'] for r in runs)}  "
                  f"(runs: {', '.join(format(r['rps'], '.0f') for r in runs)} req/s)")
        if a.memory:
            server = Server(model, {"max_batch": 32, "max_wait_ms": 5, "max_queue": 4 * a.clients})
            try:
                first = asyncio.run(load(server.url, payloads, a.memory // 10, a.clients, a.max_seconds))
                rss1 = server.rss_mb()
                rest = asyncio.run(load(server.url, payloads, a.memory - a.memory // 10, a.clients, a.max_seconds))
                rss2 = server.rss_mb()
            finally:
                server.stop()
            print(f"memory: RSS {rss1:.0f} MiB after {first['ok']} requests, {rss2:.0f} MiB after "
                  f"{first['ok'] + rest['ok']} ({100 * (rss2 / rss1 - 1):+.1f}%); "
                  f"failed {first['failed'] + rest['failed']}")


if __name__ == "__main__":
    main()

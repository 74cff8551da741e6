import contextlib
import socket
import struct
import threading
import time
import zlib

import httpx
import pytest
from PIL import Image

import pratique as pq
from pratique.serve.app import create_app


@pytest.fixture(scope="session")
def digits(tmp_path_factory):
    """A lenet5 fitted for 4 batches on mnist5k, saved, and 8 of its test digits as PNG files."""
    root = tmp_path_factory.mktemp("serve")
    (x, y), (xt, _) = pq.datasets.load_data("mnist5k")
    model = pq.ImageClassifier("lenet5", num_classes=10, seed=0)
    model.classes = [str(i) for i in range(10)]
    model.compile(lr=3e-3)
    model.adapt_normalization(x)
    model.fit(x[:256], y[:256], epochs=1, batch_size=64, verbose=0, seed=0)
    path = root / "digits.pratique"
    model.save(path)
    files = []
    for i in range(8):
        files.append(root / f"d{i}.png")
        Image.fromarray(xt[i]).save(files[-1])
    return {"model": path, "files": files, "loaded": pq.load(path), "root": root}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app, timeout: float = 30.0):
    """`app` served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout)


@pytest.fixture(scope="module")
def server(digits):
    """The digits model served with small limits; yields (url, app)."""
    app = create_app(digits["model"], limits={"max_images": 4, "max_upload_mb": 0.05,
                                              "max_pixels": 1_000_000, "max_wait_ms": 20})
    with running(app) as url:
        yield url, app


def get(url, path):
    return httpx.get(url + path, timeout=30)


def post_files(url, files, field="files", **kw):
    parts = [(field, (f.name, f.read_bytes(), "image/png")) for f in files]
    return httpx.post(url + "/predict", files=parts, timeout=30, **kw)


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG whose header claims width x height 1-bit pixels, with a few rows of data: the
    header is all a size check reads (decoding it would allocate the whole image)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + width // 8) * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")

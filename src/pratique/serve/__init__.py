"""Serving a trained model over HTTP: `pq.serve(model)` / `pratique serve MODEL`.

FastAPI + uvicorn (the `serve` extra). Requests are batched (`_batcher.py`), images go through
the model's own `Preprocessing` (`_images.py`), and the limits live in `_limits.py`.
"""
from __future__ import annotations

import json
import os
import sys

from ..core.errors import PratiqueError

_ENV = "PRATIQUE_SERVE_CONFIG"  # how `workers > 1` hands the config to uvicorn's worker processes
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(model, host: str = "127.0.0.1", port: int = 8000, backend: str | None = None,
          workers: int = 1, limits: dict | None = None, log_level: str = "info") -> None:
    """Serve `model` over HTTP until SIGINT/SIGTERM: POST /predict, GET /health, /info, /stats, /.

    Concurrent requests are batched through the model; every image takes the model's own
    preprocessing, so a served prediction equals `model.predict` on the same file.

    Args:
        model: a Model, or a `.pratique` or `.onnx` file.
        host: the address to bind; the loopback by default (0.0.0.0 exposes it to the network).
        port: the TCP port.
        backend: "torch" or "onnx" (onnxruntime; a `.pratique` is exported to ONNX first);
            default: from the file's suffix.
        workers: server processes, each with its own copy of the model (needs a file, not a Model).
        limits: overrides of `pratique.serve._limits.Limits` (max_batch, max_wait_ms, max_queue,
            max_images, max_upload_mb, max_pixels, timeout_s, top_k).
        log_level: uvicorn's log level.

    Example:
        >>> pq.serve("runs/train/best.pratique", port=8000)   # then open http://127.0.0.1:8000/
    """
    from ._limits import Limits

    uvicorn = _require()
    checked = Limits.from_dict(limits)  # before loading anything
    if int(workers) < 1:
        raise PratiqueError(f"workers must be a positive integer. Received: {workers!r}")
    if host not in _LOOPBACK:
        print(f"warning: serving on {host}: anyone who can reach this machine on port {port} can use "
              "the model. pratique serve has no authentication; put it behind a proxy that has.",
              file=sys.stderr)
    if int(workers) == 1:
        from .app import create_app

        app = create_app(model, backend, checked)
        uvicorn.run(app, host=host, port=int(port), log_level=log_level, timeout_graceful_shutdown=30)
        return
    if not isinstance(model, (str, os.PathLike)):
        raise PratiqueError("serve(workers > 1) starts processes that each load the model from its "
                            "file. Received a Model object: save it (model.save('m.pratique')) and "
                            "serve the file.")
    os.environ[_ENV] = json.dumps({"model": os.path.abspath(os.fspath(model)), "backend": backend,
                                   "limits": checked.to_dict()})
    uvicorn.run("pratique.serve:app_from_env", factory=True, host=host, port=int(port),
                workers=int(workers), log_level=log_level, timeout_graceful_shutdown=30)


def app_from_env():
    """The app a uvicorn worker process builds from the config `serve(workers > 1)` left in its env."""
    from .app import create_app

    cfg = json.loads(os.environ[_ENV])
    return create_app(cfg["model"], cfg["backend"], cfg["limits"])


def _require():
    from importlib.util import find_spec

    missing = [name for name, module in (("fastapi", "fastapi"), ("uvicorn", "uvicorn"))
               if find_spec(module) is None]
    if find_spec("python_multipart") is None and find_spec("multipart") is None:
        missing.append("python-multipart")
    if missing:
        raise PratiqueError(f"Serving needs FastAPI, uvicorn and python-multipart ({', '.join(missing)} "
                            "missing): pip install 'pratique[serve]'.")
    import uvicorn

    return uvicorn

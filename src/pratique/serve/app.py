"""The FastAPI app: POST /predict, GET /health, /info, /stats and / (the page to try it).

No `from __future__ import annotations` here: FastAPI reads the handlers' annotations at run time.
"""

import asyncio
import base64
import binascii
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import asynccontextmanager
from importlib import resources

import torch

from .._version import __version__
from ..core.errors import PratiqueError
from ..tasks._runners import class_names
from ._batcher import Batcher, QueueFull
from ._images import UploadError, read_upload
from ._limits import Limits

BACKENDS = ("torch", "onnx")
FIELDS = ("files", "file")  # multipart field names taken; "files" repeated for several images


def create_app(model, backend: str | None = None, limits: dict | Limits | None = None):
    """A FastAPI app serving `model` (a Model, or a `.pratique` / `.onnx` path); run it with uvicorn.

    Example:
        >>> import uvicorn; uvicorn.run(create_app("best.pratique"), port=8000)
    """
    from fastapi import FastAPI, Request
    from fastapi.responses import HTMLResponse, JSONResponse

    limits = limits if isinstance(limits, Limits) else Limits.from_dict(limits)
    tmpdir = tempfile.mkdtemp(prefix="pratique-serve-")
    runner, backend = open_backend(model, backend, tmpdir)
    batcher = Batcher(runner, limits.max_batch, limits.max_wait_ms, limits.max_queue)
    info = _info(model, runner, backend, limits)

    @asynccontextmanager
    async def lifespan(app):
        batcher.start()
        try:
            yield
        finally:  # uvicorn lets in-flight requests finish before it gets here
            await batcher.stop()
            shutil.rmtree(tmpdir, ignore_errors=True)

    app = FastAPI(title="pratique", version=__version__, lifespan=lifespan)
    app.state.batcher, app.state.limits = batcher, limits

    @app.exception_handler(UploadError)
    async def _upload_error(request, e: UploadError):
        headers = {"Retry-After": "1"} if e.status == 503 else None
        return JSONResponse({"error": e.message}, status_code=e.status, headers=headers)

    @app.get("/", response_class=HTMLResponse)
    async def page():
        return (resources.files(__package__) / "page.html").read_text(encoding="utf-8")

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.get("/info")
    async def get_info():
        return info

    @app.get("/stats")
    async def stats():
        return dict(batcher.stats)

    @app.post("/predict")
    async def predict(request: Request):
        try:
            return await asyncio.wait_for(_predict(request, runner, batcher, limits, tmpdir),
                                          limits.timeout_s)
        except asyncio.TimeoutError:
            raise UploadError(504, f"The request took over {limits.timeout_s} s (timeout_s) and was "
                                   "dropped. Retry later, or send fewer images.") from None

    return app


def open_backend(model, backend: str | None, tmpdir: str):
    """(runner, backend name): the torch runner, or onnxruntime on the `.onnx` file (a Model or
    `.pratique` file is exported to one in `tmpdir` first)."""
    from ..tasks._runners import OnnxRunner, open_runner

    is_onnx = isinstance(model, (str, os.PathLike)) and os.fspath(model).lower().endswith(".onnx")
    backend = backend or ("onnx" if is_onnx else "torch")
    if backend not in BACKENDS:
        raise PratiqueError(f"backend must be 'torch' or 'onnx'. Received: {backend!r}")
    if backend == "torch":
        if is_onnx:
            raise PratiqueError(f"{os.fspath(model)!r} is an ONNX file: serve it with backend='onnx' "
                                "(--backend onnx), or serve the .pratique file with backend='torch'.")
        return open_runner(model), backend
    if not is_onnx:
        from ..tasks.export import export

        model = export(model, os.path.join(tmpdir, "model.onnx"), format="onnx")["path"]
    return OnnxRunner(os.fspath(model)), backend


def _info(model, runner, backend: str, limits: Limits) -> dict:
    classes = class_names(runner)
    digest = None
    if isinstance(model, (str, os.PathLike)):
        with open(model, "rb") as f:
            digest = "sha256:" + hashlib.file_digest(f, "sha256").hexdigest() \
                if hasattr(hashlib, "file_digest") else "sha256:" + hashlib.sha256(f.read()).hexdigest()
    return {"model": os.path.basename(os.fspath(model)) if digest else type(model).__name__,
            "model_sha256": digest, "pratique_version": __version__, "backend": backend,
            "classes": classes, "num_classes": len(classes), "input_shape": list(runner.input_shape),
            "preprocessing": runner.preprocess.config, "limits": limits.to_dict()}


async def _predict(request, runner, batcher: Batcher, limits: Limits, tmpdir: str) -> dict:
    top_k = _top_k(request.query_params.get("top_k"), limits.top_k)
    body = await _read_body(request, int(limits.max_upload_mb * 2**20))
    uploads = await _uploads(request, body)
    if not uploads:
        raise UploadError(400, "The request holds no image. Expected multipart field 'files' "
                               "(curl -F files=@digit.png) or JSON {\"images\": [base64, ...]}.")
    if len(uploads) > limits.max_images:
        raise UploadError(413, f"The request holds {len(uploads)} images; at most {limits.max_images} "
                               "(max_images) are taken at once. Split it into several requests.")
    images = await asyncio.gather(*(asyncio.to_thread(
        read_upload, runner.preprocess, name, data, limits.max_pixels, tmpdir) for name, data in uploads))
    try:
        probs = await batcher.submit(torch.stack(images))
    except QueueFull as e:
        raise UploadError(503, f"The server is busy: {e} Retry after a second.") from None
    classes = class_names(runner)
    return {"predictions": [_prediction(name, p, classes, top_k) for (name, _), p in zip(uploads, probs)]}


def _prediction(name: str, p, classes: list, k: int) -> dict:
    order = sorted(range(len(classes)), key=lambda i: -p[i])[:k]  # stable: ties keep class order
    return {"name": name, "label": classes[order[0]], "index": order[0], "probability": float(p[order[0]]),
            "top_k": [{"label": classes[i], "probability": float(p[i])} for i in order],
            "probabilities": [float(v) for v in p]}


def _top_k(value, default: int) -> int:
    if value is None:
        return default
    try:
        k = int(value)
    except ValueError:
        k = 0
    if k < 1:
        raise UploadError(422, f"top_k must be a positive integer. Received: top_k={value!r}")
    return k


async def _read_body(request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    too_big = f"bytes; at most {max_bytes:,} (max_upload_mb) are accepted. Send smaller or fewer images."
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise UploadError(413, f"The request body is {int(declared):,} {too_big}")
    chunks, size = [], 0
    async for chunk in request.stream():  # a chunked body has no Content-Length: count it
        size += len(chunk)
        if size > max_bytes:
            raise UploadError(413, f"The request body is over {max_bytes:,} {too_big}")
        chunks.append(chunk)
    return b"".join(chunks)


async def _uploads(request, body: bytes) -> list[tuple[str, bytes]]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        return await _multipart(request, body)
    if ctype == "application/json":
        return _json_images(body)
    raise UploadError(415, f"Content-Type {ctype or 'none'!r} is not taken. Expected multipart/form-data "
                           "(field 'files') or application/json ({\"images\": [base64, ...]}).")


async def _multipart(request, body: bytes) -> list[tuple[str, bytes]]:
    from starlette.requests import Request

    sent = [False]

    async def receive():  # the body, already read under the size limit, replayed once
        if sent[0]:
            return {"type": "http.request", "body": b"", "more_body": False}
        sent[0] = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, receive).form(max_files=10_000, max_fields=100)
    except Exception as e:  # noqa: BLE001 - starlette's MultiPartException and parser errors
        raise UploadError(400, f"The multipart body cannot be parsed: {e}") from None
    wrong = sorted({k for k in form if k not in FIELDS})
    if wrong:
        raise UploadError(422, f"Unknown form field(s) {wrong}. Expected the images in field 'files' "
                               "(curl -F files=@a.png -F files=@b.png).")
    uploads = []
    for key in FIELDS:
        for i, item in enumerate(form.getlist(key)):
            if isinstance(item, str):
                raise UploadError(422, f"Field {key!r} holds text, not a file. Send a file: "
                                       f"curl -F {key}=@digit.png (note the @).")
            uploads.append((item.filename or f"image{i}", await item.read()))
    return uploads


def _json_images(body: bytes) -> list[tuple[str, bytes]]:
    try:
        doc = json.loads(body or b"null")
    except ValueError as e:
        raise UploadError(400, f"The JSON body cannot be parsed: {e}") from None
    if not isinstance(doc, dict) or "images" not in doc or not isinstance(doc["images"], list):
        keys = sorted(doc) if isinstance(doc, dict) else type(doc).__name__
        raise UploadError(422, "Expected a JSON object {\"images\": [base64 string or {\"name\", "
                               f"\"data\"}}, ...]}}. Received keys: {keys}.")
    return [_decode_b64(item, i) for i, item in enumerate(doc["images"])]


def _decode_b64(item, i: int) -> tuple[str, bytes]:
    name, data = f"image{i}", item
    if isinstance(item, dict):
        name, data = str(item.get("name") or name), item.get("data")
    if not isinstance(data, str):
        raise UploadError(422, f"images[{i}] must be a base64 string or {{\"name\", \"data\"}}. "
                               f"Received: {type(data).__name__}")
    if data.startswith("data:") and "," in data:  # a data URL, as a browser's FileReader gives
        data = data.split(",", 1)[1]
    try:
        return name, base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as e:
        raise UploadError(400, f"images[{i}] ({name!r}) is not valid base64: {e}") from None

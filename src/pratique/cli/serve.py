"""`pratique serve MODEL`: an HTTP API (POST /predict) and a page to try the model."""
from __future__ import annotations

import click


@click.command()
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; 0.0.0.0 exposes the model to the network (a warning is printed).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--backend", type=click.Choice(["torch", "onnx"]), default=None,
              help="Run with PyTorch or onnxruntime (default: from the file's suffix).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Server processes, each with its own copy of the model.")
@click.option("--max-batch", type=click.IntRange(min=1), default=32, show_default=True,
              help="Most images per model call (1 turns batching off).")
@click.option("--max-wait-ms", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="How long a batch waits for more requests to join it.")
@click.option("--max-queue", type=click.IntRange(min=1), default=256, show_default=True,
              help="Most images waiting; beyond it requests get 503 with Retry-After.")
def serve(model, host, port, backend, workers, max_batch, max_wait_ms, max_queue):
    """Serve MODEL (.pratique or .onnx) over HTTP until Ctrl-C.

    POST /predict takes images (multipart field `files`, or JSON {"images": [base64...]}) and
    answers labels, probabilities and top-k; GET / is a page to drop images on; GET /info,
    /health and /stats describe the model and the server.

    \b
    Examples:
      pratique serve runs/train/best.pratique
      curl -F files=@digit.png http://127.0.0.1:8000/predict
      pratique serve runs/train/best.pratique --backend onnx --workers 2
    """
    from ..serve import serve as run

    run(model, host, port, backend, workers,
        limits={"max_batch": max_batch, "max_wait_ms": max_wait_ms, "max_queue": max_queue})

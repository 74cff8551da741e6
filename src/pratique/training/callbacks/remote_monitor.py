"""RemoteMonitor: POST each epoch's logs to a server, as JSON."""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
import warnings

import numpy as np
import torch

from ...core.errors import PratiqueError
from .base import Callback


class RemoteMonitor(Callback):
    """Send the logs of each epoch to `root + path` with an HTTP POST (Keras' RemoteMonitor).

    The payload is `{"epoch": n, **logs}`. With `send_as_json=True` it is the request body
    (Content-Type: application/json); otherwise it is form data whose `field` holds the JSON.
    A server that cannot be reached gives a warning, never an error: training goes on.

    Args:
        root: the server, e.g. "http://127.0.0.1:9000".
        path: the path the events go to.
        field: the form field holding the JSON (form mode).
        headers: extra HTTP headers.
        send_as_json: send the JSON as the body.
        timeout: seconds to wait for the server.

    Example:
        >>> RemoteMonitor(root="http://127.0.0.1:9000", send_as_json=True)
    """

    rank_zero_only = True  # writes files or prints: rank 0 only when data-parallel

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers: dict | None = None, send_as_json: bool = False,
                 timeout: float = 5.0):
        self.root, self.path, self.field = root, path, field
        self.headers = dict(headers or {})
        self.send_as_json, self.timeout = send_as_json, timeout

    def on_epoch_end(self, epoch, logs=None):
        payload = {"epoch": epoch, **{k: _plain(v) for k, v in (logs or {}).items()}}
        text = json.dumps(payload)
        headers = dict(self.headers)
        if self.send_as_json:
            body = text.encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: text}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except OSError as e:
            warnings.warn(f"RemoteMonitor could not reach {self.root}: {e}", stacklevel=2)


def _plain(value):
    """A JSON-able value, as Keras sends it: numpy scalars, 1-element arrays and tensors become
    Python numbers (`.item()`: ints stay ints); a larger array is an error, as in Keras."""
    if isinstance(value, (np.ndarray, np.generic, torch.Tensor)):
        if value.size != 1 if isinstance(value, (np.ndarray, np.generic)) else value.numel() != 1:
            raise PratiqueError(f"RemoteMonitor sends numbers; the logs hold an array of shape "
                                f"{tuple(value.shape)}. Log a scalar (e.g. its mean) instead.")
        return value.item()
    return value

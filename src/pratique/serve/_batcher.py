"""Dynamic batching: requests that arrive within `max_wait_ms` of each other go through the model
together, up to `max_batch` images, from one bounded asyncio queue drained by one worker task.

The model runs in one worker thread (one batch at a time, the event loop stays free to accept and
decode the next requests, which queue up and make the next batch). A request is never split.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import torch

from ..models.outputs import probabilities


class QueueFull(Exception):
    """More images wait than `max_queue`: the server answers 503 with Retry-After."""


@dataclass
class _Entry:
    x: torch.Tensor  # uint8 (n, C, H, W): one request's images, as Preprocessing.read gives them
    future: asyncio.Future = field(default=None)


class Batcher:
    """`await batcher.submit(x_uint8)` -> probabilities (n, K), computed in shared batches.

    Args:
        runner: a runner of tasks/_runners.py (`runner(x)` -> logits, `runner.preprocess`).
        max_batch: most images in one model call (1 turns batching off).
        max_wait_ms: how long the first request of a batch waits for company.
        max_queue: most images waiting; beyond it `submit` raises QueueFull.
    """

    def __init__(self, runner, max_batch: int = 32, max_wait_ms: float = 5.0, max_queue: int = 256):
        self.runner, self.fn = runner, self._infer
        self.max_batch, self.max_wait, self.max_queue = int(max_batch), max_wait_ms / 1000, int(max_queue)
        self.stats = {"requests": 0, "images": 0, "batches": 0, "largest_batch": 0, "rejected": 0,
                      "queued_images": 0}
        self._queue: asyncio.Queue | None = None
        self._carry: _Entry | None = None  # taken from the queue but too big for the last batch
        self._task = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="pratique-model")

    def start(self) -> None:
        self._queue = asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(self._work())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._executor.shutdown(wait=True)

    async def submit(self, x: torch.Tensor) -> np.ndarray:
        n = x.shape[0]
        if self.stats["queued_images"] + n > self.max_queue:
            self.stats["rejected"] += 1
            raise QueueFull(f"{self.stats['queued_images']} images are waiting (max_queue="
                            f"{self.max_queue}); this request's {n} would exceed it.")
        entry = _Entry(x, asyncio.get_running_loop().create_future())
        self.stats["queued_images"] += n
        self._queue.put_nowait(entry)
        return await entry.future

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._collect(loop)
            batch = [e for e in batch if not e.future.done()]  # timed-out requests are not run
            if not batch:
                continue
            try:
                probs = await loop.run_in_executor(self._executor, self.fn, [e.x for e in batch])
            except Exception as e:  # noqa: BLE001 - the model's failure is each request's 500
                for entry in batch:
                    if not entry.future.done():
                        entry.future.set_exception(e)
                continue
            self._count(batch)
            start = 0
            for entry in batch:
                n = entry.x.shape[0]
                if not entry.future.done():
                    entry.future.set_result(probs[start:start + n])
                start += n

    async def _collect(self, loop) -> list[_Entry]:
        first = self._carry or await self._queue.get()
        self._carry = None
        batch, n = [first], first.x.shape[0]
        deadline = loop.time() + self.max_wait
        while n < self.max_batch:
            if self._queue.empty():
                left = deadline - loop.time()
                if left <= 0:
                    break
                try:
                    entry = await asyncio.wait_for(self._queue.get(), left)
                except asyncio.TimeoutError:
                    break
            else:
                entry = self._queue.get_nowait()
            if n + entry.x.shape[0] > self.max_batch:
                self._carry = entry
                break
            batch.append(entry)
            n += entry.x.shape[0]
        self.stats["queued_images"] -= sum(e.x.shape[0] for e in batch)
        return batch

    def _count(self, batch) -> None:
        n = sum(e.x.shape[0] for e in batch)
        s = self.stats
        s["requests"] += len(batch)
        s["images"] += n
        s["batches"] += 1
        s["largest_batch"] = max(s["largest_batch"], n)

    def _infer(self, xs: list[torch.Tensor]) -> np.ndarray:
        """uint8 images -> probabilities, as `ImageClassifier.predict(files, "probabilities")`:
        the batch normalized whole, the runner's outputs read as their kind says (a softmax of
        logits; a binary head's sigmoid as two columns; probabilities as they are)."""
        pre = self.runner.preprocess
        x = pre.normalize(torch.cat(xs) if len(xs) > 1 else xs[0])
        return probabilities(torch.as_tensor(self.runner(x)), self.runner.outputs).numpy()

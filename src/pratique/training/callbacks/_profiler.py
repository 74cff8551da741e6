"""TensorBoard(profile_batch=): trace a range of training batches with torch.profiler."""
from __future__ import annotations

import os

from ...core.errors import PratiqueError


class BatchProfiler:
    """Starts torch.profiler before batch `start` and writes the trace after batch `stop`
    (both counted from 1 over the fit, as Keras counts them) to `log_dir/plugins/profile`."""

    def __init__(self, log_dir: str, start: int, stop: int):
        self.dir = os.path.join(log_dir, "plugins", "profile")
        self.start, self.stop = start, stop
        self._prof = None

    @staticmethod
    def check(profile_batch) -> tuple[int, int] | tuple:
        """(start, stop) from Keras' forms: 0, an int, "start,stop" or (start, stop); () when off."""
        value = profile_batch
        if isinstance(value, str):
            value = [int(v) for v in value.split(",")] if value.replace(",", "").isdigit() else value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return (value, value) if value else ()
        if (isinstance(value, (tuple, list)) and len(value) == 2 and all(
                isinstance(v, int) and not isinstance(v, bool) for v in value) and 0 < value[0] <= value[1]):
            return tuple(value)
        raise PratiqueError("profile_batch must be a non-negative integer or a (start, stop) pair of "
                            f"positive integers with start <= stop. Received: profile_batch={profile_batch!r}")

    def batch_begin(self, n: int) -> None:
        if n == self.start and self._prof is None:
            import torch.profiler as tp

            activities = [tp.ProfilerActivity.CPU]
            import torch

            if torch.cuda.is_available():
                activities.append(tp.ProfilerActivity.CUDA)
            os.makedirs(self.dir, exist_ok=True)
            self._prof = tp.profile(activities=activities, on_trace_ready=tp.tensorboard_trace_handler(self.dir))
            self._prof.__enter__()

    def batch_end(self, n: int) -> None:
        if self._prof is not None:
            self._prof.step()
            if n >= self.stop:
                self.close()

    def close(self) -> None:
        if self._prof is not None:
            prof, self._prof = self._prof, None
            prof.__exit__(None, None, None)

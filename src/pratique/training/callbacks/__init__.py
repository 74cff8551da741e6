"""Callbacks with Keras' names, arguments and semantics."""
from ...core.errors import PratiqueError as _PratiqueError
from ...core.registry import Registry as _Registry
from .backup_and_restore import BackupAndRestore as BackupAndRestore
from .base import Callback as Callback
from .base import CallbackList as CallbackList
from .csv_logger import CSVLogger as CSVLogger
from .early_stopping import EarlyStopping as EarlyStopping
from .history import History as History
from .lambda_callback import LambdaCallback as LambdaCallback
from .lr_scheduler import LearningRateScheduler as LearningRateScheduler
from .model_checkpoint import ModelCheckpoint as ModelCheckpoint
from .progbar import ProgbarLogger as ProgbarLogger
from .reduce_lr_on_plateau import ReduceLROnPlateau as ReduceLROnPlateau
from .remote_monitor import RemoteMonitor as RemoteMonitor
from .resume_checkpoint import ResumeCheckpoint as ResumeCheckpoint
from .swap_ema_weights import SwapEMAWeights as SwapEMAWeights
from .tensorboard import TensorBoard as TensorBoard
from .terminate_on_nan import TerminateOnNaN as TerminateOnNaN

__all__ = ["CALLBACKS", "BackupAndRestore", "Callback", "CallbackList", "CSVLogger", "EarlyStopping",
           "History", "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
           "ReduceLROnPlateau", "RemoteMonitor", "ResumeCheckpoint", "SwapEMAWeights", "TensorBoard",
           "TerminateOnNaN", "get", "list_callbacks"]

# snake_case name -> class; `get` also takes the class name ("EarlyStopping")
CALLBACKS = _Registry("callback")
for _name, _cls in {
        "backup_and_restore": BackupAndRestore, "csv_logger": CSVLogger,
        "early_stopping": EarlyStopping, "history": History, "lambda_callback": LambdaCallback,
        "learning_rate_scheduler": LearningRateScheduler, "model_checkpoint": ModelCheckpoint,
        "progbar_logger": ProgbarLogger, "reduce_lr_on_plateau": ReduceLROnPlateau,
        "remote_monitor": RemoteMonitor, "resume_checkpoint": ResumeCheckpoint,
        "swap_ema_weights": SwapEMAWeights, "tensorboard": TensorBoard,
        "terminate_on_nan": TerminateOnNaN}.items():
    CALLBACKS.add(_name, _cls)


def get(name, **kwargs) -> Callback:
    """A callback by name with its arguments: the snake_case name or Keras' class name.

    Example:
        >>> early = get("early_stopping", patience=3)   # or get("EarlyStopping", patience=3)
    """
    if isinstance(name, Callback):
        return name
    if isinstance(name, str):
        name = next((n for n, cls in CALLBACKS.items() if cls.__name__ == name), name)
    try:
        return CALLBACKS.get(name, **kwargs)
    except TypeError as e:
        raise _PratiqueError(f"Bad arguments for callback {name!r}: {e}. Received: {kwargs}") from e


def list_callbacks(glob: str | None = None) -> list[str]:
    """Callback names (snake_case), sorted, optionally matching a glob."""
    return CALLBACKS.list(glob)

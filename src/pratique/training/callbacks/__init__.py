"""Callbacks with Keras' names, arguments and semantics."""
from .base import Callback as Callback
from .base import CallbackList as CallbackList
from .csv_logger import CSVLogger as CSVLogger
from .history import History as History
from .model_checkpoint import ModelCheckpoint as ModelCheckpoint
from .progbar import ProgbarLogger as ProgbarLogger
from .tensorboard import TensorBoard as TensorBoard

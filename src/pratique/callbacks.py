"""`pratique.callbacks` (Keras' `keras.callbacks`): the very module `pratique.training.callbacks`."""
import sys

from .training import callbacks as _module

sys.modules[__name__] = _module  # the import system hands this module to whoever imports ours

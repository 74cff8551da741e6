"""`pratique.schedules` (Keras' `keras.schedules`): the very module `pratique.training.schedules`."""
import sys

from .training import schedules as _module

sys.modules[__name__] = _module  # the import system hands this module to whoever imports ours

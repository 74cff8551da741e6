"""`pratique.optimizers` (Keras' `keras.optimizers`): the very module `pratique.training.optimizers`."""
import sys

from .training import optimizers as _module

sys.modules[__name__] = _module  # the import system hands this module to whoever imports ours

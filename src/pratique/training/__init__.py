"""The loop on Lightning Fabric, callbacks, losses, metrics, optimizers, schedules, checkpoints.

Keras' loss and metric names live in their own modules, which register into the losses' and
metrics' registries; importing the package registers them, whichever submodule is asked for
first (a package's __init__ runs before its submodules), without an import cycle.
"""
from . import _keras_losses as _keras_losses  # noqa: F401  (registers Keras' loss names)
from . import _keras_metrics as _keras_metrics  # noqa: F401  (registers Keras' metric names)

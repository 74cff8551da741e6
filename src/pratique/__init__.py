"""pratique: deep learning by practice, from a perceptron to a fine-tuned pretrained network.

The public names are imported on first use (`pq.Model` imports the tasks, Lightning only when a
Fabric is made), so `import pratique` and the CLI start fast; see docs/architecture.md.
"""
from typing import TYPE_CHECKING

from ._version import __version__ as __version__
from .core.lazy import lazy_names

_NAMES = {  # public name -> "module:attr" (or "module"), relative to this package
    "data": ".data", "datasets": ".datasets", "lab": ".lab", "models": ".models",
    "reports": ".reports", "explain": ".explain", "attacks": ".attacks", "anomaly": ".anomaly",
    "PratiqueError": ".core.errors:PratiqueError",
    "UnknownNameError": ".core.errors:UnknownNameError",
    "seed_everything": ".core.seed:seed_everything",
    "ImageDataGenerator": ".data.keras:ImageDataGenerator",
    "image_dataset_from_directory": ".data.keras:image_dataset_from_directory",
    "ImageData": ".data.module:ImageData",
    "SeriesData": ".data.series:SeriesData",
    "ImageClassifier": ".tasks.classifier:ImageClassifier",
    "Ensemble": ".tasks.ensemble:Ensemble",
    "Forecaster": ".tasks.forecast:Forecaster",
    "Model": ".tasks.model:Model",
    "load": ".tasks.model:load",
    # Keras' families, also importable as `pratique.callbacks` etc. (see callbacks.py)
    "callbacks": ".callbacks", "losses": ".losses", "metrics": ".metrics",
    "optimizers": ".optimizers", "schedules": ".schedules",
    "split_backbone_head": ".training.split:split_backbone_head",
}
__all__ = ["__version__", "serve", *_NAMES]  # noqa: PLE0604  (names resolved by __getattr__)
__getattr__, __dir__ = lazy_names(__name__, _NAMES)

if TYPE_CHECKING:  # what type checkers and IDEs read; the same names as _NAMES
    from . import anomaly as anomaly
    from . import attacks as attacks
    from . import callbacks as callbacks
    from . import data as data
    from . import datasets as datasets
    from . import explain as explain
    from . import lab as lab
    from . import losses as losses
    from . import metrics as metrics
    from . import models as models
    from . import optimizers as optimizers
    from . import reports as reports
    from . import schedules as schedules
    from .core.errors import PratiqueError as PratiqueError
    from .core.errors import UnknownNameError as UnknownNameError
    from .core.seed import seed_everything as seed_everything
    from .data.keras import ImageDataGenerator as ImageDataGenerator
    from .data.keras import image_dataset_from_directory as image_dataset_from_directory
    from .data.module import ImageData as ImageData
    from .data.series import SeriesData as SeriesData
    from .tasks.classifier import ImageClassifier as ImageClassifier
    from .tasks.ensemble import Ensemble as Ensemble
    from .tasks.forecast import Forecaster as Forecaster
    from .tasks.model import Model as Model
    from .tasks.model import load as load
    from .training.split import split_backbone_head as split_backbone_head

# `pq.serve` is the function, not the subpackage of the same name: bound now (the subpackage
# imports nothing heavy), so that importing `pratique.serve.app` later cannot shadow it.
from .serve import serve as serve  # noqa: E402

del TYPE_CHECKING, lazy_names

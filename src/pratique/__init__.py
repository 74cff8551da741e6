"""pratique: deep learning by practice, from a perceptron to a fine-tuned pretrained network."""
from . import data as data
from . import datasets as datasets
from . import lab as lab
from . import models as models
from . import reports as reports
from ._version import __version__ as __version__
from .core.errors import PratiqueError as PratiqueError
from .core.errors import UnknownNameError as UnknownNameError
from .core.seed import seed_everything as seed_everything
from .data.keras import ImageDataGenerator as ImageDataGenerator
from .data.keras import image_dataset_from_directory as image_dataset_from_directory
from .data.module import ImageData as ImageData
from .tasks.classifier import ImageClassifier as ImageClassifier
from .tasks.ensemble import Ensemble as Ensemble
from .tasks.model import Model as Model
from .tasks.model import load as load
from .training import callbacks as callbacks
from .training import losses as losses
from .training import metrics as metrics
from .training import optimizers as optimizers
from .training import schedules as schedules
from .training.split import split_backbone_head as split_backbone_head


def _alias_submodules() -> None:
    """`from pratique.callbacks import EarlyStopping` (Keras' `keras.callbacks`): the public
    families are importable by their short path too, as the very modules `pq.callbacks` etc. are."""
    import sys

    for name in ("callbacks", "losses", "metrics", "optimizers", "schedules"):
        sys.modules.setdefault(f"{__name__}.{name}", globals()[name])


_alias_submodules()

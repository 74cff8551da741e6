"""pratique: deep learning by practice, from a perceptron to a fine-tuned pretrained network."""
from . import datasets as datasets
from . import models as models
from ._errors import PratiqueError as PratiqueError
from ._errors import UnknownNameError as UnknownNameError
from ._seed import seed_everything as seed_everything
from ._version import __version__ as __version__
from .tasks.classifier import ImageClassifier as ImageClassifier
from .tasks.model import Model as Model
from .tasks.model import load as load
from .training import callbacks as callbacks
from .training import losses as losses
from .training import metrics as metrics
from .training import optimizers as optimizers
from .training import schedules as schedules
from .training.finetune import split_backbone_head as split_backbone_head

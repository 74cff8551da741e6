"""`pq.models`: the registry of architectures, activations, pretrained weights and the summary."""
from .activations import get_activation as get_activation
from .activations import list_activations as list_activations
from .cut import cut as cut
from .ensemble import EnsembleModule as EnsembleModule
from .pretrained import imagenet_classes as imagenet_classes
from .pretrained import load_weights as load_weights
from .registry import ModelCard as ModelCard
from .registry import create_model as create_model
from .registry import get_model_card as get_model_card
from .registry import list_models as list_models
from .registry import register_model as register_model
from .series import series_recipe as series_recipe
from .summary import Summary as Summary
from .summary import summarize as summarize

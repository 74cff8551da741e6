"""`pq.models`: the registry of architectures and the summary."""
from .registry import create_model as create_model
from .registry import get_model_card as get_model_card
from .registry import list_models as list_models
from .registry import register_model as register_model
from .summary import summarize as summarize

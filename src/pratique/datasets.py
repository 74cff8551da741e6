"""`pq.datasets`: named datasets, Keras-style (`load_data("mnist5k")`)."""
from .data.datasets import dataset_info as dataset_info
from .data.datasets import list_datasets as list_datasets
from .data.datasets import load_data as load_data
from .data.datasets import register_dataset as register_dataset
from .data.datasets import write_shapes_folder as write_shapes_folder

__all__ = ["dataset_info", "list_datasets", "load_data", "register_dataset", "write_shapes_folder"]

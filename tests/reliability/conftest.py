import importlib.util
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="session")
def tiny():
    """The tiny deterministic MLP set-up of `_tiny.py` (also run as a script by the kill tests)."""
    spec = importlib.util.spec_from_file_location("_reliability_tiny", os.path.join(HERE, "_tiny.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

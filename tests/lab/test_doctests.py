import doctest
import importlib

import pytest

MODULES = ["autograd", "broadcasting", "convolution", "gradient_descent", "mlp", "perceptron",
           "softmax", "toy_data"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"pratique.lab.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0

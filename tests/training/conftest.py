import pytest
from training_helpers import make_data


@pytest.fixture
def data():
    return make_data()

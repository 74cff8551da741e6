import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from pratique import PratiqueError
from pratique.lab import broadcast_shape, explain_broadcast

shapes = st.lists(st.sampled_from([0, 1, 1, 2, 3]), min_size=0, max_size=4).map(tuple)


@settings(max_examples=300, deadline=None)
@given(shapes, shapes)
def test_agrees_with_torch_broadcast_shapes(a, b):
    try:
        expected = tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        with pytest.raises(ValueError):
            broadcast_shape(a, b)
    else:
        assert broadcast_shape(a, b) == expected


def test_explanation_names_each_dimension():
    text = explain_broadcast((8, 1, 6, 1), (7, 1, 5))
    assert "missing in b" in text and "a is 1, stretched -> 7" in text
    assert text.endswith("result shape: (8, 7, 6, 5)")


def test_clash_says_which_dimensions_and_why():
    with pytest.raises(PratiqueError) as info:
        broadcast_shape((2, 3), (4, 3, 2))
    msg = str(info.value)
    assert "dim -2 (a has 2, b has 3)" in msg and "dim -1 (a has 3, b has 2)" in msg
    assert "CLASH: 2 vs 3, neither is 1" in msg and "missing in a" in msg

"""Random input never crashes with anything but a clear error (PratiqueError / FileNotFoundError)."""
import math
import os
import tempfile

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pratique import PratiqueError
from pratique.config import TrainConfig
from pratique.tasks._artifact import read_model_file
from pratique.training.checkpoint import load_checkpoint

CLEAR = (PratiqueError, FileNotFoundError)
FIELDS = list(TrainConfig.__dataclass_fields__)
values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                   st.text(max_size=20), st.lists(st.integers(), max_size=3),
                   st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=12))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.dictionaries(keys, values, max_size=6))
def test_config_from_random_dicts(d):
    try:
        config = TrainConfig.from_dict(d)
    except CLEAR:
        return
    for key, value in d.items():  # what was accepted was kept, with its type
        got = getattr(config, key)
        assert got == value or (_nan(got) and _nan(value))
    assert TrainConfig.from_dict(config.to_dict()) == config or any(_nan(v) for v in d.values())


def _nan(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


@FAST
@given(st.text(max_size=200))
def test_config_from_random_yaml(text):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
    try:
        TrainConfig.from_yaml(f.name)
    except CLEAR:
        pass
    except Exception as e:  # noqa: BLE001 -- YAML syntax errors must name the file, not escape raw
        pytest.fail(f"{type(e).__name__}: {e}")
    finally:
        os.unlink(f.name)


def _bytes_file(data: bytes, suffix: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as f:
        f.write(data)
    return f.name


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes_as_model_file_and_checkpoint(data):
    for suffix, load in ((".pratique", read_model_file), (".ckpt", load_checkpoint)):
        path = _bytes_file(data, suffix)
        try:
            load(path)
        except CLEAR:
            pass
        finally:
            os.unlink(path)


@FAST
@given(st.binary(max_size=300), st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0",
                                                 b"GIF89a", b"BM", b""]))
def test_random_bytes_as_image(data, magic):
    decode = pytest.importorskip("pratique.data.decode")  # the data area's decoder, when merged
    path = _bytes_file(magic + data, ".png")
    try:
        out = decode.decode_image(path)
        assert isinstance(out, torch.Tensor) and out.dtype == torch.uint8
    except CLEAR:
        pass
    finally:
        os.unlink(path)

"""Hostile `.pratique` files are refused, naming the file and the problem, before anything costly:
no model bigger than the file, no network, no path the file names is opened, bounded memory."""
import importlib.util
import json
import os
import socket
import subprocess
import sys

import pytest

import pratique as pq

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("_reliability_hostile", os.path.join(HERE, "_hostile.py"))
hostile = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hostile)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    with pytest.warns(UserWarning, match="Duplicate name"):  # zipfile lets a writer add it twice
        return hostile.make_all(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def no_network(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError(f"loading opened a connection to {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


CASES = ["huge_architecture", "hub_weights", "timm_checkpoint_path", "path_in_kwargs", "hub_name",
         "std_zero", "std_negative", "mean_nan", "std_inf", "unknown_key", "unknown_preprocessing",
         "int32_weights", "second_manifest", "zip_bomb"]


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_file_is_refused_naming_file_and_problem(files, case, no_network):
    path, needle = files[case]
    with pytest.raises(pq.PratiqueError) as info:
        pq.load(path)
    message = str(info.value)
    assert str(path) in message and needle in message, message


def test_the_good_file_still_loads(files, no_network):
    model = pq.load(files["huge_architecture"][0].parent / "good.pratique")
    assert model.architecture["kwargs"]["hidden"] == [8]


def test_no_path_named_by_a_file_is_opened(files, monkeypatch):
    import builtins

    opened = []
    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda f, *a, **k: opened.append(str(f)) or real_open(f, *a, **k))
    for case in ("timm_checkpoint_path", "path_in_kwargs"):
        with pytest.raises(pq.PratiqueError):
            pq.load(files[case][0])
    assert not [f for f in opened if "passwd" in f]


_MEASURE = """
import json, resource, sys
import pratique as pq
pq.load(sys.argv[1])  # warm: lazy imports and first-call allocations are not the file's doing
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
peaks = {}
for path in sys.argv[2:]:
    try:
        pq.load(path)
        peaks[path] = "loaded"
    except pq.PratiqueError:
        peaks[path] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024  # MB
print(json.dumps(peaks))
"""


def test_peak_memory_loading_hostile_files_stays_small(files):
    paths = [str(files[c][0]) for c in CASES]
    good = str(files["huge_architecture"][0].parent / "good.pratique")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", _MEASURE, good, *paths], check=False,
                         capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    peaks = json.loads(out.stdout.strip().splitlines()[-1])
    assert all(isinstance(v, float) and v < 200 for v in peaks.values()), peaks  # MB above baseline

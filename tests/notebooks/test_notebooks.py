"""The course notebooks run top to bottom in a real kernel (the venv's python), their cells
assert what they show, and they are stored without outputs. Rich output (progress lines, HTML
tables, inline figures) is checked in that same kind of kernel."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SLOW = {"06_transfer_learning"}  # a pretrained EfficientNet on 2 shared cores: over ~30 s


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """A `python3` kernelspec that runs this very interpreter, with this checkout's src first."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("kernel")
    install(prefix=str(prefix))  # kernel.json's argv[0] is sys.executable
    kernels = prefix / "share" / "jupyter" / "kernels"
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    return kernels, env


def execute(nb, kernels, env, cwd, timeout=180):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    km = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    assert Path(km.kernel_spec.argv[0]).resolve() == Path(sys.executable).resolve()
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits them
    try:
        NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return nb


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=[pytest.mark.slow] if p.stem in SLOW else [])
                                  for p in NOTEBOOKS])
def test_notebook_runs(path, kernel_env, tmp_path):
    nb = execute(nbformat.read(path, as_version=4), *kernel_env, tmp_path)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


def test_the_six_course_sessions_are_there():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_stored_without_outputs(path):
    """nbstripout's rule: a committed notebook carries no outputs and no execution counts."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and "%pip install" in code[0].source and "import pratique" in code[0].source
    dirty = [i for i, c in enumerate(code) if c.outputs or c.execution_count is not None]
    assert not dirty, f"{path.name}: cells {dirty} hold outputs; clear them before committing"


RICH = [
    "import matplotlib\nbefore = matplotlib.get_backend()\nimport pratique as pq\nimport pratique.reports",
    "assert matplotlib.get_backend() == before, matplotlib.get_backend()",
    "(x, y), (xt, yt) = pq.datasets.load_data('mnist5k')\n"
    "model = pq.ImageClassifier('mlp', num_classes=10, seed=0)\n"
    "model.compile(optimizer='adam', loss='cross_entropy', metrics=['accuracy'])\n"
    "history = model.fit(x[:640], y[:640], epochs=3, batch_size=8, seed=0, verbose=1)",
    "model.summary(print_fn=None)",
    "history",
    "model.evaluate(xt[:200], yt[:200], report=True, verbose=0)",
    "pq.ImageData.from_numpy(x[:50], y[:50])",
    "pq.reports.plot_history(history)",
]


def test_rich_output_in_a_kernel(kernel_env, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in RICH])
    cells = execute(nb, *kernel_env, tmp_path).cells
    fit = "".join(o.get("text", "") for o in cells[2].outputs if o.output_type == "stream")
    lines = [ln for ln in fit.splitlines() if ln.strip()]
    # 80 batches per epoch, yet one line per epoch: a notebook's output is no terminal
    assert [ln.split(" - ")[0] for ln in lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"], fit
    html = [next(o.data["text/html"] for o in c.outputs if "text/html" in o.get("data", {}))
            for c in cells[3:7]]
    assert "<table>" in html[0] and "101,770" in html[0]  # mlp: 784*128+128 + 128*10+10
    assert "History (3 epochs)" in html[1] and html[1].count("<tr>") == 4
    assert "Confusion matrix" in html[2] and "Per class" in html[2]
    assert "data:image/png;base64," in html[3] and "samples" in html[3]
    images = [o for o in cells[7].outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the returned figure shows once, inline

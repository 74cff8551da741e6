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
SLOW: set[str] = set()  # every notebook runs in make test (06, the pretrained EfficientNet: ~7 s quiet)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """One `python3` kernel running this very interpreter, with this checkout's src first,
    shared by the notebooks of this file: each starts with `%reset -f` (a clean namespace), and
    torch is imported once, not once per notebook (seconds each on 2 cores)."""
    from ipykernel.kernelspec import install
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    prefix = tmp_path_factory.mktemp("kernel")
    install(prefix=str(prefix))  # kernel.json's argv[0] is sys.executable
    specs = KernelSpecManager(kernel_dirs=[str(prefix / "share" / "jupyter" / "kernels")])
    km = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    assert Path(km.kernel_spec.argv[0]).resolve() == Path(sys.executable).resolve()
    path = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
    km.start_kernel(env=dict(os.environ, PYTHONPATH=path, PYDEVD_DISABLE_FILE_VALIDATION="1"),
                    cwd=str(prefix))
    yield km
    km.shutdown_kernel(now=True)


def execute(nb, km, cwd, timeout=180):
    """Run `nb` in `km`'s kernel from a clean namespace, in the folder `cwd`; returns its cells."""
    from nbclient import NotebookClient

    prelude = nbformat.v4.new_code_cell(f"%reset -f\nimport os\nos.chdir({str(cwd)!r})")
    nb.cells.insert(0, prelude)
    NotebookClient(nb, km=km, timeout=timeout).execute()
    return nb.cells[1:]


RICH = [
    "import matplotlib\nbefore = matplotlib.get_backend()\nimport pratique as pq\nimport pratique.reports",
    "assert matplotlib.get_backend() == before, matplotlib.get_backend()",
    ("(x, y), (xt, yt) = pq.datasets.load_data('mnist5k')\n"
     "model = pq.ImageClassifier('mlp', num_classes=10, seed=0)\n"
     "model.compile(optimizer='adam', loss='cross_entropy', metrics=['accuracy'])\n"
     "history = model.fit(x[:320], y[:320], epochs=2, batch_size=8, seed=0, verbose=1)"),
    "model.summary(print_fn=None)",
    "history",
    "model.evaluate(xt[:200], yt[:200], report=True, verbose=0)",
    "pq.ImageData.from_numpy(x[:50], y[:50])",
    "pq.reports.plot_history(history)",
]


def test_rich_output_in_a_kernel(kernel, tmp_path):
    """First in this file, so the kernel imports pratique here: the backend check means something."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in RICH])
    cells = execute(nb, kernel, tmp_path)
    fit = "".join(o.get("text", "") for o in cells[2].outputs if o.output_type == "stream")
    lines = [ln for ln in fit.splitlines() if ln.strip()]
    # 40 batches per epoch, yet one line per epoch: a notebook's output is no terminal
    assert [ln.split(" - ")[0] for ln in lines] == ["Epoch 1/2", "Epoch 2/2"], fit
    html = [next(o.data["text/html"] for o in c.outputs if "text/html" in o.get("data", {}))
            for c in cells[3:7]]
    assert "<table>" in html[0] and "101,770" in html[0]  # mlp: 784*128+128 + 128*10+10
    assert "History (2 epochs)" in html[1] and html[1].count("<tr>") == 3
    assert "Confusion matrix" in html[2] and "Per class" in html[2]
    assert "data:image/png;base64," in html[3] and "samples" in html[3]
    images = [o for o in cells[7].outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the returned figure shows once, inline


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=[pytest.mark.slow] * (p.stem in SLOW))
                                  for p in NOTEBOOKS])
def test_notebook_runs(path, kernel, tmp_path):
    cells = execute(nbformat.read(path, as_version=4), kernel, tmp_path)  # a failing cell raises
    assert all(c.execution_count for c in cells if c.cell_type == "code")


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

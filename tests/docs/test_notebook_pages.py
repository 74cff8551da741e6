"""The docs site shows every course notebook as an executed page with its figures
(docs/notebooks/<name>.md, written by docs/export_notebooks.py), and those pages are not stale:
their code is the notebook's code, cell for cell."""
from __future__ import annotations

import base64
import importlib.util
import io
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGES = ROOT / "docs" / "notebooks"
_CODE = re.compile(r"^```python\n(.*?)\n```$", re.MULTILINE | re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+\.png)\)")


def _exporter():
    spec = importlib.util.spec_from_file_location("export_notebooks",
                                                  ROOT / "docs" / "export_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_notebook_has_its_executed_page(path):
    page = PAGES / f"{path.stem}.md"
    assert page.is_file(), f"run `python docs/export_notebooks.py {path.stem}`"
    text = page.read_text(encoding="utf-8")
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert _CODE.findall(text) == code, f"{page.name} is stale: re-run docs/export_notebooks.py"
    assert "```text" in text or '<div class="nb-output">' in text  # it was executed
    for image in _IMAGE.findall(text):
        png = (page.parent / image).read_bytes()
        assert png.startswith(b"\x89PNG"), image
    plots = sum("plot_" in c for c in code)
    assert len(_IMAGE.findall(text)) >= plots, "a plot cell's figure is missing from the page"


def test_every_page_is_in_the_nav_and_linked():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    index = (ROOT / "docs" / "notebooks.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"notebooks/{path.stem}.md" in nav
        assert f"(notebooks/{path.stem}.md)" in index


def _png() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_to_markdown_streams_html_and_images(tmp_path):
    v4 = nbformat.v4
    cell = v4.new_code_cell("fit()\nfig", outputs=[
        v4.new_output("stream", name="stdout", text="Epoch 1/2\n"),
        v4.new_output("stream", name="stdout", text="Epoch 2/2\n"),
        v4.new_output("execute_result", data={"text/html": "<table>\n\n<tr><td>1</td></tr>\n</table>",
                                              "text/plain": "<History>"}, execution_count=1),
        v4.new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure>"}),
        v4.new_output("stream", name="stderr", text="\x1b[31mwarning\x1b[0m\n"),
        v4.new_output("stream", name="stdout", text="fin\n"),
        v4.new_output("stream", name="stderr", text="/x/site-packages/tqdm/auto.py:21: TqdmWarning"),
    ])
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# Titre"), cell])
    text = _exporter().to_markdown(nb, "nb", tmp_path)
    assert "```text\nEpoch 1/2\nEpoch 2/2\n```" in text  # one block, as Jupyter shows it
    assert '<div class="nb-output">\n<table>\n<tr><td>1</td></tr>\n</table>\n</div>' in text
    assert "<History>" not in text  # the HTML, not the plain text
    assert "![figure 1](nb_files/nb_1.png)" in text
    assert (tmp_path / "nb_files" / "nb_1.png").read_bytes().startswith(b"\x89PNG")
    assert "```text\nwarning\n```" in text  # colour codes stripped
    assert "```text\nfin\n```" in text and "TqdmWarning" not in text  # not a dependency's noise
    assert "colab.research.google.com" in text and "notebooks/nb.ipynb" in text

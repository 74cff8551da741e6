"""The documentation site builds in strict mode (a broken link, a page missing from the nav or an
unresolved API reference fails), and the benchmark page shows bench/RESULTS.md when there is one."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _build(site: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def test_docs_build_strict_offline(tmp_path):
    result = _build(tmp_path / "site")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = tmp_path / "site"
    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    assert 'id="pratique.Model.fit"' in reference  # mkdocstrings rendered the docstrings
    for name in ("pratique.ImageData", "pratique.Ensemble", "pratique.tasks.run.evaluate",
                 "pratique.tasks.predict", "pratique.tasks.export", "pratique.training.losses",
                 "pratique.training.metrics", "pratique.training.schedules",
                 "pratique.reports.evaluation.evaluation_report",
                 "pratique.reports.decision_regions.plot_decision_regions"):
        assert f'id="{name}"' in reference, f"{name} missing from docs/reference.md"
    gallery = (site / "examples" / "index.html").read_text(encoding="utf-8")
    for example in sorted((ROOT / "examples").glob("*.py")):
        assert example.name in gallery, f"{example.name} missing from the gallery"
    notebook = (site / "notebooks" / "03_mlp_mnist5k" / "index.html").read_text(encoding="utf-8")
    assert '<img alt="figure 1" src="../03_mlp_mnist5k_files/03_mlp_mnist5k_1.png"' in notebook
    assert (site / "notebooks" / "03_mlp_mnist5k_files" / "03_mlp_mnist5k_1.png").is_file()
    assert "Total params: 101,770" in notebook  # the summary's HTML table came through
    bench = (site / "benchmarks" / "index.html").read_text(encoding="utf-8")
    results = ROOT / "bench" / "RESULTS.md"
    if results.is_file():  # its first heading, demoted one level, is on the page
        heading = next(line for line in results.read_text().splitlines() if line.startswith("#"))
        assert heading.lstrip("#").strip() in bench
    else:
        assert "No results in this checkout" in bench


def test_every_example_is_in_the_gallery():
    text = (ROOT / "docs" / "examples.md").read_text(encoding="utf-8")
    for example in sorted((ROOT / "examples").glob("*.py")):
        assert f"examples/{example.name}" in text, f"add {example.name} to docs/examples.md"

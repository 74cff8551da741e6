"""The floors hold: imports only point down (import-linter's contract in pyproject.toml), and no
two modules import each other at module level (docs/architecture.md)."""
import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def test_import_linter_layers_contract_is_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        found = shutil.which("lint-imports")
        if found is None:
            pytest.skip("import-linter is not installed: pip install -e '.[dev]' installs it")
        lint = Path(found)
    # this checkout's src first, whatever copy of pratique the environment has installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([str(lint), "--no-cache"], check=False, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """pratique modules that `path` imports when it is itself imported (not inside functions)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text()).body:
        if _is_type_checking(node):
            continue
        for sub in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
            if isinstance(sub, ast.Import):
                found |= {a.name for a in sub.names}
            elif isinstance(sub, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - sub.level + 1] if sub.level else []
                target = ".".join([*base, *([sub.module] if sub.module else [])])
                found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target
                          for a in sub.names}
    return {m for m in found if m in modules and m != name}


# Module-level import cycles tolerated: none (Keras' loss and metric names register into their
# registries from training/__init__.py, not from the bottom of losses.py / metrics.py).
KNOWN: set[tuple[str, str]] = set()


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return [*path[path.index(n):], n]
            if n not in state and (found := visit(n)):
                return found
        state[m] = 2
        path.pop()
        return None

    return next((c for m in sorted(graph) if m not in state and (c := visit(m))), None)


def test_no_module_level_import_cycle():
    files = sorted((SRC / "pratique").rglob("*.py"))
    modules = {_module_name(f) for f in files}
    graph = {_module_name(f): _top_level_imports(f, modules) for f in files}
    assert "pratique.training.trainer" in graph["pratique.tasks.model"]  # the walk sees imports
    for low, high in KNOWN:
        graph[high].discard(low)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))

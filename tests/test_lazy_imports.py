"""`import pratique` and the CLI start fast: the public names are imported on first use (PEP 562),
Lightning only when a Fabric is made, torch not at all for `--help`, `datasets` or a usage error."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import pratique

SRC = Path(__file__).resolve().parents[1] / "src"


def _fresh(code: str) -> str:
    """stdout of `code` in a new interpreter, with this checkout's pratique."""
    done = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(SRC)!r})\n{code}"],
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_import_pratique_imports_neither_lightning_nor_torch():
    out = _fresh("import pratique\nprint(sorted(m for m in ('lightning', 'torch', 'matplotlib', "
                 "'timm', 'torchvision') if m in sys.modules))")
    assert out.strip() == "[]"


def test_model_is_usable_without_lightning_until_a_fabric_is_made():
    out = _fresh("import pratique as pq\nm = pq.Model\nprint('lightning' in sys.modules)")
    assert out.strip() == "False"


@pytest.mark.parametrize("argv, status", [(["--help"], 0), (["datasets"], 0),
                                          (["train", "--epochs", "x"], 2)])
def test_cli_help_datasets_and_usage_errors_do_not_import_torch(argv, status):
    out = _fresh("from pratique.cli.main import main\n"
                 "try:\n    main(" + repr(argv) + ")\nexcept SystemExit as e:\n    code = e.code or 0\n"
                 "else:\n    code = 0\n"
                 "print('STATUS', code, 'torch' in sys.modules)")
    assert out.strip().splitlines()[-1] == f"STATUS {status} False"
    if argv == ["datasets"]:
        assert "mnist5k" in out


def test_public_names_resolve_to_the_same_objects_as_before():
    from pratique.callbacks import EarlyStopping
    from pratique.losses import get as get_loss
    from pratique.tasks.model import Model
    from pratique.training import callbacks, losses, metrics, optimizers, schedules

    assert pratique.Model is Model
    assert pratique.callbacks is callbacks and pratique.callbacks.EarlyStopping is EarlyStopping
    assert pratique.losses is losses and get_loss is losses.get
    for family in (callbacks, losses, metrics, optimizers, schedules):
        short = family.__name__.replace("training.", "")
        assert getattr(pratique, short.rpartition(".")[2]) is family and sys.modules[short] is family
    assert pratique.data.ImageData is pratique.ImageData
    assert issubclass(pratique.PratiqueError, Exception)


def test_dir_and_all_list_every_public_name_and_each_resolves():
    names = set(pratique.__all__)
    assert {"Model", "ImageClassifier", "ImageData", "load", "callbacks", "losses", "metrics",
            "optimizers", "schedules", "datasets", "reports", "__version__"} <= names
    assert names <= set(dir(pratique))
    for name in names:
        assert getattr(pratique, name) is not None
    for name in pratique.data.__all__:
        assert getattr(pratique.data, name) is not None


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Modle'"):
        pratique.Modle  # noqa: B018


@pytest.mark.parametrize("package", ["pratique", "pratique.data"])
def test_type_checking_imports_name_the_same_objects_as_the_lazy_table(package):
    """What IDEs and type checkers read (the TYPE_CHECKING block) is what `__getattr__` returns."""
    path = SRC / package.replace(".", "/") / "__init__.py"
    block = next(n for n in ast.parse(path.read_text()).body
                 if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    declared = {}
    for node in block.body:
        for alias in node.names:
            module = "." * node.level + (node.module or "")
            declared[alias.asname] = f"{module}:{alias.name}" if node.module else f".{alias.name}"
    assert declared == sys.modules[package]._NAMES

"""Public names imported on first use (PEP 562), so that `import pratique` stays light."""
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def lazy_names(package: str, names: dict[str, str]) -> tuple[Callable, Callable]:
    """(__getattr__, __dir__) for `package`: `names` maps a public name to "module:attr" (an
    attribute of a submodule) or "module" (the submodule itself), relative to `package`.

    The first access imports the module and stores the value on the package, so later accesses
    are plain attribute reads.

    Example:
        >>> __getattr__, __dir__ = lazy_names(__name__, {"Model": ".tasks.model:Model"})
    """

    def __getattr__(name: str):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attr = names[name].partition(":")
        value = importlib.import_module(module, package)
        value = getattr(value, attr) if attr else value
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(names) | set(vars(sys.modules[package])))

    return __getattr__, __dir__

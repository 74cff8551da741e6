"""One `Registry` class behind every family users name: models, datasets, losses, metrics,
optimizers, schedules, activations and callbacks.

Each family keeps its public door (`create_model`, `load_data`, `losses.get`...); underneath,
the door is a `Registry`: `register` refuses a taken name unless `overwrite=True`, `get(name,
**kwargs)` builds one and names the close matches of an unknown name, `list(glob)` lists them.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, MutableMapping

from .errors import PratiqueError, unknown_name

__all__ = ["Registry"]


class Registry(MutableMapping):
    """Names -> entries (a builder, a class, a card) of one `kind` ("loss", "model"...).

    Args:
        kind: the family's name in messages ("Unknown loss 'msee'. Did you mean 'mse'?").
        build: `build(name, entry, **kwargs)` makes the object `get` returns; by default the
            entry is called with the keyword arguments.
        load: called before any lookup, e.g. to import the modules that register the built-ins
            (so a clash is found whatever the import order).

    Example:
        >>> LOSSES = Registry("loss")
        >>> @LOSSES.register("twice")
        ... def twice(x, y): return 2 * (x - y).abs().mean()
        >>> LOSSES.list("tw*")
        ['twice']
    """

    def __init__(self, kind: str, build: Callable | None = None, load: Callable[[], None] | None = None):
        self.kind = kind
        self._items: dict = {}
        self._sources: dict = {}  # name -> what `add` compares for "the same definition"
        self._build = build
        self._load = load

    # -- registering ---------------------------------------------------------------------------
    def register(self, name: str | None = None, *, overwrite: bool = False):
        """A decorator that registers its function or class under `name` (default: its name)."""

        def decorate(obj):
            self.add(name or obj.__name__, obj, overwrite=overwrite)
            return obj

        return decorate

    def add(self, name: str, entry, *, overwrite: bool = False, source=None) -> None:
        """Register `entry` under `name`. A taken name is refused unless `overwrite=True`:
        which one won would otherwise depend on import order. The same definition again (a
        re-run notebook cell, a reloaded module; compared on `source`, default `entry`) replaces
        it without a word."""
        if not isinstance(name, str) or not name:
            raise PratiqueError(f"A {self.kind} name is a non-empty string. Received: {name!r}")
        self._ensure_loaded()
        source = entry if source is None else source
        if name in self._items and not overwrite:
            old = self._sources.get(name, self._items[name])
            if _label(old) != _label(source):
                raise PratiqueError(
                    f"A {self.kind} named {name!r} is already registered ({_label(old)}). Received a "
                    f"second one: {_label(source)}. Choose another name, or pass overwrite=True to "
                    "replace it.")
        self._items[name] = entry
        self._sources[name] = source

    # -- looking up ----------------------------------------------------------------------------
    def entry(self, name):
        """The registered entry itself; an unknown name raises with the close matches."""
        self._ensure_loaded()
        if not isinstance(name, str) or name not in self._items:
            raise unknown_name(self.kind, name, self._items)
        return self._items[name]

    def get(self, name, **kwargs):
        """Build the `name`d one with `kwargs` (Keras' `get`, timm's `create_model`)."""
        entry = self.entry(name)
        return self._build(name, entry, **kwargs) if self._build else entry(**kwargs)

    def list(self, glob: str | None = None) -> list[str]:
        """Registered names, sorted, optionally filtered by a glob pattern ("lenet*")."""
        self._ensure_loaded()
        return [n for n in sorted(self._items) if glob is None or fnmatch.fnmatch(n, glob)]

    def _ensure_loaded(self) -> None:
        if self._load is not None:
            self._load()

    # -- the mapping (tests and families read a registry as a dict) ----------------------------
    def __getitem__(self, name):
        return self.entry(name)

    def __setitem__(self, name, entry) -> None:
        self._items[name] = entry
        self._sources.pop(name, None)

    def __delitem__(self, name) -> None:
        del self._items[name]
        self._sources.pop(name, None)

    def __contains__(self, name) -> bool:
        self._ensure_loaded()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        self._ensure_loaded()
        return iter(self._items)

    def __len__(self) -> int:
        self._ensure_loaded()
        return len(self._items)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self._items)} names)"


def _label(obj) -> str:
    fn = getattr(obj, "func", obj)  # a functools.partial: its function
    module = getattr(fn, "__module__", None) or type(fn).__module__
    return f"{module}.{getattr(fn, '__qualname__', type(fn).__qualname__)}"

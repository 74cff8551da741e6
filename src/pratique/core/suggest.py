"""'Did you mean' for attributes: `model.fitt` names `fit`, as an unknown registry name does."""
from __future__ import annotations

import difflib


class SuggestAttributes:
    """A mixin whose `__getattr__` (called only when normal lookup failed) raises an
    AttributeError naming the close public attributes.

    It reads nothing through `self.` (only the instance `__dict__`), and dunder or private names
    fail at once: copy, pickle and `getattr(obj, "_x", default)` probe those on half-built objects.
    """

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        own = object.__getattribute__(self, "__dict__")
        public = sorted(n for n in {*dir(type(self)), *own} if not n.startswith("_"))
        close = difflib.get_close_matches(name, public, n=3, cutoff=0.6)
        hint = (f"Did you mean {', '.join(repr(c) for c in close)}?" if close
                else f"Its public attributes: {', '.join(public)}.")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}. {hint}")

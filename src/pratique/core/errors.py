"""The errors pratique raises for bad input, and the helper that lists close matches."""
from __future__ import annotations

import difflib
from collections.abc import Iterable


class PratiqueError(ValueError):
    """A user error: bad input that is caught before any work is done.

    The CLI turns it into exit code 2 and a message without a traceback.
    """


class UnknownNameError(PratiqueError, KeyError):
    """A name (model, dataset, loss, optimizer, callback...) that no registry holds."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def unknown_name(kind: str, name: object, valid: Iterable[str]) -> UnknownNameError:
    """Build the error for an unknown `kind` name, naming the close matches and the valid names."""
    valid = sorted(valid)
    close = difflib.get_close_matches(str(name), valid, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return UnknownNameError(
        f"Unknown {kind} {name!r}.{hint} Expected one of: {', '.join(valid)}."
    )

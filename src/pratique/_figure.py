"""The few pyplot calls pratique makes, on bare `Figure` objects: no backend chosen, no global state.

A library must not switch the user's matplotlib backend (`matplotlib.use("Agg")` at import
breaks `%matplotlib widget` and plain scripts' windows alike). A `Figure` made here is not
registered with pyplot, so it needs no backend to draw or save, works headless, and in
Jupyter it shows once, inline, when a cell returns it (pyplot's figures would show twice:
once as the cell's value and once when the inline backend flushes its open figures).

Example:
    >>> from pratique import _figure as plt
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> ax.plot([1, 2, 3]); plt.close(fig)
"""
from __future__ import annotations

import base64
import io
import sys

import matplotlib
from matplotlib.figure import Figure as _Figure


class Figure(_Figure):
    """A matplotlib Figure that Jupyter shows as PNG even where no inline backend is loaded."""

    def _repr_png_(self) -> bytes:
        return png_bytes(self)


def png_bytes(fig, dpi: int = 100) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def png_data_uri(fig, dpi: int = 80) -> str:
    """`data:image/png;base64,...` of `fig`, for an inline <img> in `_repr_html_`."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(fig, dpi)).decode("ascii")


def subplots(nrows: int = 1, ncols: int = 1, figsize=None, **kwargs):
    """`plt.subplots` without pyplot: (figure, axes) with the same `squeeze` rules."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def close(fig) -> None:
    """Release a figure the caller made with pyplot (as `plt.close`); a bare Figure needs nothing."""
    pyplot = sys.modules.get("matplotlib.pyplot")  # never imported here: that would pick a backend
    if pyplot is not None:
        pyplot.close(fig)


def get_cmap(name: str):
    return matplotlib.colormaps[name]

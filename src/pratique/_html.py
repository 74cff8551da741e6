"""Small HTML tables for Jupyter's `_repr_html_` (Summary, History, reports, ImageData)."""
from __future__ import annotations

from html import escape


def table(head, rows, caption: str | None = None, footer=()) -> str:
    """An HTML table; cells are escaped text, numbers right-aligned; `footer` lines follow it."""
    def cell(tag, value):
        align = ' style="text-align:right"' if isinstance(value, (int, float)) else ""
        return f"<{tag}{align}>{escape(fmt(value))}</{tag}>"

    parts = ["<table>"]
    if caption:
        parts.append(f"<caption>{escape(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(cell("th", h) for h in head) + "</tr></thead><tbody>")
    parts += ["<tr>" + "".join(cell("td", v) for v in row) + "</tr>" for row in rows]
    parts.append("</tbody></table>")
    parts += [f"<p>{escape(line)}</p>" for line in footer]
    return "".join(parts)


def fmt(value) -> str:
    """4 decimals for floats (as the printed logs), thousands separators for ints."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)

"""MkDocs hook: `<!-- include PATH -->` in a page is replaced by the file PATH (relative to the
repository root), its headings moved one level down, so bench/RESULTS.md is shown as it is."""
from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.include")
_INCLUDE = re.compile(r"^<!-- include (\S+) -->$", re.MULTILINE)


def _demote(text: str) -> str:
    """'# A' -> '## A' outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        fenced ^= line.lstrip().startswith("```")
        lines.append("#" + line if not fenced and re.match(r"#{1,5} ", line) else line)
    return "\n".join(lines)


def on_page_markdown(markdown, page, config, files):
    root = Path(config.config_file_path).parent

    def include(match: re.Match) -> str:
        path = root / match.group(1)
        if not path.is_file():
            log.info("include: %s not found; the page says so", path)
            return (f"!!! note \"No results in this checkout\"\n    `{match.group(1)}` is not "
                    "there yet: the scripts in `bench/` print their results, recorded there.")
        return _demote(path.read_text(encoding="utf-8"))

    return _INCLUDE.sub(include, markdown)

"""Griffe extension for the API reference: our docstrings title their doctests "Example:" (the
house style); Griffe's Google parser reads only "Examples:" as code, so rename the title."""
from __future__ import annotations

import re

import griffe

_TITLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    def on_instance(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _TITLE.sub(r"\1Examples:", obj.docstring.value)

"""Server-rendered pages, the same way in every service: Jinja2 templates with HTML escaped by
default, and the interface's words per language from one JSON file.

A service that shows people a page (the catalogue's plain catalogue page, kpi's data portal)
keeps its templates and a `strings.json` beside them: `{"key": {"nb": "...", "en": "..."}}`,
where `{name}` marks a value filled in when shown. A word missing in a language falls back to
English, so a half-translated key shows English rather than nothing."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

# Strings -> language -> text.
StringTable = dict[str, dict[str, str]]
FALLBACK_LANGUAGE = "en"


def templates(directory: Path) -> Environment:
    """Templates of one folder: `.html` escaped unless marked safe; blocks keep no stray blank
    lines (trim_blocks, lstrip_blocks), so a page's bytes, and its ETag, change only with it."""
    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Strings:
    """The words of one interface, read once from its JSON file."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @cached_property
    def table(self) -> StringTable:
        loaded: StringTable = json.loads(self._path.read_text(encoding="utf-8"))
        return loaded

    def say(self, language: str, key: str, **values: Any) -> str:
        texts = self.table[key]
        text = texts.get(language) or texts[FALLBACK_LANGUAGE]
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def speaker(self, language: str) -> Any:
        """`say` bound to one language, for a template: `say("key", name=value)`."""
        return lambda key, **values: self.say(language, key, **values)

    def missing(self, languages: tuple[str, ...]) -> list[tuple[str, str]]:
        """(key, language) pairs without a text: a test asks for none."""
        return [
            (key, language)
            for key, texts in self.table.items()
            for language in languages
            if not texts.get(language)
        ]

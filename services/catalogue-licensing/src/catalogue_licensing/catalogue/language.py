"""Choosing the catalogue's language from Accept-Language (RFC 9110 §12.5.4) and falling back per text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chassis import languages

SUPPORTED = ("nb", "nn", "en")
# Without a usable header (absent, or only `*`), the programme's own language.
DEFAULT = "nb"
# For a language nobody here writes in, English is the most widely read second language.
FOREIGN = "en"
# Where each language looks when a text is missing in it: the other written Norwegian before
# English, since a Norwegian reader reads both; an English reader gets Bokmål before Nynorsk
# because far more texts exist in it.
FALLBACK = {"nb": ("nb", "nn", "en"), "nn": ("nn", "nb", "en"), "en": ("en", "nb", "nn")}


def negotiate(header: str | None, supported: tuple[str, ...] = SUPPORTED) -> str:
    """The supported language the reader prefers most (`supported`: the product texts' by
    default; the code labels have Dutch too). A header that names only other languages gets
    English; no header, or one that cannot be read, gets Bokmål (chassis.languages)."""
    return languages.negotiate(header, supported, default=DEFAULT, foreign=FOREIGN)


def pick(texts: Mapping[str, Any] | None, language: str) -> str | None:
    """The text in `language`, else along its fallback chain, else any language there is."""
    if not texts:
        return None
    for candidate in FALLBACK[language]:
        value = texts.get(candidate)
        if isinstance(value, str) and value:
            return value
    for candidate in sorted(texts):
        value = texts[candidate]
        if isinstance(value, str) and value:
            return value
    return None

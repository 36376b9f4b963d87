"""Choosing the catalogue's language from Accept-Language (RFC 9110 §12.5.4) and falling back per text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SUPPORTED = ("nb", "nn", "en")
# Without a usable header (absent, or only `*`), the programme's own language.
DEFAULT = "nb"
# For a language nobody here writes in, English is the most widely read second language.
FOREIGN = "en"
# Where each language looks when a text is missing in it: the other written Norwegian before
# English, since a Norwegian reader reads both; an English reader gets Bokmål before Nynorsk
# because far more texts exist in it.
FALLBACK = {"nb": ("nb", "nn", "en"), "nn": ("nn", "nb", "en"), "en": ("en", "nb", "nn")}
# Language ranges that mean a supported language: "no" is the macrolanguage Norwegian, which
# in writing is Bokmål unless said otherwise.
_ALIASES = {"nb": "nb", "nn": "nn", "en": "en", "no": "nb"}

# RFC 9110: language-range [ weight ]; weight = OWS ";" OWS "q=" qvalue; qvalue up to 3 decimals.
_RANGE = re.compile(r"^(\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$")
_QVALUE = re.compile(r"^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$")
# A header longer than this is not a browser's; read only its start.
_MAX_HEADER = 512


def _ranges(header: str) -> list[tuple[str, float]]:
    """The header's language ranges with their weights, best first; malformed members skipped."""
    parsed: list[tuple[float, int, str]] = []
    for position, member in enumerate(header[:_MAX_HEADER].split(",")):
        parts = [p.strip() for p in member.split(";")]
        tag = parts[0]
        if not _RANGE.match(tag):
            continue
        weight = 1.0
        valid = True
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q" and _QVALUE.match(value.strip()):
                weight = float(value.strip())
            else:
                valid = False
        if valid:
            parsed.append((weight, position, tag.lower()))
    # Highest weight first; among equals the client's order.
    parsed.sort(key=lambda item: (-item[0], item[1]))
    return [(tag, weight) for weight, _, tag in parsed]


def negotiate(header: str | None) -> str:
    """The supported language the reader prefers most.

    Ranges are matched on their primary subtag ("nb-NO" is nb). `q=0` excludes a language. `*`
    stands for any language not named otherwise. A header that names only other languages gets
    English; no header, or one that cannot be read, gets Bokmål.
    """
    if header is None or not header.strip():
        return DEFAULT
    ranges = _ranges(header)
    if not ranges:
        return DEFAULT
    excluded = {_ALIASES.get(t.split("-")[0]) for t, w in ranges if w == 0.0}
    named = {_ALIASES.get(t.split("-")[0]) for t, _ in ranges}
    for tag, weight in ranges:
        if weight == 0.0:
            continue
        if tag == "*":
            for unnamed in (DEFAULT, *SUPPORTED):
                if unnamed not in named and unnamed not in excluded:
                    return unnamed
            continue
        language = _ALIASES.get(tag.split("-")[0])
        if language is not None and language not in excluded:
            return language
    if FOREIGN not in excluded:
        return FOREIGN
    # Every supported language was refused; RFC 9110 lets us answer anyway rather than 406.
    return next((lang for lang in SUPPORTED if lang not in excluded), DEFAULT)


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

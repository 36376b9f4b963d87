"""Choosing a reader's language from Accept-Language (RFC 9110 §12.5.4): one reading of the
header for every service and page.

Ranges are matched on their primary subtag ("nb-NO" is nb; "no", the macrolanguage Norwegian,
is written Bokmål unless said otherwise). `q=0` refuses a language. `*` stands for any language
the header does not name. Malformed members are skipped, not fatal: a browser's header is
answered even when part of it cannot be read."""

from __future__ import annotations

import re

# RFC 9110: language-range [ weight ]; weight = OWS ";" OWS "q=" qvalue; qvalue up to 3 decimals.
_RANGE = re.compile(r"^(\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$")
_QVALUE = re.compile(r"^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$")
# A header longer than this is not a browser's; only its start is read.
MAX_HEADER = 512
# Primary subtags that stand for another: the macrolanguage Norwegian is written Bokmål.
ALIASES = {"no": "nb"}


def ranges(header: str) -> list[tuple[str, float]]:
    """The header's language ranges (lower case) with their weights, best first; among equal
    weights the client's order; malformed members skipped."""
    parsed: list[tuple[float, int, str]] = []
    for position, member in enumerate(header[:MAX_HEADER].split(",")):
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
    parsed.sort(key=lambda item: (-item[0], item[1]))
    return [(tag, weight) for weight, _, tag in parsed]


def _primary(tag: str) -> str:
    primary = tag.split("-")[0]
    return ALIASES.get(primary, primary)


def negotiate(header: str | None, supported: tuple[str, ...], *, default: str, foreign: str) -> str:
    """The supported language the reader prefers most.

    `default` answers a request without a usable header (absent, empty, unreadable);
    `foreign` one whose header names only languages nobody here writes in. When every supported
    language is refused, one is answered anyway (RFC 9110 allows it rather than a 406)."""
    if header is None or not header.strip():
        return default
    ranked = ranges(header)
    if not ranked:
        return default
    excluded = {_primary(tag) for tag, weight in ranked if weight == 0.0}
    named = {_primary(tag) for tag, _ in ranked}
    for tag, weight in ranked:
        if weight == 0.0:
            continue
        if tag == "*":
            for unnamed in (default, *supported):
                if unnamed not in named and unnamed not in excluded:
                    return unnamed
            continue
        language = _primary(tag)
        if language in supported and language not in excluded:
            return language
    if foreign not in excluded:
        return foreign
    return next((lang for lang in supported if lang not in excluded), default)

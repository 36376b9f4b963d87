"""Text to comparable forms: accents folded, words found, character trigrams."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# Letters that do not decompose into a base letter and a mark.
_SPECIAL = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe", "þ": "th"})
# Apostrophes: the typewriter one and the typographic one (U+2019).
_APOSTROPHES = "'\u2019"
# A word: letters and digits, with inner apostrophes (can't, zo'n) dropped from the form.
WORD = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*")
_DROP = str.maketrans("", "", _APOSTROPHES)
# The combining marks NFKD splits off letters (accents, rings, cedillas, diaereses …).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_JOINERS = re.compile(r"[-/]")
# Words joined by hyphens or slashes (e-book, e-bøker, Wi-Fi): also indexed as one word.
JOINED = re.compile(r"[^\W_]+(?:[-/][^\W_]+)+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents: å → a, ø → o, é → e, æ → ae."""
    lowered = text.lower().translate(_SPECIAL)
    if lowered.isascii():
        return lowered
    return _MARKS.sub("", unicodedata.normalize("NFKD", lowered))


def words(text: str, *, parts: bool = True) -> list[str]:
    """The folded words of `text`, in order; a hyphenated word gives its parts, then (after all
    the words) itself joined; with `parts` false only the joined word, in its place."""
    folded = fold(text).translate(_DROP)
    if not parts:
        folded = JOINED.sub(lambda m: _JOINERS.sub("", m.group()), folded)
    out = WORD.findall(folded)
    if parts:
        out.extend(_JOINERS.sub("", match.group()) for match in JOINED.finditer(folded))
    return out


def spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded word) of each word of `text` as written, for highlighting."""
    for match in WORD.finditer(text):
        yield match.start(), match.end(), fold(match.group()).translate(_DROP)


@lru_cache(maxsize=200_000)
def trigrams(word: str) -> tuple[str, ...]:
    """The character trigrams of a folded word, padded at both ends: ` wo`, `wor`, `ord`, `rd `."""
    padded = f" {word} "
    return tuple(padded[i : i + 3] for i in range(len(padded) - 2))

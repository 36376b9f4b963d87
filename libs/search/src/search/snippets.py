"""A short passage of a document around the words that matched, HTML-escaped, matches marked."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from search.text import WORD

# Words shown around the best passage.
WINDOW = 30
MARK_OPEN = "<mark>"
MARK_CLOSE = "</mark>"


def snippet(text: str, is_match: Callable[[str], bool], *, window: int = WINDOW) -> str:
    """The `window` words of `text` with the most matches (the start when none), as HTML.
    `is_match` gets each word as written."""
    found = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
    if not found:
        return escape(text[:200])
    hits = [is_match(word) for _, _, word in found]
    best_start, best = 0, -1
    running = sum(hits[:window])
    for start in range(max(1, len(found) - window + 1)):
        if start:
            running += hits[start + window - 1] if start + window - 1 < len(found) else 0
            running -= hits[start - 1]
        if running > best:
            best_start, best = start, running
    best_start = _centred(hits, best_start, window)
    chosen = found[best_start : best_start + window]
    begin = chosen[0][0] if best_start else 0
    end = chosen[-1][1]
    out: list[str] = ["… " if best_start else ""]
    position = begin
    for (start, stop, _), hit in zip(chosen, hits[best_start : best_start + window], strict=True):
        out.append(escape(text[position:start]))
        word = escape(text[start:stop])
        out.append(f"{MARK_OPEN}{word}{MARK_CLOSE}" if hit else word)
        position = stop
    tail = text[end:]
    if len(found) > best_start + window:
        out.append(" …")
    else:
        out.append(escape(tail))
    return "".join(out)


def _centred(hits: list[bool], start: int, window: int) -> int:
    """The window moved so that the matches in it sit in its middle, keeping them all."""
    inside = [i for i in range(start, min(start + window, len(hits))) if hits[i]]
    if not inside:
        return start
    first, last = inside[0], inside[-1]
    centred = (first + last) // 2 - window // 2
    centred = max(centred, last - window + 1, 0)
    return min(centred, first, max(len(hits) - window, 0))

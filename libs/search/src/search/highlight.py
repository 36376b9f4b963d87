"""Which words of a hit to mark: those whose term matched (the typed word's own, a synonym's,
a near spelling's, another form's), and those that contain a typed word (a compound's part)."""

from __future__ import annotations

from collections.abc import Callable

from search.analysis import Analyzer
from search.ranking import Ranked
from search.text import fold

# A typed word must be this long to be marked inside a longer word.
MIN_INSIDE = 4


def matcher(analyzer: Analyzer, ranked: Ranked) -> Callable[[str], bool]:
    terms = ranked.terms
    typed = [w for w in ranked.words if len(w) >= MIN_INSIDE]
    seen: dict[str, bool] = {}

    def is_match(written: str) -> bool:
        known = seen.get(written)
        if known is None:
            word = fold(written).replace("'", "").replace("\u2019", "")
            known = seen[written] = analyzer.stem(word) in terms or any(t in word for t in typed)
        return known

    return is_match

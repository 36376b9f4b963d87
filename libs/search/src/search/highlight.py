"""Which words of a hit to mark: those whose term matched, and those that contain or nearly
spell a word of the query (a compound's part, a typo)."""

from __future__ import annotations

from collections.abc import Callable

from search.analysis import Analyzer
from search.fuzzy import allowed_edits, within
from search.ranking import Ranked

# A typed word must be this long to be marked inside a longer word.
MIN_INSIDE = 4


def matcher(analyzer: Analyzer, ranked: Ranked) -> Callable[[str], bool]:
    terms = ranked.terms
    typed = [w for w in ranked.words if len(w) >= MIN_INSIDE]

    def is_match(word: str) -> bool:
        if analyzer.stem(word) in terms:
            return True
        for query_word in typed:
            if query_word in word:
                return True
            limit = allowed_edits(query_word)
            if limit and within(query_word, word, limit):
                return True
        return False

    return is_match

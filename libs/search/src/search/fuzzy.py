"""Near spellings of a word among the index's terms (typos), found through shared trigrams."""

from __future__ import annotations

from search.text import trigrams


def within(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance (insert, delete, substitute, swap two neighbours) of `a` and `b`
    is at most `limit`."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


# Most typos are one edit (a letter left out, added, changed, or two swapped); a second is
# tolerated only in a long word (a compound), where two words one edit apart are rare.
MIN_FUZZY = 4
MIN_TWO_EDITS = 12


def allowed_edits(word: str) -> int:
    """Typos tolerated in a word of this length."""
    if len(word) < MIN_FUZZY:
        return 0
    return 1 if len(word) < MIN_TWO_EDITS else 2


class Vocabulary:
    """The words (or terms) of one language's documents, by their trigrams, to find a typed
    word's near spellings quickly. Each counts the documents that have it, so that every
    process knows the same words whatever it saw put and removed before."""

    def __init__(self) -> None:
        self._by_gram: dict[str, set[str]] = {}
        self._known: dict[str, int] = {}

    def add(self, term: str) -> None:
        count = self._known.get(term, 0)
        self._known[term] = count + 1
        if count == 0:
            for gram in set(trigrams(term)):
                self._by_gram.setdefault(gram, set()).add(term)

    def discard(self, term: str) -> None:
        count = self._known.get(term, 0)
        if count > 1:
            self._known[term] = count - 1
            return
        self._known.pop(term, None)
        for gram in set(trigrams(term)):
            terms = self._by_gram.get(gram)
            if terms is not None:
                terms.discard(term)
                if not terms:
                    del self._by_gram[gram]

    def near(self, word: str) -> list[str]:
        """Known terms within `allowed_edits(word)` of `word`, itself excluded, sorted."""
        limit = allowed_edits(word)
        if limit == 0:
            return []
        grams = set(trigrams(word))
        counts: dict[str, int] = {}
        for gram in grams:
            for term in self._by_gram.get(gram, ()):
                counts[term] = counts.get(term, 0) + 1
        # Each edit spoils at most four trigrams (two neighbours swapped).
        needed = max(1, len(grams) - 4 * limit)
        return sorted(
            t
            for t, n in counts.items()
            if n >= needed
            and t != word
            and abs(len(t) - len(word)) <= limit
            and within(word, t, limit)
        )

    def longer_forms(self, word: str, extra: int) -> list[str]:
        """Known terms that are `word` with up to `extra` letters more at its end (an inflection
        the stemmer left: cursuss for cursus, kurs for kur)."""
        sets = sorted((self._by_gram.get(g, set()) for g in trigrams(word)[:-1]), key=len)
        candidates = sets[0].intersection(*sets[1:])
        return sorted(
            t
            for t in candidates
            if t != word and t.startswith(word) and len(t) - len(word) <= extra
        )

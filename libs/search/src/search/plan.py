"""A query as the ranking sees it: the words typed, each with the terms that count for it."""

from __future__ import annotations

from dataclasses import dataclass, field

from search.analysis import MIN_TERM, Analyzer
from search.fuzzy import Vocabulary
from search.postings import Postings
from search.text import trigrams, words

# A compound's parts are looked for only in words this long, each part at least this long.
MIN_COMPOUND = 7
MIN_PART = 3
# Letters Dutch and Norwegian put between a compound's parts (bibliotheek-s-pas, utlån-s-tall).
_LINKS = ("s", "e", "en")


@dataclass
class Concept:
    """One word of the query: the terms that answer it (itself 1.0, others less) and its
    trigrams; `idf` says how much it matters."""

    word: str
    terms: dict[str, float] = field(default_factory=dict)
    grams: list[str] = field(default_factory=list)
    idf: float = 0.0

    def offer(self, term: str, weight: float) -> None:
        if weight > self.terms.get(term, 0.0):
            self.terms[term] = weight


@dataclass(frozen=True)
class Expansion:
    synonym: float
    fuzzy: float
    part: float


def _parts(word: str, analyzer: Analyzer, postings: Postings) -> list[str]:
    """The best split of an unknown compound into two known terms (the longer head wins)."""
    if len(word) < MIN_COMPOUND:
        return []
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        tail_term = analyzer.stem(tail)
        if tail_term not in postings:
            continue
        heads = [head] + [head[: -len(link)] for link in _LINKS if head.endswith(link)]
        for candidate in heads:
            if len(candidate) >= MIN_PART:
                term = analyzer.stem(candidate)
                if term in postings:
                    return [term, tail_term]
    return []


def plan_query(
    text: str,
    analyzer: Analyzer,
    postings: Postings,
    vocabulary: Vocabulary,
    expansion: Expansion,
) -> list[Concept]:
    """The concepts of `text`: its words less the stop words (all of them when only stop words
    were typed), with synonyms, near spellings of unknown words and parts of unknown compounds."""
    typed = [w for w in words(text) if len(w) >= MIN_TERM or w.isdigit()]
    content = [w for w in typed if w not in analyzer.stopwords] or typed
    concepts: list[Concept] = []
    seen: set[str] = set()
    for word in content:
        term = analyzer.stem(word)
        if term in seen:
            continue
        seen.add(term)
        concept = Concept(word=word, grams=trigrams(word), idf=postings.idf(term))
        concept.offer(term, 1.0)
        if term not in postings:
            for near in vocabulary.near(term):
                if near in postings:
                    concept.offer(near, expansion.fuzzy)
            for part in _parts(word, analyzer, postings):
                concept.offer(part, expansion.part)
        concepts.append(concept)
    _add_synonyms(concepts, analyzer, expansion.synonym)
    return concepts


def _add_synonyms(concepts: list[Concept], analyzer: Analyzer, weight: float) -> None:
    terms = [next(iter(c.terms)) for c in concepts]
    for start, end, others in analyzer.alternatives(terms):
        for concept in concepts[start:end]:
            for phrase in others:
                for term in phrase:
                    concept.offer(term, weight)

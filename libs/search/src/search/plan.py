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
    # A stop word typed among other words: it helps rank (mijn cursussen, kursene mine) but
    # a document need not have it.
    stop: bool = False

    def offer(self, term: str, weight: float) -> None:
        if weight > self.terms.get(term, 0.0):
            self.terms[term] = weight


@dataclass(frozen=True)
class Expansion:
    synonym: float
    fuzzy: float
    part: float
    # Another inflected form the stemmer did not bring together (cursussen, cursus).
    form: float
    stopword: float


# Other forms are looked for only for terms this long, one letter apart (two from LONG_FORM).
MIN_FORM = 4
LONG_FORM = 6


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
    only_stop = all(w in analyzer.stopwords for w in typed)
    concepts: list[Concept] = []
    seen: set[str] = set()
    for word in typed:
        term = analyzer.stem(word)
        if term in seen:
            continue
        seen.add(term)
        if word in analyzer.stopwords and not only_stop:
            if term in postings:
                stop = Concept(word=word, idf=postings.idf(term), stop=True)
                stop.offer(term, expansion.stopword)
                concepts.append(stop)
            continue
        concepts.append(_concept(word, term, analyzer, postings, vocabulary, expansion))
    _add_synonyms([c for c in concepts if not c.stop], analyzer, expansion.synonym)
    return concepts


def _concept(
    word: str,
    term: str,
    analyzer: Analyzer,
    postings: Postings,
    vocabulary: Vocabulary,
    expansion: Expansion,
) -> Concept:
    concept = Concept(word=word, grams=trigrams(word), idf=postings.idf(term))
    concept.offer(term, 1.0)
    if term in postings:
        if len(term) >= MIN_FORM:
            letters = 2 if len(term) >= LONG_FORM else 1
            for form in vocabulary.other_forms(term, letters):
                if form in postings:
                    concept.offer(form, expansion.form)
        return concept
    for near in vocabulary.near(term):
        if near in postings:
            concept.offer(near, expansion.fuzzy)
    for part in _parts(word, analyzer, postings):
        concept.offer(part, expansion.part)
    return concept


def _add_synonyms(concepts: list[Concept], analyzer: Analyzer, weight: float) -> None:
    terms = [next(iter(c.terms)) for c in concepts]
    for start, end, others in analyzer.alternatives(terms):
        for concept in concepts[start:end]:
            for phrase in others:
                for term in phrase:
                    concept.offer(term, weight)

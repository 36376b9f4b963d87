"""A query as the ranking sees it: the words typed, each with the terms that count for it."""

from __future__ import annotations

from dataclasses import dataclass, field

from search.analysis import MIN_TERM, Analyzer
from search.fuzzy import Vocabulary
from search.postings import Postings
from search.text import trigrams, words

# Words of a query read at most (a longer text is no search; its rest is ignored).
MAX_QUERY_WORDS = 32
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
    grams: tuple[str, ...] = ()
    idf: float = 0.0
    # Synonyms of several words (interbibliothecair leenverkeer for IBL): a document answers
    # the concept through one only when it has all its words.
    phrases: list[tuple[tuple[str, ...], float]] = field(default_factory=list)
    # A stop word typed among other words: it helps rank (mijn cursussen, kursene mine) but
    # a document need not have it.
    stop: bool = False

    def offer(self, term: str, weight: float) -> None:
        if weight > self.terms.get(term, 0.0):
            self.terms[term] = weight

    def offer_phrase(self, phrase: tuple[str, ...], weight: float) -> None:
        if len(phrase) == 1:
            self.offer(phrase[0], weight)
        elif phrase not in (p for p, _ in self.phrases):
            self.phrases.append((phrase, weight))

    def alternatives(self) -> list[tuple[tuple[str, ...], float]]:
        """Each way a document answers this word: its terms and their weight (a phrase's words
        share the phrase's)."""
        out: list[tuple[tuple[str, ...], float]] = [
            ((term,), weight) for term, weight in self.terms.items()
        ]
        out.extend((phrase, weight / len(phrase)) for phrase, weight in self.phrases)
        return out


@dataclass(frozen=True)
class Expansion:
    synonym: float
    fuzzy: float
    part: float
    # Another inflected form the stemmer did not bring together (cursussen, cursus).
    form: float
    stopword: float
    # A word of related meaning (related.<lang>.txt): less than a synonym.
    related: float = 0.6


# A stem this short has too many neighbours to look for its near spellings (park: mark).
MIN_STEM_FUZZY = 6
# Longer forms are looked for only for terms this long, one letter more (two from LONG_FORM).
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
    terms: Vocabulary,
    spellings: Vocabulary,
    expansion: Expansion,
) -> list[Concept]:
    """The concepts of `text`: its words less the stop words (all of them when only stop words
    were typed), with synonyms, near spellings of unknown words and parts of unknown compounds."""
    typed = [w for w in words(text) if len(w) >= MIN_TERM or w.isdigit()][:MAX_QUERY_WORDS]
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
        concepts.append(_concept(word, term, analyzer, postings, (terms, spellings), expansion))
    _add_synonyms([c for c in concepts if not c.stop], analyzer, expansion)
    return concepts


def _other_forms(term: str, analyzer: Analyzer, terms: Vocabulary) -> list[str]:
    """Forms of the same word the stemmer leaves apart: its stem stemmed again (kursene → kurs
    → kur, as kurs → kur), and known terms a letter or two longer (cursus → cursuss)."""
    forms = []
    again = analyzer.stem(term)
    if again != term:
        forms.append(again)
    if len(term) >= MIN_FORM:
        forms.extend(terms.longer_forms(term, 2 if len(term) >= LONG_FORM else 1))
    return forms


def _concept(
    word: str,
    term: str,
    analyzer: Analyzer,
    postings: Postings,
    vocabularies: tuple[Vocabulary, Vocabulary],
    expansion: Expansion,
) -> Concept:
    terms, spellings = vocabularies
    concept = Concept(word=word, grams=trigrams(word), idf=postings.idf(term))
    concept.offer(term, 1.0)
    if term in postings:
        for form in _other_forms(term, analyzer, terms):
            if form in postings:
                concept.offer(form, expansion.form)
        return concept
    # Near spellings among the documents' words (quira: quria), and for a longer word among
    # their terms too (selvbetjeningsatomat: selvbetjeningsautomaten, through the stem).
    near_terms = {analyzer.stem(near) for near in spellings.near(word)}
    if len(term) >= MIN_STEM_FUZZY:
        near_terms.update(terms.near(term))
    for near_term in sorted(near_terms):
        if near_term in postings:
            concept.offer(near_term, expansion.fuzzy)
    parts = _parts(word, analyzer, postings)
    if parts:
        # Both parts, as a phrase: a document with only one of them does not answer the word.
        concept.offer_phrase(tuple(parts), expansion.part)
    return concept


def _add_synonyms(concepts: list[Concept], analyzer: Analyzer, expansion: Expansion) -> None:
    terms = [next(iter(c.terms)) for c in concepts]
    for start, end, others, related in analyzer.alternatives(terms):
        weight = expansion.related if related else expansion.synonym
        for concept in concepts[start:end]:
            for phrase in others:
                concept.offer_phrase(phrase, weight)

"""The in-process index: every document's terms, BM25 over stemmed words and over character
trigrams, fused; a result only when the best hit covers enough of the query."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from search.analysis import MIN_TERM, Analyzer
from search.fuzzy import Vocabulary
from search.model import SearchDocument, SearchQuery
from search.plan import Concept, Expansion, plan_query
from search.postings import Floats, Postings
from search.text import trigrams, words


@dataclass(frozen=True)
class Weights:
    """The ranking's settings, tuned on the judged set as a whole (decision 0026)."""

    k1: float = 1.2
    b: float = 0.75
    # A title word counts as this many body words, a tag as this many.
    title: float = 3.0
    tags: float = 2.0
    # The two rankings' shares of the fused score (each normalised by its best hit first).
    words: float = 0.5
    grams: float = 0.5
    # What a synonym, a near spelling or a compound's part counts for against the word typed.
    synonym: float = 0.8
    fuzzy: float = 0.7
    part: float = 0.7
    form: float = 0.8
    stopword: float = 0.2
    # The fused score is multiplied by the hit's coverage of the query to this power.
    coverage_power: float = 1.0
    # A word the document lacks still counts (its share of trigrams found times `gram_credit`)
    # when at least `gram_match` of its trigrams are there (a compound's part, a typo).
    gram_match: float = 0.75
    gram_credit: float = 0.6
    # The best hit must cover this share of the query (each word by its idf, a synonym's or
    # near spelling's by its weight): otherwise nothing answers the query.
    min_coverage: float = 0.33
    # How many of the best hits are checked for coverage.
    depth: int = 50


@dataclass(frozen=True, slots=True)
class Entry:
    doc: SearchDocument
    words: dict[str, float]
    grams: dict[str, float]


@dataclass(frozen=True, slots=True)
class Ranked:
    doc: SearchDocument
    score: float
    # The query's terms the document has, and the words typed, for highlighting.
    terms: frozenset[str]
    words: tuple[str, ...] = ()


def _counts(
    analyzer: Analyzer, doc: SearchDocument, weights: Weights
) -> tuple[dict[str, float], dict[str, float]]:
    word_counts: defaultdict[str, float] = defaultdict(float)
    gram_counts: defaultdict[str, float] = defaultdict(float)
    tags = " ".join(doc.tags)
    for text, weight in ((doc.title, weights.title), (tags, weights.tags), (doc.body, 1.0)):
        for word in words(text):
            if len(word) < MIN_TERM and not word.isdigit():
                continue
            word_counts[analyzer.stem(word)] += weight
            for gram in trigrams(word):
                gram_counts[gram] += weight
    return dict(word_counts), dict(gram_counts)


class Ranker:
    """All documents of one index in memory, by slot; a removed document frees its slot."""

    def __init__(self, analyzers: Mapping[str, Analyzer], weights: Weights | None = None) -> None:
        self.analyzers = analyzers
        self.weights = weights or Weights()
        self._entries: list[Entry | None] = []
        self._slots: dict[str, int] = {}
        self._free: list[int] = []
        self._words = Postings()
        self._grams = Postings()
        self._vocabulary = {lang: Vocabulary() for lang in analyzers}
        self._columns: dict[str, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._slots)

    def put(self, doc: SearchDocument) -> None:
        self.remove(doc.slug)
        word_counts, gram_counts = _counts(self.analyzers[doc.lang], doc, self.weights)
        slot = self._free.pop() if self._free else len(self._entries)
        entry = Entry(doc, word_counts, gram_counts)
        if slot == len(self._entries):
            self._entries.append(entry)
        else:
            self._entries[slot] = entry
        self._slots[doc.slug] = slot
        self._words.add(slot, word_counts)
        self._grams.add(slot, gram_counts)
        for term in word_counts:
            self._vocabulary[doc.lang].add(term)
        self._columns = None

    def remove(self, slug: str) -> None:
        slot = self._slots.pop(slug, None)
        if slot is None:
            return
        entry = self._entries[slot]
        assert entry is not None
        self._words.remove(slot, entry.words)
        self._grams.remove(slot, entry.grams)
        self._entries[slot] = None
        self._free.append(slot)
        self._columns = None

    def clear(self) -> None:
        self.__init__(self.analyzers, self.weights)  # type: ignore[misc]

    def _mask(self, query: SearchQuery) -> np.ndarray:
        if self._columns is None:
            docs = [e.doc if e is not None else None for e in self._entries]
            self._columns = {
                "alive": np.array([d is not None for d in docs], dtype=bool),
                "lang": np.array([d.lang if d else "" for d in docs], dtype=object),
                "kind": np.array([d.kind if d else "" for d in docs], dtype=object),
                "audience": np.array([d.audience if d else "" for d in docs], dtype=object),
            }
        columns = self._columns
        mask: np.ndarray = columns["alive"].copy()
        if query.lang is not None:
            mask &= columns["lang"] == query.lang
        if query.kinds is not None:
            mask &= np.isin(columns["kind"], list(query.kinds))
        mask &= np.isin(columns["audience"], list(query.audiences))
        if query.facets:
            wanted = query.facets.items()
            mask &= np.array(
                [
                    e is not None and all(e.doc.facets.get(k) == v for k, v in wanted)
                    for e in self._entries
                ],
                dtype=bool,
            )
        return mask

    def search(self, query: SearchQuery) -> list[Ranked]:
        if not self._slots:
            return []
        langs = [query.lang] if query.lang is not None else sorted(self.analyzers)
        found: list[Ranked] = []
        for lang in langs:
            found.extend(self._search_lang(query, lang))
        found.sort(key=lambda r: (-r.score, r.doc.slug))
        return found[: query.limit]

    def _search_lang(self, query: SearchQuery, lang: str) -> list[Ranked]:
        w = self.weights
        analyzer = self.analyzers[lang]
        expansion = Expansion(
            synonym=w.synonym, fuzzy=w.fuzzy, part=w.part, form=w.form, stopword=w.stopword
        )
        concepts = plan_query(query.text, analyzer, self._words, self._vocabulary[lang], expansion)
        if not concepts:
            return []
        mask = self._mask(query)
        if query.lang is None:
            mask &= self._columns["lang"] == lang  # type: ignore[index]
        size = len(self._entries)
        word_terms: dict[str, float] = {}
        for concept in concepts:
            for term, weight in concept.terms.items():
                word_terms[term] = max(weight, word_terms.get(term, 0.0))
        gram_terms = Counter(g for c in concepts for g in c.grams if not c.stop)
        by_words = self._words.scores(word_terms.items(), size, k1=w.k1, b=w.b) * mask
        by_grams = (
            self._grams.scores(((g, float(n)) for g, n in gram_terms.items()), size, k1=w.k1, b=w.b)
            * mask
        )
        fused = _normalised(by_words) * w.words + _normalised(by_grams) * w.grams
        candidates = np.nonzero(fused > 0)[0]
        if len(candidates) == 0:
            return []
        order = candidates[np.lexsort((candidates, -fused[candidates]))]
        return self._checked(order, fused, concepts, query)

    def _checked(
        self, order: np.ndarray, fused: Floats, concepts: list[Concept], query: SearchQuery
    ) -> list[Ranked]:
        w = self.weights
        out: list[Ranked] = []
        answered = False
        typed = tuple(c.word for c in concepts)
        for slot in order[: max(w.depth, query.limit * 3)]:
            entry = self._entries[int(slot)]
            assert entry is not None
            doc = entry.doc
            coverage, terms = self._coverage(entry, concepts)
            answered = answered or coverage >= w.min_coverage
            score = float(fused[slot]) * coverage**w.coverage_power
            out.append(Ranked(doc, score, terms, typed))
        if not answered:
            return []
        out.sort(key=lambda r: (-r.score, r.doc.slug))
        return out

    def _coverage(self, entry: Entry, concepts: list[Concept]) -> tuple[float, frozenset[str]]:
        """The share of the query (each word by its idf) the document answers, and the terms
        of the query it has."""
        total = sum(c.idf for c in concepts if not c.stop) or 1.0
        got = 0.0
        matched: set[str] = set()
        for concept in concepts:
            if concept.stop:
                matched.update(t for t in concept.terms if t in entry.words)
                continue
            credit = 0.0
            for term, weight in concept.terms.items():
                if term in entry.words:
                    matched.add(term)
                    credit = max(credit, weight)
            if credit < 1.0 and concept.grams:
                share = sum(1 for g in concept.grams if g in entry.grams) / len(concept.grams)
                if share >= self.weights.gram_match:
                    credit = max(credit, share * self.weights.gram_credit)
            got += credit * concept.idf
        return got / total, frozenset(matched)


def _normalised(scores: Floats) -> Floats:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores

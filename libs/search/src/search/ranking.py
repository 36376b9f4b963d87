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
    # The document's distinct words, folded, between spaces: a padded trigram of a query word
    # is in it exactly when one of the document's words has that trigram.
    spelled: str


@dataclass(frozen=True, slots=True)
class Ranked:
    doc: SearchDocument
    score: float
    # The query's terms (one set shared by the hits of a query) and the words typed, for
    # highlighting.
    terms: frozenset[str]
    words: tuple[str, ...] = ()
    # The share of the query (by idf) the document answers.
    coverage: float = 0.0


def _counts(
    analyzer: Analyzer, doc: SearchDocument, weights: Weights
) -> tuple[dict[str, float], dict[str, float], str]:
    """The document's terms and trigrams, each with its weighted count (a title word counts
    `weights.title` times), and its distinct words between spaces (`Entry.spelled`)."""
    typed: defaultdict[str, float] = defaultdict(float)
    tags = " ".join(doc.tags)
    for text, weight in ((doc.title, weights.title), (tags, weights.tags), (doc.body, 1.0)):
        for word in words(text):
            if len(word) >= MIN_TERM or word.isdigit():
                typed[word] += weight
    word_counts: defaultdict[str, float] = defaultdict(float)
    gram_counts: defaultdict[str, float] = defaultdict(float)
    for word, count in typed.items():
        word_counts[analyzer.stem(word)] += count
        for gram in trigrams(word):
            gram_counts[gram] += count
    return dict(word_counts), dict(gram_counts), " " + " ".join(sorted(typed)) + " "


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
        word_counts, gram_counts, spelled = _counts(self.analyzers[doc.lang], doc, self.weights)
        slot = self._free.pop() if self._free else len(self._entries)
        entry = Entry(doc, spelled)
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
        # The analysis is a function of the document: done again rather than kept.
        word_counts, gram_counts, _ = _counts(
            self.analyzers[entry.doc.lang], entry.doc, self.weights
        )
        self._words.remove(slot, word_counts)
        self._grams.remove(slot, gram_counts)
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
            for term, weight in concept.ranked_terms().items():
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
        """The best `depth` hits rescored by their coverage of the query; none at all when no
        hit covers `min_coverage` of it."""
        w = self.weights
        top = order[: max(w.depth, query.limit * 3)]
        credits = self._word_credits(concepts, top)
        total = sum(c.idf for c in concepts if not c.stop) or 1.0
        out: list[Ranked] = []
        answered = False
        typed = tuple(c.word for c in concepts)
        terms = frozenset(t for c in concepts for t in c.terms)
        for i, slot in enumerate(top):
            entry = self._entries[int(slot)]
            assert entry is not None
            got = 0.0
            for concept, credit in zip(concepts, credits, strict=True):
                if concept.stop:
                    continue
                value = float(credit[i])
                if value < 1.0 and concept.grams:
                    value = max(value, self._gram_credit(concept, entry))
                got += value * concept.idf
            coverage = got / total
            answered = answered or coverage >= w.min_coverage
            score = float(fused[slot]) * coverage**w.coverage_power
            out.append(Ranked(entry.doc, score, terms, typed, coverage))
        if not answered:
            return []
        out.sort(key=lambda r: (-r.score, r.doc.slug))
        return out

    def _word_credits(self, concepts: list[Concept], top: np.ndarray) -> list[Floats]:
        """Per concept, for each of the `top` slots: the weight of the best of its terms the
        document has (1.0 for the word typed, less for a synonym …), 0.0 for none."""
        size = len(self._entries)
        credits: list[Floats] = []
        for concept in concepts:
            credit = np.zeros(size, dtype=np.float64)
            for term, weight in concept.terms.items():
                slots = self._words.slots(term)
                if slots is not None:
                    credit[slots] = np.maximum(credit[slots], weight)
            for phrase, weight in concept.phrases:
                has_all = np.ones(size, dtype=bool)
                for term in phrase:
                    has = np.zeros(size, dtype=bool)
                    slots = self._words.slots(term)
                    if slots is not None:
                        has[slots] = True
                    has_all &= has
                credit[has_all] = np.maximum(credit[has_all], weight)
            credits.append(credit[top])
        return credits

    def _gram_credit(self, concept: Concept, entry: Entry) -> float:
        """A word the document lacks, but most of whose trigrams one of its words has."""
        spelled = entry.spelled
        share = sum(1 for g in concept.grams if g in spelled) / len(concept.grams)
        w = self.weights
        return share * w.gram_credit if share >= w.gram_match else 0.0


def _normalised(scores: Floats) -> Floats:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores

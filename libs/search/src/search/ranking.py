"""The in-process index: every document's terms, BM25 over stemmed words and over character
trigrams, fused; a result only when the best hit covers enough of the query."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from search.analysis import Analyzer
from search.entries import Entry, analyse
from search.fuzzy import Vocabulary
from search.model import SearchDocument, SearchQuery
from search.plan import Concept, Expansion, plan_query
from search.postings import Floats, Postings


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
    # A word of related meaning (related.<lang>.txt: språkkafé, norsktrening).
    related: float = 0.6
    fuzzy: float = 0.7
    part: float = 0.7
    form: float = 0.8
    stopword: float = 0.2
    # The fused score is multiplied by floor + (1 - floor) * the hit's coverage ** power.
    coverage_power: float = 0.5
    coverage_floor: float = 0.0
    # A word the document lacks still counts (its share of trigrams found times `gram_credit`)
    # when at least `gram_match` of its trigrams are there (a compound's part, a typo).
    gram_match: float = 0.75
    gram_credit: float = 0.6
    # The best hit must cover this share of the query (each word by its idf, a synonym's or
    # near spelling's by its weight): otherwise nothing answers the query.
    min_coverage: float = 0.33
    # A hit covering less than this of the query is left out (trigram noise).
    min_hit_coverage: float = 0.1
    # How many of the best hits are checked for coverage.
    depth: int = 50


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


class Ranker:
    """All documents of one index in memory, by slot; a removed document frees its slot."""

    def __init__(self, analyzers: Mapping[str, Analyzer], weights: Weights | None = None) -> None:
        self.analyzers = analyzers
        self.weights = weights or Weights()
        self.clear()

    def clear(self) -> None:
        """Forget every document."""
        self._entries: list[Entry | None] = []
        self._slots: dict[str, int] = {}
        self._free: list[int] = []
        self._words = Postings()
        self._grams = Postings()
        # Per language: the documents' folded words (for near spellings) and their terms (for
        # other forms of a term).
        self._spellings = {lang: Vocabulary() for lang in self.analyzers}
        self._terms = {lang: Vocabulary() for lang in self.analyzers}
        self._columns: dict[str, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._slots)

    def put(self, doc: SearchDocument) -> None:
        self.remove(doc.slug)
        word_counts, gram_counts, spelled = self._analyse(doc)
        slot = self._free.pop() if self._free else len(self._entries)
        entry = Entry(doc, spelled)
        if slot == len(self._entries):
            self._entries.append(entry)
        else:
            self._entries[slot] = entry
        self._slots[doc.slug] = slot
        self._words.add(slot, word_counts)
        self._grams.add(slot, gram_counts)
        self._update_vocabulary(doc.lang, word_counts, spelled, add=True)
        self._columns = None

    def remove(self, slug: str) -> None:
        slot = self._slots.pop(slug, None)
        if slot is None:
            return
        entry = self._entries[slot]
        assert entry is not None
        # The analysis is a function of the document: done again rather than kept.
        word_counts, gram_counts, _ = self._analyse(entry.doc)
        self._words.remove(slot, word_counts)
        self._grams.remove(slot, gram_counts)
        self._update_vocabulary(entry.doc.lang, word_counts, entry.spelled, add=False)
        self._entries[slot] = None
        self._free.append(slot)
        self._columns = None

    def _analyse(self, doc: SearchDocument) -> tuple[dict[str, float], dict[str, float], str]:
        w = self.weights
        return analyse(self.analyzers[doc.lang], doc, title=w.title, tags=w.tags)

    def _update_vocabulary(
        self, lang: str, word_counts: Mapping[str, float], spelled: str, *, add: bool
    ) -> None:
        terms, spellings = self._terms[lang], self._spellings[lang]
        for term in word_counts:
            terms.add(term) if add else terms.discard(term)
        for word in spelled.split():
            spellings.add(word) if add else spellings.discard(word)

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
            synonym=w.synonym,
            fuzzy=w.fuzzy,
            part=w.part,
            form=w.form,
            stopword=w.stopword,
            related=w.related,
        )
        concepts = plan_query(
            query.text, analyzer, self._words, self._terms[lang], self._spellings[lang], expansion
        )
        if not concepts:
            return []
        mask = self._mask(query)
        if query.lang is None:
            mask &= self._columns["lang"] == lang  # type: ignore[index]
        size = len(self._entries)
        gram_terms = Counter(g for c in concepts for g in c.grams if not c.stop)
        by_words = self._word_scores(concepts, size) * mask
        by_grams = (
            self._grams.scores(((g, float(n)) for g, n in gram_terms.items()), size, k1=w.k1, b=w.b)
            * mask
        )
        fused = _normalised(by_words) * w.words + _normalised(by_grams) * w.grams
        candidates = np.nonzero(fused > 0)[0]
        if len(candidates) == 0:
            return []
        return self._checked(self._best(candidates, fused, query), fused, concepts, query)

    def _word_scores(self, concepts: list[Concept], size: int) -> Floats:
        """BM25 over the query's words: each word scores by the best of its alternatives in a
        document (the word typed, a synonym, another form …), never by their sum, so a document
        using both a word and its synonym does not outrank one using the word alone."""
        w = self.weights
        total = np.zeros(size, dtype=np.float64)
        for concept in concepts:
            best = np.zeros(size, dtype=np.float64)
            for terms, weight in concept.alternatives():
                one = np.zeros(size, dtype=np.float64)
                for term in terms:
                    self._words.add_term(one, term, weight, k1=w.k1, b=w.b)
                np.maximum(best, one, out=best)
            total += best
        return total

    def _best(self, candidates: np.ndarray, fused: Floats, query: SearchQuery) -> np.ndarray:
        """The `depth` best slots by fused score, ties by slug: the same documents in every
        process, whatever slots they were given."""
        depth = max(self.weights.depth, query.limit * 3)
        if len(candidates) > depth:
            values = fused[candidates]
            kth = np.partition(values, len(values) - depth)[len(values) - depth]
            candidates = candidates[values >= kth]
        entries = self._entries
        ordered = sorted(
            candidates.tolist(),
            key=lambda slot: (-fused[slot], entries[slot].doc.slug),  # type: ignore[union-attr]
        )
        return np.asarray(ordered[:depth], dtype=np.int64)

    def _checked(
        self, order: np.ndarray, fused: Floats, concepts: list[Concept], query: SearchQuery
    ) -> list[Ranked]:
        """The best `depth` hits rescored by their coverage of the query; none at all when no
        hit covers `min_coverage` of it."""
        w = self.weights
        top = order
        credits = self._credits(concepts, top)
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
                if not concept.stop:
                    got += float(credit[i]) * concept.idf
            coverage = got / total
            if coverage < w.min_hit_coverage or coverage == 0.0:
                continue
            answered = answered or coverage >= w.min_coverage
            scale = w.coverage_floor + (1.0 - w.coverage_floor) * coverage**w.coverage_power
            score = float(fused[slot]) * scale
            out.append(Ranked(entry.doc, score, terms, typed, coverage))
        if not answered:
            return []
        out.sort(key=lambda r: (-r.score, r.doc.slug))
        return out

    def _credits(self, concepts: list[Concept], top: np.ndarray) -> list[Floats]:
        """Per concept, for each of the `top` slots, how well the document answers it: the
        weight of the best of its terms or phrases the document has (1.0 for the word typed,
        less for a synonym …), else its trigram credit, else 0.0."""
        size = len(self._entries)
        credits: list[Floats] = []
        for concept in concepts:
            credit = np.zeros(size, dtype=np.float64)
            if not concept.stop:
                for term, weight in concept.terms.items():
                    slots = self._words.slots(term)
                    if slots is not None:
                        credit[slots] = np.maximum(credit[slots], weight)
                for phrase, weight in concept.phrases:
                    has_all = self._has_all(phrase, size)
                    credit[has_all] = np.maximum(credit[has_all], weight)
                if concept.grams:
                    np.maximum(credit, self._gram_credits(concept, size), out=credit)
            credits.append(credit[top])
        return credits

    def _has_all(self, terms: tuple[str, ...], size: int) -> npt.NDArray[np.bool_]:
        has_all = np.ones(size, dtype=bool)
        for term in terms:
            has = np.zeros(size, dtype=bool)
            slots = self._words.slots(term)
            if slots is not None:
                has[slots] = True
            has_all &= has
        return has_all

    def _gram_credits(self, concept: Concept, size: int) -> Floats:
        """For a word a document lacks: the share of its trigrams one of the document's words
        has (a trigram is the document's when one of its words has it), times `gram_credit`,
        when that share is at least `gram_match`."""
        w = self.weights
        found = np.zeros(size, dtype=np.float64)
        for gram, count in Counter(concept.grams).items():
            slots = self._grams.slots(gram)
            if slots is not None:
                found[slots] += count
        share = found / len(concept.grams)
        return np.where(share >= w.gram_match, share * w.gram_credit, 0.0)


def _normalised(scores: Floats) -> Floats:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores

"""The judged collection (tests/data, a copy of shared/data/search-dev) and its measures,
computed as shared/tools/search-eval computes them."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from search import SearchDocument

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Query:
    qid: str
    lang: str
    text: str
    phenomena: tuple[str, ...]


def corpus() -> list[SearchDocument]:
    docs = []
    for line in (DATA / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        docs.append(
            SearchDocument(
                slug=raw["id"],
                kind=raw["kind"],
                lang=raw["lang"],
                title=raw["title"],
                body=raw["body"],
                tags=tuple(raw["tags"]),
                facets={"topic": raw["topic"], "level": raw["level"]},
            )
        )
    return docs


def queries() -> list[Query]:
    out = []
    for line in (DATA / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        out.append(Query(raw["qid"], raw["lang"], raw["query"], tuple(raw.get("phenomena", ()))))
    return out


def qrels() -> dict[str, dict[str, int]]:
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (DATA / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, doc, grade = line.split("\t")
            judged[qid][doc] = int(grade)
    return dict(judged)


def _unique(ranked: list[str]) -> list[str]:
    seen: set[str] = set()
    return [d for d in ranked if not (d in seen or seen.add(d))]  # type: ignore[func-returns-value]


def ndcg_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    ranked = _unique(ranked)
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_20(ranked: list[str], grades: dict[str, int]) -> float:
    relevant = {d for d, g in grades.items() if g >= 1}
    return len(relevant & set(_unique(ranked)[:20])) / len(relevant)


def mrr_at_10(ranked: list[str], grades: dict[str, int], min_grade: int = 2) -> float:
    for i, d in enumerate(_unique(ranked)[:10]):
        if grades.get(d, 0) >= min_grade:
            return 1.0 / (i + 1)
    return 0.0


@dataclass(frozen=True)
class Figures:
    ndcg: float
    recall: float
    mrr: float
    zero_rate: float
    no_answer_empty: int
    no_answer_total: int
    per_query: dict[str, float]


def for_kinds(kinds: frozenset[str]) -> tuple[list[Query], dict[str, dict[str, int]]]:
    """The queries and judgements as `search-eval --kinds` keeps them: judgements of other
    kinds dropped, a query whose grade >= 2 documents are all of other kinds skipped."""
    kind_of = {d.slug: d.kind for d in corpus()}
    judged = qrels()
    kept: list[Query] = []
    mine_all: dict[str, dict[str, int]] = {}
    for query in queries():
        rel = judged.get(query.qid, {})
        mine = {d: g for d, g in rel.items() if kind_of[d] in kinds}
        if rel and not any(g >= 2 for g in mine.values()):
            continue
        kept.append(query)
        if mine:
            mine_all[query.qid] = mine
    return kept, mine_all


def figures(
    results: dict[str, list[str]], judgements: dict[str, dict[str, int]] | None = None
) -> Figures:
    judged = qrels() if judgements is None else judgements
    answerable = [q for q in results if q in judged]
    no_answer = [q for q in results if q not in judged]
    per_query = {q: ndcg_at_10(results[q], judged[q]) for q in answerable}
    n = len(answerable) or 1
    return Figures(
        ndcg=sum(per_query.values()) / n,
        recall=sum(recall_at_20(results[q], judged[q]) for q in answerable) / n,
        mrr=sum(mrr_at_10(results[q], judged[q]) for q in answerable) / n,
        zero_rate=sum(1 for q in answerable if not results[q]) / n,
        no_answer_empty=sum(1 for q in no_answer if not results[q]),
        no_answer_total=len(no_answer),
        per_query=per_query,
    )

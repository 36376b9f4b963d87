"""The judged set (tests/data) through the real path: every document `put`, every dev query
searched, figures computed as shared/tools/search-eval computes them (decision 0026)."""

import pytest

from search import SearchIndex, SearchQuery
from search.analysis import shipped_analyzers
from search.ranking import Ranker
from search_testing import judged

# nDCG@10 reached on the dev queries with all 160 documents in one index, on both databases
# (docs/decisions/0026-search-ranking.md); the test fails 0.02 below it.
REACHED_NDCG = 0.949
ALLOWED_DROP = 0.02
# Each service's own documents in its own index, measured as `search-eval --kinds` measures
# its endpoint: training (courses and lessons) and helpdesk (articles).
REACHED_BY_KINDS = {"course,lesson": 0.957, "article": 0.985}


@pytest.fixture
async def results(db):
    index = SearchIndex()
    async with db.transaction(write=True) as tx:
        for document in judged.corpus():
            await index.put(tx, document)
    out = {}
    async with db.transaction(write=False) as tx:
        for query in judged.queries():
            hits = await index.search(tx, SearchQuery(text=query.text, lang=query.lang, limit=20))
            out[query.qid] = [h.slug for h in hits]
    return out


async def test_the_judged_set_meets_the_figures(results):
    figures = judged.figures(results)
    assert figures.ndcg >= REACHED_NDCG - ALLOWED_DROP, figures
    answerable_empty = [q for q in figures.per_query if not results[q]]
    assert answerable_empty == []
    assert figures.no_answer_empty >= 3, figures


async def test_the_database_changes_nothing_in_the_ranking(results):
    """The same lists as the in-memory ranking of the corpus read from the files: on SQLite and
    on PostgreSQL alike (what goes through the tables comes back as it went in)."""
    ranker = Ranker(shipped_analyzers())
    for document in judged.corpus():
        ranker.put(document)
    for query in judged.queries():
        found = ranker.search(SearchQuery(text=query.text, lang=query.lang, limit=20))
        assert results[query.qid] == [r.doc.slug for r in found], query


async def test_every_hit_is_in_the_query_language(results):
    languages = {q.qid: q.lang for q in judged.queries()}
    for qid, slugs in results.items():
        assert all(slug.startswith(languages[qid]) for slug in slugs), (qid, slugs)


@pytest.mark.parametrize("kinds", sorted(REACHED_BY_KINDS))
async def test_each_service_s_own_index_meets_the_figures(db, kinds):
    wanted = frozenset(kinds.split(","))
    index = SearchIndex()
    async with db.transaction(write=True) as tx:
        for document in judged.corpus():
            if document.kind in wanted:
                await index.put(tx, document)
    queries, judgements = judged.for_kinds(wanted)
    results = {}
    async with db.transaction(write=False) as tx:
        for query in queries:
            found = SearchQuery(text=query.text, lang=query.lang, limit=20, kinds=wanted)
            results[query.qid] = [h.slug for h in await index.search(tx, found)]
    figures = judged.figures(results, judgements)
    assert figures.ndcg >= REACHED_BY_KINDS[kinds] - ALLOWED_DROP, figures
    assert [q for q in figures.per_query if not results[q]] == []
    assert figures.no_answer_empty >= 3, figures

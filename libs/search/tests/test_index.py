"""put, remove and search on both databases, in one process and across processes."""

import pytest
from sqlalchemy import text

from search import MAX_QUERY_LENGTH, SearchDocument, SearchIndex, SearchQuery

CARD = SearchDocument(
    slug="nb-card",
    kind="article",
    lang="nb",
    title="Lånekortet er utløpt: slik fornyer du det",
    body="Et lånekort er gyldig i fem år. Når kortet er utløpt, fornyer du det i skranken.",
    tags=("lånekort", "utløpt"),
    facets={"topic": "patron-accounts", "level": "starter"},
)
HOLD = SearchDocument(
    slug="en-hold",
    kind="lesson",
    lang="en",
    title="Placing a hold for a patron",
    body="Find the title in the catalogue, choose <Place hold> and pick the patron's branch.",
    tags=("holds",),
    facets={"topic": "holds", "level": "intermediate"},
)
STAFF_NOTE = SearchDocument(
    slug="en-hold-staff",
    kind="article",
    lang="en",
    title="Holds that are stuck: the staff checklist",
    body="When a hold is stuck in transit, check the branch's transit list first.",
    facets={"topic": "holds", "level": "in-depth"},
    audience="staff",
)


async def put_all(db, index, *docs):
    async with db.transaction(write=True) as tx:
        for doc in docs:
            await index.put(tx, doc)


async def search(db, index, query):
    async with db.transaction(write=False) as tx:
        return await index.search(tx, query)


async def test_a_document_put_is_found_with_its_fields_and_a_marked_snippet(db, index):
    await put_all(db, index, CARD, HOLD)
    hits = await search(db, index, SearchQuery(text="lanekort utlopt", lang="nb"))
    assert [h.slug for h in hits] == ["nb-card"]
    hit = hits[0]
    assert (hit.kind, hit.lang, hit.title) == ("article", "nb", CARD.title)
    assert dict(hit.facets) == {"topic": "patron-accounts", "level": "starter"}
    assert "<mark>lånekort</mark>" in hit.snippet
    assert "<mark>utløpt</mark>" in hit.snippet
    assert hit.score > 0


async def test_a_snippet_is_html_escaped(db, index):
    await put_all(db, index, HOLD)
    [hit] = await search(db, index, SearchQuery(text="place a hold", lang="en"))
    assert "&lt;<mark>Place</mark> <mark>hold</mark>&gt;" in hit.snippet
    assert "patron&#x27;s" in hit.snippet
    assert "<Place" not in hit.snippet


async def test_put_again_replaces_and_remove_takes_out(db, index):
    await put_all(db, index, CARD)
    changed = SearchDocument(
        **{**_fields(CARD), "title": "Bibliotekkort", "body": "Sperret kort.", "tags": ()}
    )
    await put_all(db, index, changed)
    assert await search(db, index, SearchQuery(text="utløpt", lang="nb")) == []
    [hit] = await search(db, index, SearchQuery(text="sperret", lang="nb"))
    assert hit.title == "Bibliotekkort"
    async with db.transaction(write=True) as tx:
        assert await index.remove(tx, "nb-card") is True
        assert await index.remove(tx, "nb-card") is False
        assert await index.remove(tx, "never-put") is False
    assert await search(db, index, SearchQuery(text="sperret", lang="nb")) == []
    await put_all(db, index, CARD)
    assert [h.slug for h in await search(db, index, SearchQuery(text="utløpt"))] == ["nb-card"]


async def test_another_process_sees_every_write_and_removal(db, index):
    other = SearchIndex()
    async with db.transaction(write=False) as tx:
        assert await other.warm(tx) == 0
    assert await search(db, other, SearchQuery(text="hold", lang="en")) == []
    await put_all(db, index, HOLD)
    assert [h.slug for h in await search(db, other, SearchQuery(text="hold"))] == ["en-hold"]
    async with db.transaction(write=True) as tx:
        await index.remove(tx, "en-hold")
        await index.put(tx, CARD)
    assert await search(db, other, SearchQuery(text="hold")) == []
    late = SearchIndex()
    async with db.transaction(write=False) as tx:
        assert await late.warm(tx) == 1


async def test_a_rolled_back_put_is_never_found(db, index):
    async def put_search_and_fail():
        async with db.transaction(write=True) as tx:
            await index.put(tx, HOLD)
            # Searching in the writing transaction does not take its own rows in.
            assert await index.search(tx, SearchQuery(text="hold")) == []
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        await put_search_and_fail()
    assert await search(db, index, SearchQuery(text="hold")) == []
    await put_all(db, index, CARD)
    assert [h.slug for h in await search(db, index, SearchQuery(text="lånekort"))] == ["nb-card"]


async def test_an_emptied_database_empties_the_index(db, index):
    await put_all(db, index, HOLD)
    assert await search(db, index, SearchQuery(text="hold")) != []
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM search_documents"))
        await conn.execute(text("DELETE FROM search_state"))
    assert await search(db, index, SearchQuery(text="hold")) == []
    await put_all(db, index, CARD)
    assert [h.slug for h in await search(db, index, SearchQuery(text="lånekort"))] == ["nb-card"]


async def test_an_orm_session_works_as_a_transaction(db, index):
    async with db.writer() as session, session.begin():
        await index.put(session, HOLD)
    async with db.reader() as session:
        [hit] = await index.search(session, SearchQuery(text="holds", lang="en"))
    assert hit.slug == "en-hold"


async def test_filters_audiences_kinds_facets_language_and_limit(db, index):
    await put_all(db, index, CARD, HOLD, STAFF_NOTE)

    async def slugs(**query):
        return [h.slug for h in await search(db, index, SearchQuery(**query))]

    assert await slugs(text="hold", lang="en") == ["en-hold"]
    assert await slugs(text="hold", lang="en", audiences=frozenset({"public", "staff"})) == [
        "en-hold",
        "en-hold-staff",
    ]
    staff = frozenset({"staff"})
    assert await slugs(text="hold", audiences=staff) == ["en-hold-staff"]
    both = frozenset({"public", "staff"})
    assert await slugs(text="hold", audiences=both, kinds=frozenset({"article"})) == [
        "en-hold-staff"
    ]
    assert await slugs(text="hold", audiences=both, facets={"level": "intermediate"}) == ["en-hold"]
    assert await slugs(text="hold", audiences=both, facets={"level": "starter"}) == []
    assert await slugs(text="hold", audiences=both, limit=1) == ["en-hold"]
    assert await slugs(text="hold", lang="nb") == []


@pytest.mark.parametrize(
    "query",
    ["", "   ", "?!…", "«»\u2014\u2013-", "x" * 10_000, "hold " * 2_000, "\x00\ud7ff"],
    ids=["empty", "blank", "punctuation", "dashes", "one-long-word", "long", "odd"],
)
async def test_empty_punctuation_and_very_long_queries_are_no_error(db, index, query):
    await put_all(db, index, HOLD)
    hits = await search(db, index, SearchQuery(text=query))
    assert len(hits) <= 10
    if not query.strip("?!…«»\u2014\u2013- ") or len(query) > MAX_QUERY_LENGTH * 4:
        assert hits == [] or query.startswith("hold")


def test_a_query_or_document_out_of_bounds_is_refused():
    with pytest.raises(ValueError, match="lang"):
        SearchQuery(text="x", lang="de")
    with pytest.raises(ValueError, match="limit"):
        SearchQuery(text="x", limit=0)
    with pytest.raises(ValueError, match="slug"):
        SearchDocument(slug="", kind="article", lang="en", title="t", body="b")


def _fields(doc):
    return {
        "slug": doc.slug,
        "kind": doc.kind,
        "lang": doc.lang,
        "title": doc.title,
        "body": doc.body,
        "tags": doc.tags,
        "facets": doc.facets,
        "audience": doc.audience,
    }


async def test_a_session_that_wrote_then_committed_searches_the_index_as_it_is(db, index):
    async with db.writer() as session:
        async with session.begin():
            await index.put(session, HOLD)
        async with session.begin():
            [hit] = await index.search(session, SearchQuery(text="hold", lang="en"))
    assert hit.slug == "en-hold"


async def test_a_session_s_rolled_back_put_is_never_found(db, index):
    async def put_search_and_fail():
        async with db.writer() as session, session.begin():
            await index.put(session, HOLD)
            assert await index.search(session, SearchQuery(text="hold")) == []
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        await put_search_and_fail()
    assert await search(db, index, SearchQuery(text="hold")) == []

"""A search request as the mechanism's query: the language, the filters and the caller's audiences."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from search import SearchIndex, SearchQuery
from training.content.publication import AUDIENCE
from training.searching.schemas import SearchHitOut, SearchParams


def search_query(params: SearchParams) -> SearchQuery:
    facets = {
        name: value
        for name, value in (
            ("topic", params.topic),
            ("level", params.level),
            ("format", params.format),
        )
        if value is not None
    }
    return SearchQuery(
        text=params.q,
        lang=params.lang,
        limit=params.limit,
        facets=facets,
        # The index holds published content only, for staff: trainers find the same.
        audiences=frozenset({"public", AUDIENCE}),
        kinds=None if params.kind is None else frozenset({params.kind}),
    )


async def find(
    session: AsyncSession, *, index: SearchIndex, params: SearchParams
) -> list[SearchHitOut]:
    if not params.q.strip():
        return []
    hits = await index.search(session, search_query(params))
    return [SearchHitOut.model_validate(hit.as_dict()) for hit in hits]

"""Finding articles: search over published ones, and suggestions while a ticket is written."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from helpdesk.catalogue.models import SupportService
from helpdesk.knowledge.access import audiences
from helpdesk.knowledge.schemas import HitOut, HitsOut
from helpdesk.knowledge.service import KIND
from search import MAX_QUERY_LENGTH, SearchIndex, SearchQuery


async def _service_facet(session: AsyncSession, service_id: uuid.UUID | None) -> dict[str, str]:
    if service_id is None:
        return {}
    code = await session.scalar(select(SupportService.code).where(SupportService.id == service_id))
    # An unknown service has no articles: a facet no document carries.
    return {"service": code or f"unknown-{service_id}"}


async def find(
    session: AsyncSession,
    *,
    principal: Principal | None,
    index: SearchIndex,
    text: str,
    lang: str | None,
    limit: int,
    service_id: uuid.UUID | None,
) -> HitsOut:
    """Ranked published articles the caller may read (internal ones to agents only)."""
    hits = await index.search(
        session,
        SearchQuery(
            text=text[:MAX_QUERY_LENGTH],
            lang=lang,
            limit=limit,
            facets=await _service_facet(session, service_id),
            audiences=audiences(principal),
            kinds=frozenset({KIND}),
        ),
    )
    return HitsOut(
        items=[
            HitOut(
                slug=hit.slug,
                title=hit.title,
                snippet=hit.snippet,
                lang=hit.lang,
                score=hit.score,
                audience=hit.audience,
                service=hit.facets.get("service"),
                topic=hit.facets.get("topic"),
            )
            for hit in hits
        ],
        next_cursor=None,
    )

"""Rules of the knowledge base: published articles are in the index, written in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from helpdesk.catalogue.models import SupportService
from helpdesk.db import trail
from helpdesk.knowledge.access import article_scope
from helpdesk.knowledge.errors import (
    ArticleNotFound,
    DuplicateSlug,
    UnknownArticleService,
    UnknownTranslation,
)
from helpdesk.knowledge.events import ArticleCreated, ArticleUpdated
from helpdesk.knowledge.models import Article
from helpdesk.knowledge.schemas import ArticleIn, ArticleOut, ArticlePatch, ArticleQuery
from search import SearchDocument, SearchIndex

KIND = "article"


def article_view(article: Article) -> ArticleOut:
    return ArticleOut.model_validate(article)


def _audited(article: Article) -> dict[str, Any]:
    return article_view(article).model_dump(
        mode="json",
        exclude={"id", "version", "created_at", "updated_at", "helpful_votes", "unhelpful_votes"},
    )


async def _service_code(session: AsyncSession, service_id: uuid.UUID | None) -> str | None:
    if service_id is None:
        return None
    code = await session.scalar(select(SupportService.code).where(SupportService.id == service_id))
    if code is None:
        raise UnknownArticleService("service_id", f"no supported service {service_id}")
    return code


async def sync_index(session: AsyncSession, index: SearchIndex, article: Article) -> None:
    """A published article is in the index as it now reads; any other is not."""
    if article.status != "published":
        await index.remove(session, article.slug)
        return
    facets = {}
    code = await _service_code(session, article.service_id)
    if code:
        facets["service"] = code
    if article.topic:
        facets["topic"] = article.topic
    await index.put(
        session,
        SearchDocument(
            slug=article.slug,
            kind=KIND,
            lang=article.lang,
            title=article.title,
            body=article.body,
            tags=tuple(article.tags),
            facets=facets,
            audience=article.audience,
        ),
    )


async def get_article(
    session: AsyncSession, *, principal: Principal | None, article_id: uuid.UUID
) -> Article:
    article = await session.scalar(
        select(Article).where(Article.id == article_id, article_scope(principal))
    )
    if article is None:
        raise ArticleNotFound(f"No article {article_id} that you may read")
    return article


async def list_articles(
    session: AsyncSession,
    *,
    principal: Principal | None,
    query: ArticleQuery,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[Article]:
    statement = select(Article).where(article_scope(principal)).order_by(Article.id).limit(limit)
    for column, value in {
        Article.lang: query.lang,
        Article.service_id: query.service_id,
        Article.status: query.status,
    }.items():
        if value is not None:
            statement = statement.where(column == value)
    if after is not None:
        statement = statement.where(Article.id > after)
    return (await session.scalars(statement)).all()


async def create_article(
    session: AsyncSession,
    *,
    principal: Principal,
    index: SearchIndex,
    body: ArticleIn,
    request_id: str | None,
) -> Article:
    await _service_code(session, body.service_id)
    article_id = uuid7()
    slug = body.slug or f"{body.lang}-{article_id.hex[-12:]}"
    if await session.scalar(select(Article.id).where(Article.slug == slug)) is not None:
        raise DuplicateSlug("slug", f"the slug {slug!r} is taken")
    group = article_id
    if body.translation_of is not None:
        original = await session.get(Article, body.translation_of)
        if original is None:
            raise UnknownTranslation("translation_of", f"no article {body.translation_of}")
        group = original.translation_group
    now = utcnow()
    article = Article(
        id=article_id,
        slug=slug,
        service_id=body.service_id,
        translation_group=group,
        lang=body.lang,
        title=body.title,
        body=body.body,
        tags=body.tags,
        topic=body.topic,
        audience=body.audience,
        status=body.status,
        helpful_votes=0,
        unhelpful_votes=0,
        published_at=now if body.status == "published" else None,
        created_at=now,
        updated_at=now,
    )
    session.add(article)
    await session.flush()
    await sync_index(session, index, article)
    await trail.announce(
        session,
        ArticleCreated(slug=slug, lang=article.lang, status=article.status),
        principal=principal,
        change=Change("article", str(article.id), before=None, after=_audited(article)),
        subject=str(article.id),
        request_id=request_id,
    )
    return article


async def update_article(
    session: AsyncSession,
    *,
    principal: Principal,
    index: SearchIndex,
    article: Article,
    body: ArticlePatch,
    request_id: str | None,
) -> Article:
    sent = body.sent()
    if sent.get("service_id") is not None:
        await _service_code(session, sent["service_id"])
    before = _audited(article)
    for name, value in sent.items():
        setattr(article, name, value)
    if sent.get("status") == "published" and article.published_at is None:
        article.published_at = utcnow()
    changed = await trail.record_update(
        session,
        row=article,
        principal=principal,
        change=Change("article", str(article.id), before=before, after=_audited(article)),
        subject=str(article.id),
        request_id=request_id,
        event=lambda fields: ArticleUpdated(changed=fields),
    )
    if changed:
        await sync_index(session, index, article)
    return article

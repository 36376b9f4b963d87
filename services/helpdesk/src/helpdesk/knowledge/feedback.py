""" "Did this help?" votes, and the tickets an article solved."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.outbox import record_event
from chassis.types import utcnow
from helpdesk.db import outbox, trail
from helpdesk.knowledge.access import article_scope
from helpdesk.knowledge.errors import AlreadyLinked, ArticleNotFound, NotPublished
from helpdesk.knowledge.events import ArticleLinked, ArticleVoted
from helpdesk.knowledge.models import Article, ArticleVote, TicketArticle
from helpdesk.knowledge.schemas import LinkOut
from helpdesk.tickets.models import Ticket


async def vote(
    session: AsyncSession,
    *,
    principal: Principal,
    article: Article,
    helpful: bool,
    request_id: str | None,
) -> Article:
    """One vote per caller and article; voting again changes the vote, never counts twice."""
    if article.status != "published":
        raise NotPublished("Only published articles take votes")
    now = utcnow()
    existing = await session.scalar(
        select(ArticleVote).where(
            ArticleVote.article_id == article.id, ArticleVote.voter == principal.subject
        )
    )
    before = None if existing is None else {"helpful": existing.helpful}
    if existing is None:
        session.add(
            ArticleVote(
                id=uuid7(),
                article_id=article.id,
                voter=principal.subject,
                helpful=helpful,
                created_at=now,
                updated_at=now,
            )
        )
    elif existing.helpful != helpful:
        existing.helpful = helpful
        existing.updated_at = now
    else:
        return article
    await _recount(session, article)
    await session.flush()
    await trail.announce(
        session,
        ArticleVoted(helpful=helpful),
        principal=principal,
        change=Change("article_vote", str(article.id), before=before, after={"helpful": helpful}),
        subject=str(article.id),
        request_id=request_id,
    )
    return article


async def _recount(session: AsyncSession, article: Article) -> None:
    await session.flush()
    votes = (
        await session.scalars(
            select(ArticleVote.helpful).where(ArticleVote.article_id == article.id)
        )
    ).all()
    article.helpful_votes = sum(votes)
    article.unhelpful_votes = len(votes) - sum(votes)


async def link(
    session: AsyncSession,
    *,
    principal: Principal,
    ticket: Ticket,
    article_id: uuid.UUID,
    request_id: str | None,
) -> tuple[TicketArticle, Article]:
    article = await session.scalar(
        select(Article).where(Article.id == article_id, article_scope(principal))
    )
    if article is None:
        raise ArticleNotFound(f"No article {article_id}")
    key = {"ticket_id": ticket.id, "article_id": article.id}
    if await session.get(TicketArticle, key) is not None:
        raise AlreadyLinked("The article is linked to this ticket already")
    row = TicketArticle(
        ticket_id=ticket.id, article_id=article.id, linked_by=principal.subject, created_at=utcnow()
    )
    session.add(row)
    await session.flush()
    await trail.record_change(
        session,
        change=Change(
            "ticket_article", str(article.id), before=None, after={"ticket_id": str(ticket.id)}
        ),
        principal=principal,
        action=ArticleLinked.event_type,
        request_id=request_id,
    )
    await record_event(session, outbox, ArticleLinked(ticket_id=ticket.id), subject=str(article.id))
    return row, article


def link_view(row: TicketArticle, article: Article) -> LinkOut:
    return LinkOut(
        ticket_id=row.ticket_id,
        article_id=article.id,
        slug=article.slug,
        title=article.title,
        linked_by=row.linked_by,
        created_at=row.created_at,
    )


async def links_of(
    session: AsyncSession, *, principal: Principal, ticket: Ticket
) -> Sequence[tuple[TicketArticle, Article]]:
    rows = await session.execute(
        select(TicketArticle, Article)
        .join(Article, Article.id == TicketArticle.article_id)
        .where(TicketArticle.ticket_id == ticket.id, article_scope(principal))
        .order_by(TicketArticle.created_at, Article.id)
    )
    return [(link_row, article) for link_row, article in rows.all()]

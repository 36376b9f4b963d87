"""Tables of the knowledge base: articles, their "did this help?" votes, and tickets they solved."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime
from helpdesk.db import Base


class Article(Versioned, Base):
    __tablename__ = "articles"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # The id the search index knows it by (and the judged corpus's document id).
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("support_services.id"), nullable=True
    )
    # Translations of one article share a group (the first version's id).
    translation_group: Mapped[uuid.UUID] = mapped_column()
    lang: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSONDoc)
    topic: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # "public" (anyone) or "internal" (agents only).
    audience: Mapped[str] = mapped_column(String(20))
    # "draft", "published" or "archived"; only published articles are in the index.
    status: Mapped[str] = mapped_column(String(20))
    helpful_votes: Mapped[int] = mapped_column(Integer)
    unhelpful_votes: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArticleVote(Versioned, Base):
    """One voter's answer to "did this help?"; voting again changes it."""

    __tablename__ = "article_votes"
    __table_args__ = (UniqueConstraint("article_id", "voter"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    article_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("articles.id"))
    voter: Mapped[str] = mapped_column(String(200))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketArticle(Base):
    """An article that solved (or helped solve) a ticket, linked by an agent."""

    __tablename__ = "ticket_articles"

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    article_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    linked_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

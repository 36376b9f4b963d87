"""The events of the knowledge base."""

from __future__ import annotations

import uuid

from chassis.outbox import EventData


class ArticleCreated(EventData):
    event_type = "article.created"
    slug: str
    lang: str
    status: str


class ArticleUpdated(EventData):
    event_type = "article.updated"
    changed: list[str]


class ArticleVoted(EventData):
    event_type = "article.voted"
    helpful: bool


class ArticleLinked(EventData):
    event_type = "article.linked"
    ticket_id: uuid.UUID

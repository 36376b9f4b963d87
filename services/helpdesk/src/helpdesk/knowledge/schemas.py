"""Request and response bodies of articles, votes, links and search."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel
from search import MAX_QUERY_LENGTH

ArticleLang = Literal["nl", "nb", "nn", "en"]
Audience = Literal["public", "internal"]
Status = Literal["draft", "published", "archived"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$", examples=["nl-004"])]
ArticleTag = Annotated[str, Field(min_length=1, max_length=60)]


class ArticleIn(InputModel):
    slug: Slug | None = Field(default=None, description="Default: made from the language and id")
    service_id: uuid.UUID | None = Field(default=None, description="The service it is about")
    translation_of: uuid.UUID | None = Field(
        default=None, description="An article this one translates (same group)"
    )
    lang: ArticleLang
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=50_000)
    tags: list[ArticleTag] = Field(default_factory=list, max_length=30)
    topic: str | None = Field(default=None, min_length=1, max_length=60)
    audience: Audience = "public"
    status: Status = "draft"


class ArticlePatch(PatchModel):
    clearable = frozenset({"service_id", "topic"})

    service_id: uuid.UUID | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=50_000)
    tags: list[ArticleTag] | None = Field(default=None, max_length=30)
    topic: str | None = Field(default=None, min_length=1, max_length=60)
    audience: Audience | None = None
    status: Status | None = None


class ArticleOut(OutputModel):
    id: uuid.UUID
    slug: str
    service_id: uuid.UUID | None
    translation_group: uuid.UUID
    lang: str
    title: str
    body: str
    tags: list[str]
    topic: str | None
    audience: str
    status: str
    helpful_votes: int
    unhelpful_votes: int
    published_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class ArticleQuery(PageQuery):
    lang: ArticleLang | None = None
    service_id: uuid.UUID | None = None
    status: Status | None = Field(None, description="Agents only; others see published ones")


class VoteIn(InputModel):
    helpful: bool


class LinkIn(InputModel):
    article_id: uuid.UUID


class LinkOut(OutputModel):
    ticket_id: uuid.UUID
    article_id: uuid.UUID
    slug: str
    title: str
    linked_by: str
    created_at: datetime


class SearchParams(BaseModel):
    model_config = {"extra": "forbid"}

    q: str = Field(min_length=1, max_length=MAX_QUERY_LENGTH, description="What to look for")
    lang: ArticleLang | None = Field(None, description="The query's language; default: all")
    limit: int = Field(10, ge=1, le=50)
    service_id: uuid.UUID | None = Field(None, description="Only articles about this service")


class SuggestParams(BaseModel):
    model_config = {"extra": "forbid"}

    subject: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    lang: ArticleLang | None = None
    service_id: uuid.UUID | None = None
    limit: int = Field(5, ge=1, le=20)


class HitOut(OutputModel):
    slug: str
    title: str
    snippet: str = Field(description="HTML-escaped, <mark> around matched words")
    lang: str
    score: float
    audience: str
    service: str | None
    topic: str | None


class HitsOut(OutputModel):
    items: list[HitOut]
    next_cursor: None = Field(description="Ranked answers come in one page")

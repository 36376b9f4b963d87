"""The search route's query parameters and its answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chassis.schemas import OutputModel
from search import MAX_QUERY_LENGTH
from training.vocabulary import Format, Language, Level, Slug

Kind = Literal["course", "lesson", "transcript"]
MAX_HITS = 50


class SearchParams(BaseModel):
    """What `GET /v1/search` reads: the words, the language and the filters."""

    q: str = Field(
        "",
        max_length=MAX_QUERY_LENGTH,
        description="The words to find; an empty query (or punctuation only) finds nothing",
    )
    lang: Language | None = Field(None, description="The query's language; only that language")
    limit: int = Field(10, ge=1, le=MAX_HITS)
    topic: Slug | None = Field(None, description="The topic's slug")
    level: Level | None = None
    format: Format | None = None
    kind: Kind | None = None


class SearchHitOut(OutputModel):
    slug: str = Field(description="The item's external id")
    kind: str
    lang: str
    title: str
    snippet: str = Field(description="HTML-escaped text with <mark> around the matched words")
    score: float
    facets: dict[str, str]
    tags: list[str]


class SearchAnswer(BaseModel):
    """Ranked hits, best first: one page (`limit`), so `next_cursor` is always null."""

    items: list[SearchHitOut]
    next_cursor: None = None

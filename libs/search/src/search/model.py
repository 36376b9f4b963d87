"""What goes into the index and what comes out: the interface the services code against."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

LANGUAGES = ("nl", "nb", "nn", "en")
PUBLIC = "public"
# Longest slug, kind, audience and facet value kept (the columns' sizes).
MAX_SLUG = 200
MAX_NAME = 50


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One searchable item of a service: a course, a lesson, an article … `slug` is its id."""

    slug: str
    kind: str
    lang: str
    title: str
    body: str
    tags: tuple[str, ...] = ()
    # Exact-match filters, e.g. {"topic": "…", "level": "starter", "format": "webinar"}.
    facets: Mapping[str, str] = field(default_factory=dict)
    # Who may find it: a query lists the audiences its caller belongs to.
    audience: str = PUBLIC

    def __post_init__(self) -> None:
        if not 0 < len(self.slug) <= MAX_SLUG:
            raise ValueError(f"a slug has 1 to {MAX_SLUG} characters: {self.slug!r}")
        if self.lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}: {self.lang!r}")
        for name, value in (("kind", self.kind), ("audience", self.audience)):
            if not 0 < len(value) <= MAX_NAME:
                raise ValueError(f"{name} has 1 to {MAX_NAME} characters: {value!r}")
        object.__setattr__(self, "tags", tuple(self.tags))
        object.__setattr__(self, "facets", _frozen(self.facets))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What a caller asks: `text` in `lang` (None: every language), at most `limit` hits that
    carry every one of `facets`, of one of `kinds` (None: any), for one of `audiences`."""

    text: str
    lang: str | None = None
    limit: int = 10
    facets: Mapping[str, str] = field(default_factory=dict)
    audiences: frozenset[str] = frozenset({PUBLIC})
    kinds: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.lang is not None and self.lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}: {self.lang!r}")
        if self.limit < 1:
            raise ValueError(f"limit must be at least 1: {self.limit}")
        object.__setattr__(self, "facets", _frozen(self.facets))
        object.__setattr__(self, "audiences", frozenset(self.audiences))
        if self.kinds is not None:
            object.__setattr__(self, "kinds", frozenset(self.kinds))


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked answer. `snippet` is HTML-escaped text with <mark>…</mark> around the words
    that matched; `title` is plain text (escape it where it is shown as HTML)."""

    slug: str
    kind: str
    lang: str
    title: str
    snippet: str
    score: float
    facets: Mapping[str, str]
    tags: tuple[str, ...] = ()
    audience: str = PUBLIC

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "kind": self.kind,
            "lang": self.lang,
            "title": self.title,
            "snippet": self.snippet,
            "score": self.score,
            "facets": dict(self.facets),
            "tags": list(self.tags),
        }

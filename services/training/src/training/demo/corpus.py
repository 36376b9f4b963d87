"""The judged search set's courses and lessons (`search_corpus.jsonl`: the course and lesson lines,
unchanged, of the project's shared collection `shared/data/search-dev/corpus.jsonl` as of
2026-12-02) loaded as published content, each item's slug its document id, so that
`search-eval` can match the answers to its judgements.

A topic per `topic` of the set; each course as it is; the lessons of a topic under one unlisted
course ("standalone lessons") with one module, so that only the set's own documents are found."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from search import SearchIndex
from training.content import outline, service
from training.content.models import Course, Lesson, Topic
from training.content.schemas import CourseIn, LessonIn, ModuleIn, TopicIn

CORPUS = Path(__file__).with_name("search_corpus.jsonl")
LOADER = Principal(subject="demo-loader", roles=frozenset({"trainer"}))


@dataclass(frozen=True)
class CorpusItem:
    slug: str
    kind: str
    lang: str
    title: str
    body: str
    topic: str
    level: str
    tags: tuple[str, ...]


def read_corpus(path: Path = CORPUS) -> list[CorpusItem]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw: dict[str, Any] = json.loads(line)
        if raw["kind"] not in ("course", "lesson"):
            continue
        items.append(
            CorpusItem(
                slug=raw["id"],
                kind=raw["kind"],
                lang=raw["lang"],
                title=raw["title"],
                body=raw["body"],
                topic=raw["topic"],
                level=raw["level"],
                tags=tuple(raw.get("tags", ())),
            )
        )
    return items


async def _topic(session: AsyncSession, slug: str) -> Topic:
    found = await session.scalar(select(Topic).where(Topic.slug == slug))
    if found is not None:
        return found
    name = slug.replace("-", " ").capitalize()
    return await service.create_topic(
        session, principal=LOADER, body=TopicIn(slug=slug, name=name), request_id=None
    )


async def _standalone(session: AsyncSession, topic: Topic, index: SearchIndex) -> uuid.UUID:
    """The module of the topic's unlisted course of standalone lessons."""
    slug = f"standalone-{topic.slug}"
    course = await session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        course = await service.create_course(
            session,
            principal=LOADER,
            body=CourseIn(
                slug=slug,
                topic_id=topic.id,
                title=f"{topic.name}: standalone lessons",
                lang="en",
                level="starter",
                format="self-paced",
                languages=["nl", "nb", "nn", "en"],
                status="published",
                listed=False,
            ),
            index=index,
            request_id=None,
        )
    modules = await outline.list_modules(session, course=course)
    if modules:
        return modules[0].id
    module = await outline.create_module(
        session, principal=LOADER, course=course, body=ModuleIn(title="Lessons"), request_id=None
    )
    return module.id


async def load_corpus(
    session: AsyncSession, *, index: SearchIndex, items: Iterable[CorpusItem]
) -> dict[str, int]:
    """Create what is missing (by slug), published; returns how many courses and lessons."""
    created = {"courses": 0, "lessons": 0}
    for item in items:
        model = Course if item.kind == "course" else Lesson
        if await session.scalar(select(model.id).where(model.slug == item.slug)) is not None:
            continue
        topic = await _topic(session, item.topic)
        if item.kind == "course":
            await service.create_course(
                session,
                principal=LOADER,
                body=CourseIn.model_validate(
                    {
                        "slug": item.slug,
                        "topic_id": topic.id,
                        "title": item.title,
                        "lang": item.lang,
                        "summary": item.body,
                        "level": item.level,
                        "format": "self-paced",
                        "languages": [item.lang],
                        "tags": list(item.tags),
                        "status": "published",
                    }
                ),
                index=index,
                request_id=None,
            )
            created["courses"] += 1
            continue
        await outline.create_lesson(
            session,
            principal=LOADER,
            body=LessonIn.model_validate(
                {
                    "slug": item.slug,
                    "module_id": await _standalone(session, topic, index),
                    "title": item.title,
                    "lang": item.lang,
                    "body": item.body,
                    "tags": list(item.tags),
                    "status": "published",
                }
            ),
            index=index,
            request_id=None,
        )
        created["lessons"] += 1
    return created

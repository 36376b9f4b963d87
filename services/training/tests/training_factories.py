"""Helpers of the training tests: committed sessions, events, and content made through the API."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.runtime import app_runtime
from training.db import outbox

_serial = itertools.count(1)


@asynccontextmanager
async def committed(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session of the running app whose writes commit when the block ends."""
    async with app_runtime(app).db.writer() as session, session.begin():
        yield session


async def events_of(app: FastAPI, type_: str) -> list[dict[str, Any]]:
    """The data of the outbox events of one type, oldest first."""
    async with committed(app) as session:
        rows = await session.execute(
            select(outbox.c.data).where(outbox.c.type == type_).order_by(outbox.c.seq)
        )
        return [r[0] for r in rows]


def serial() -> int:
    return next(_serial)


async def created(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    answer = await client.post(path, json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def make_topic(client: httpx.AsyncClient, trainer: dict[str, str]) -> dict[str, Any]:
    n = serial()
    return await created(
        client, "/v1/topics", {"slug": f"topic-{n}", "name": f"Topic {n}"}, trainer
    )


def course_body(topic_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "slug": f"course-{serial()}",
        "topic_id": topic_id,
        "title": "Wise voor beginners",
        "lang": "nl",
        "summary": "De **basis** van het bibliotheeksysteem.",
        "level": "starter",
        "format": "self-paced",
        "languages": ["nl"],
        "tags": ["wise"],
    } | overrides


async def make_course(
    client: httpx.AsyncClient, trainer: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    topic = await make_topic(client, trainer)
    return await created(client, "/v1/courses", course_body(topic["id"], **overrides), trainer)


def session_body(course_id: str, **overrides: Any) -> dict[str, Any]:
    """A webinar next year in Oslo, 10 online seats, registration open now."""
    return {
        "course_id": course_id,
        "starts_at": "2027-03-11T10:00",
        "ends_at": "2027-03-11T12:00",
        "time_zone": "Europe/Oslo",
        "format": "webinar",
        "online_url": "https://meet.example.org/wise-101",
        "capacity": {"online": 10},
        "language": "nb",
        "trainer_name": "Kari Trener",
    } | overrides


async def make_session(
    client: httpx.AsyncClient, trainer: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    """A published course and a session of it."""
    course = await make_course(client, trainer, status="published")
    return await created(client, "/v1/sessions", session_body(course["id"], **overrides), trainer)

"""A component's own resources: built once at start-up from its settings and the kit's runtime,
reached through a typed dependency, closed at shutdown before the database, never built lazily."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic_settings import SettingsConfigDict

from chassis.policy import public
from chassis.runtime import Runtime, app_runtime, resources_dependency, resources_of
from chassis.service import build_app
from chassis.settings import ServiceSettings
from notes_app.app import SPEC as NOTES_SPEC


class CounterSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COUNTER_")

    service_name: str = "counter"
    counter_start: int = 0


@dataclass
class Counter:
    value: int
    # What the kit had already built when the resources were opened, and what was still open
    # when they were closed.
    saw_database: str
    events: list[str] = field(default_factory=list)


LIFECYCLE: list[str] = []


@asynccontextmanager
async def open_counter(settings: CounterSettings, runtime: Runtime) -> AsyncIterator[Counter]:
    LIFECYCLE.append("opened")
    counter = Counter(value=settings.counter_start, saw_database=runtime.db.backend)
    try:
        yield counter
    finally:
        # The database is still open here: resources close before what they were built from.
        async with runtime.db.reader() as session:
            await session.connection()
        LIFECYCLE.append("closed")


CounterDep = Annotated[Counter, Depends(resources_dependency(Counter))]
router = APIRouter()


@router.post("/v1/counter")
async def bump_counter(counter: CounterDep) -> dict[str, int]:
    counter.value += 1
    return {"value": counter.value}


SPEC = replace(
    NOTES_SPEC,
    name="counter",
    routers=[router],
    policy={"bump_counter": public()},
    resources=open_counter,
)


async def test_resources_are_built_at_start_up_from_settings_and_closed_at_shutdown(tmp_path):
    LIFECYCLE.clear()
    settings = CounterSettings(data_dir=tmp_path, counter_start=41, log_format="json")
    app = build_app(settings, SPEC)
    assert LIFECYCLE == [], "nothing is built before start-up"
    async with app.router.lifespan_context(app):
        assert LIFECYCLE == ["opened"]
        counter = resources_of(app, Counter)
        assert (counter.value, counter.saw_database) == (41, "sqlite")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            answers = [(await client.post("/v1/counter")).json()["value"] for _ in range(2)]
        assert answers == [42, 43]
        assert resources_of(app, Counter) is counter, "one instance for the process"
    assert LIFECYCLE == ["opened", "closed"]


async def test_asking_for_another_components_resources_is_a_type_error(tmp_path):
    app = build_app(CounterSettings(data_dir=tmp_path, log_format="json"), SPEC)
    async with app.router.lifespan_context(app):
        with pytest.raises(TypeError, match="resources are Counter"):
            resources_of(app, Runtime)


async def test_a_component_without_resources_has_none(tmp_path):
    app = build_app(CounterSettings(data_dir=tmp_path, log_format="json"), NOTES_SPEC)
    async with app.router.lifespan_context(app):
        assert app_runtime(app).resources is None


async def test_resources_that_fail_to_open_fail_the_start_up(tmp_path):
    @asynccontextmanager
    async def broken(settings: CounterSettings, runtime: Runtime) -> AsyncIterator[Counter]:
        raise RuntimeError("the cache server is not there")
        yield  # pragma: no cover

    app = build_app(
        CounterSettings(data_dir=tmp_path, log_format="json"), replace(SPEC, resources=broken)
    )
    with pytest.raises(RuntimeError, match="cache server"):
        async with app.router.lifespan_context(app):
            pass
    assert not hasattr(app.state, "runtime")

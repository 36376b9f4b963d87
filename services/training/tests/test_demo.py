"""The demo data: the judged set and a calendar next month in Oslo, Gent and Assen, two sessions
full with a waiting list, a recording with subtitles; loaded once; its events match the contract."""

from __future__ import annotations

from chassis.outbox import typed_event_page
from chassis.runtime import app_runtime
from training.demo.calendar import (
    ASSEN_IN_DEPTH,
    GENT_HYBRID,
    OSLO_STARTER,
    RECORDING,
    load_calendar,
)
from training.demo.corpus import load_corpus, read_corpus
from training.events import EVENTS
from training.resources import TrainingResources
from training_factories import committed


async def test_the_demo_calendar_has_waiting_lists_zones_and_a_recording(training, issuer):
    client, app = training
    resources = app_runtime(app).resources
    assert isinstance(resources, TrainingResources)
    async with committed(app) as session:
        await load_corpus(session, index=resources.index, items=read_corpus())
        first = await load_calendar(session, index=resources.index)
        again = await load_calendar(session, index=resources.index)
    assert first == {"sessions": 5, "registrations": 29, "paths": 1}
    assert again == {"sessions": 0, "registrations": 0, "paths": 0}
    trainer = issuer.headers("trainer")

    async def statuses(session_id) -> list[str]:
        answer = await client.get(
            f"/v1/sessions/{session_id}/registrations", params={"limit": 100}, headers=trainer
        )
        return sorted(r["status"] for r in answer.json()["items"])

    assert await statuses(OSLO_STARTER) == ["confirmed"] * 10 + ["waiting"] * 2
    assert await statuses(ASSEN_IN_DEPTH) == ["confirmed"] * 6 + ["waiting"] * 3
    calendar = (await client.get("/v1/sessions", params={"limit": 50})).json()["items"]
    zones = {s["id"]: s["time_zone"] for s in calendar}
    assert zones[str(OSLO_STARTER)] == "Europe/Oslo"
    assert zones[str(GENT_HYBRID)] == "Europe/Brussels"
    assert zones[str(ASSEN_IN_DEPTH)] == "Europe/Amsterdam"
    assert {s["track"] for s in calendar} == {"starter", "in-depth"}
    recording = await client.get(f"/v1/recordings/{RECORDING}", headers=issuer.headers("staff"))
    assert [s["lang"] for s in recording.json()["subtitles"]] == ["nb"]
    feed = await client.get(
        "/v1/events", params={"limit": 1000}, headers=issuer.headers("operator")
    )
    typed_event_page(EVENTS).model_validate(feed.json())
    seen = {e["type"] for e in feed.json()["items"]}
    assert {"session.scheduled", "registration.confirmed", "registration.waitlisted"} <= seen

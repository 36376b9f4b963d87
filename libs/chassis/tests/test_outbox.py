"""The outbox: an event exists exactly when its change committed."""

from sqlalchemy import func, select

from chassis.runtime import app_runtime
from notes_app.app import outbox


async def _events(app):
    async with app_runtime(app).db.reader() as session:
        return (await session.execute(select(outbox.c.type).order_by(outbox.c.seq))).scalars().all()


async def test_each_committed_change_has_its_event_in_order(notes, staff, issuer):
    client, app = notes
    created = await client.post("/v1/notes", json={"title": "a"}, headers=staff)
    location = created.headers["location"]
    await client.patch(location, json={"title": "b"}, headers={**staff, "If-Match": '"1"'})
    await client.delete(location, headers={**staff, "If-Match": '"2"'})
    assert await _events(app) == ["note.created", "note.changed", "note.deleted"]
    feed = await client.get("/v1/events", headers=issuer.headers("analyst"))
    items = feed.json()["items"]
    assert [e["type"] for e in items] == ["note.created", "note.changed", "note.deleted"]
    assert items[0]["subject"] == created.json()["id"]


async def test_refused_changes_leave_no_event(notes, staff):
    client, app = notes
    location = (await client.post("/v1/notes", json={"title": "a"}, headers=staff)).headers[
        "location"
    ]
    await client.patch(location, json={"title": "b"}, headers={**staff, "If-Match": '"7"'})
    await client.post("/v1/notes", json={"title": ""}, headers=staff)
    assert await _events(app) == ["note.created"]
    async with app_runtime(app).db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(outbox)) == 1


async def _feed(client, headers, **params):
    return await client.get("/v1/events", params=params, headers=headers)


async def test_feed_page_answers_304_while_unchanged(notes, staff, issuer):
    client, _ = notes
    analyst = issuer.headers("analyst")
    await client.post("/v1/notes", json={"title": "a"}, headers=staff)
    first = await _feed(client, analyst)
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = await _feed(client, {**analyst, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["cache-control"] == "private, no-cache"
    other = await _feed(client, {**analyst, "If-None-Match": '"events-0-100-999-0"'})
    assert other.status_code == 200
    assert other.json() == first.json()


async def test_a_new_event_changes_the_etag_of_the_page_it_lands_in(notes, staff, issuer):
    client, _ = notes
    analyst = issuer.headers("analyst")
    await client.post("/v1/notes", json={"title": "a"}, headers=staff)
    open_tag = (await _feed(client, analyst)).headers["etag"]
    full_tag = (await _feed(client, analyst, limit=1)).headers["etag"]
    await client.post("/v1/notes", json={"title": "b"}, headers=staff)
    # A page with room gets the new event; a full page only learns that more follow.
    grown = await _feed(client, {**analyst, "If-None-Match": open_tag})
    assert grown.status_code == 200
    assert len(grown.json()["items"]) == 2
    full = await _feed(client, {**analyst, "If-None-Match": full_tag}, limit=1)
    assert full.status_code == 200
    assert full.json()["has_more"] is True
    assert full.headers["etag"] != full_tag
    unchanged = await _feed(client, {**analyst, "If-None-Match": full.headers["etag"]}, limit=1)
    assert unchanged.status_code == 304


async def test_empty_feed_has_an_etag_too_and_still_needs_a_token(notes, issuer):
    client, _ = notes
    empty = await _feed(client, issuer.headers("analyst"))
    assert empty.json()["items"] == []
    tag = empty.headers["etag"]
    refused = await _feed(client, {"If-None-Match": tag})
    assert refused.status_code == 401


async def test_contract_declares_the_304(notes):
    client, _ = notes
    operation = (await client.get("/openapi.json")).json()["paths"]["/v1/events"]["get"]
    assert "304" in operation["responses"]
    assert any(p["name"] == "if-none-match" for p in operation["parameters"])


async def test_the_contract_says_the_events_are_a_feed_not_a_page(notes):
    """Issue 15, point 13: every list pages with `cursor`/`next_cursor`; the events feed keeps a
    position (`after`/`next_after`), and its contract says so, and why."""
    client, _ = notes
    operation = (await client.get("/openapi.json")).json()["paths"]["/v1/events"]["get"]
    assert "feed" in operation["description"]
    assert "next_cursor" in operation["description"]
    after = next(p for p in operation["parameters"] if p["name"] == "after")
    assert "position" in after["description"]


def test_the_feed_contract_declares_each_event_type_as_a_member_of_a_discriminated_union():
    from chassis.service import build_app
    from notes_app.app import EVENTS, SPEC, NotesSettings

    doc = build_app(NotesSettings(), SPEC).openapi()
    page = doc["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]["application/json"]
    schemas = doc["components"]["schemas"]
    items = schemas[page["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]["items"]["items"]
    assert items["discriminator"]["propertyName"] == "type"
    assert set(items["discriminator"]["mapping"]) == {e.event_type for e in EVENTS}
    created = schemas["NoteCreatedEvent"]
    assert created["properties"]["type"]["const"] == "note.created"
    assert schemas["NoteCreated"]["required"] == ["title"]


def test_an_event_type_declared_twice_is_refused():
    import pytest

    from chassis.outbox import EventData, typed_event_page

    class One(EventData):
        event_type = "x.happened"

    class Two(EventData):
        event_type = "x.happened"

    with pytest.raises(ValueError, match="declared twice"):
        typed_event_page([One, Two])


def test_recorded_data_is_the_model_and_unknown_fields_are_refused():
    import pytest
    from pydantic import ValidationError

    from notes_app.app import NoteCreated

    with pytest.raises(ValidationError):
        NoteCreated.model_validate({"title": "a", "secret": 1})

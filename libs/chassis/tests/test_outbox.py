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

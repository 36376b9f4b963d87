"""The audit trail: one entry per real change, in the change's transaction, read newest first."""

import uuid

import pytest
from sqlalchemy import func, select

from chassis.audit import Change, field_diff
from chassis.auth import Principal
from chassis.runtime import app_runtime
from notes_app.app import Note, NoteChanged, audit_log, trail


async def _actions(app):
    async with app_runtime(app).db.reader() as session:
        rows = await session.execute(select(audit_log.c.action).order_by(audit_log.c.seq))
        return list(rows.scalars())


def test_diff_lists_changed_fields_in_json_form_and_every_field_on_creation():
    assert field_diff({"a": 1, "b": (1, 2)}, {"a": 2, "b": [1, 2]}) == {"a": {"old": 1, "new": 2}}
    assert field_diff(None, {"a": 1}) == {"a": {"old": None, "new": 1}}
    assert field_diff({"a": 1}, None) == {"a": {"old": 1, "new": None}}


async def test_changes_are_audited_with_actor_and_request_id_and_no_change_leaves_none(
    notes, staff, issuer
):
    client, app = notes
    created = await client.post(
        "/v1/notes", json={"title": "a"}, headers=staff | {"X-Request-ID": "trace-1"}
    )
    location = created.headers["location"]
    same = await client.patch(location, json={"title": "a"}, headers=staff | {"If-Match": '"1"'})
    assert same.headers["etag"] == '"1"'
    await client.patch(location, json={"title": "b"}, headers=staff | {"If-Match": '"1"'})
    await client.delete(location, headers=staff | {"If-Match": '"2"'})
    assert await _actions(app) == ["note.created", "note.changed", "note.deleted"]

    operator = issuer.headers("operator")
    first = await client.get("/v1/audit-log", params={"limit": 2}, headers=operator)
    assert first.status_code == 200, first.text
    items = first.json()["items"]
    assert [i["action"] for i in items] == ["note.deleted", "note.changed"]
    assert items[1]["changes"] == {"title": {"old": "a", "new": "b"}}
    assert 'rel="next"' in first.headers["link"]
    rest = await client.get(
        "/v1/audit-log", params={"cursor": first.json()["next_cursor"]}, headers=operator
    )
    [oldest] = rest.json()["items"]
    assert (oldest["action"], oldest["request_id"]) == ("note.created", "trace-1")
    assert oldest["actor_roles"] == ["staff"]
    other = await client.get("/v1/audit-log", params={"resource_type": "vendor"}, headers=operator)
    assert other.json()["items"] == []
    assert (await client.get("/v1/audit-log", headers=staff)).status_code == 403


async def test_a_refused_change_leaves_no_entry(notes, staff):
    client, app = notes
    location = (await client.post("/v1/notes", json={"title": "a"}, headers=staff)).headers[
        "location"
    ]
    await client.patch(location, json={"title": "b"}, headers=staff | {"If-Match": '"9"'})
    async with app_runtime(app).db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(audit_log)) == 1


async def test_a_cursor_that_is_not_a_sequence_number_is_a_400(notes, issuer):
    client, _ = notes
    from chassis.pagination import encode_cursor

    answer = await client.get(
        "/v1/audit-log", params={"cursor": encode_cursor(["x"])}, headers=issuer.headers("operator")
    )
    assert answer.status_code == 400
    assert answer.json()["type"].endswith(":bad-cursor")


async def test_an_update_needs_both_snapshots_and_writes_nothing_without_them(notes, staff):
    client, app = notes
    created = await client.post("/v1/notes", json={"title": "a"}, headers=staff)
    note_id = created.json()["id"]
    db = app_runtime(app).db
    async with db.writer() as session, session.begin():
        note = await session.get(Note, uuid.UUID(note_id))
        assert note is not None
        stamped = note.updated_at
        with pytest.raises(ValueError, match="both snapshots"):
            await trail.record_update(
                session,
                row=note,
                change=Change("note", note_id, before=None, after={"title": "b"}),
                principal=Principal(subject="staff-1", roles=frozenset({"staff"})),
                subject=note_id,
                request_id=None,
                event=lambda changed: NoteChanged(changed=changed),
            )
        assert note.updated_at == stamped
    assert await _actions(app) == ["note.created"]

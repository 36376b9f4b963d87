"""Idempotency-Key: replays return the first response, other bodies with the key are refused."""

import asyncio

from sqlalchemy import func, select

from chassis.runtime import app_runtime
from notes_app.app import Note


async def _count(app):
    async with app_runtime(app).db.reader() as session:
        return await session.scalar(select(func.count()).select_from(Note))


async def test_replays_return_the_first_response_and_create_once(notes, staff):
    client, app = notes
    headers = {**staff, "Idempotency-Key": "order-7"}
    responses = [
        await client.post("/v1/notes", json={"title": "once"}, headers=headers) for _ in range(20)
    ]
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert responses[1].headers["location"] == responses[0].headers["location"]
    assert responses[1].headers["idempotent-replayed"] == "true"
    assert await _count(app) == 1


async def test_concurrent_replays_create_one_record(notes, staff):
    client, app = notes
    headers = {**staff, "Idempotency-Key": "burst-1"}
    responses = await asyncio.gather(
        *(client.post("/v1/notes", json={"title": "burst"}, headers=headers) for _ in range(20))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 19
    assert await _count(app) == 1


async def test_same_key_with_another_body_is_refused(notes, staff):
    client, app = notes
    headers = {**staff, "Idempotency-Key": "k-1"}
    assert (await client.post("/v1/notes", json={"title": "a"}, headers=headers)).status_code == 201
    other = await client.post("/v1/notes", json={"title": "b"}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert await _count(app) == 1


async def test_keys_belong_to_their_client(notes, issuer):
    client, app = notes
    for _ in range(2):
        headers = {**issuer.headers("staff"), "Idempotency-Key": "shared-name"}
        assert (
            await client.post("/v1/notes", json={"title": "a"}, headers=headers)
        ).status_code == 201
    assert await _count(app) == 2


async def test_malformed_key_is_400(notes, staff):
    client, _ = notes
    response = await client.post(
        "/v1/notes", json={"title": "a"}, headers={**staff, "Idempotency-Key": "x" * 300}
    )
    assert response.status_code == 400


async def test_a_key_is_the_callers_own_one_subject_with_another_scope_is_another_caller(
    notes, issuer
):
    client, app = notes
    first, second = (
        {
            "Authorization": f"Bearer {issuer.token('staff', sub='shared-client', isil=isil)}",
            "Idempotency-Key": "same-key",
        }
        for isil in ("NO-1000000", "NO-2000000")
    )
    a = await client.post("/v1/notes", json={"title": "same"}, headers=first)
    b = await client.post("/v1/notes", json={"title": "same"}, headers=second)
    assert (a.status_code, b.status_code) == (201, 201)
    assert "idempotent-replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]
    assert await _count(app) == 2

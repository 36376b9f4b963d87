"""Procurement rounds over HTTP: drafting, the schedule's order, who sees a draft, moves only in
order, only by the programme and only when the dates allow, each recorded; ETags and If-Match."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from procurement_factories import round_payload, shift_round
from sqlalchemy import select

from catalogue_factories import committed, events_of
from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.procurement.rounds.models import RoundMove

ROUNDS = "/v1/procurement-rounds"


@pytest.fixture
def admin(issuer):
    return issuer.headers("programme_admin")


async def _create(client, admin, **overrides):
    answer = await client.post(ROUNDS, json=round_payload(**overrides), headers=admin)
    assert answer.status_code == 201, answer.text
    return answer.json(), answer.headers["ETag"]


async def _move(client, admin, round_id, to, etag):
    return await client.post(
        f"{ROUNDS}/{round_id}/moves", json={"to": to}, headers=admin | {"If-Match": etag}
    )


async def test_a_draft_is_created_listed_and_read_with_its_etag(catalogue, admin):
    client, _ = catalogue
    created, etag = await _create(client, admin)
    assert created["state"] == "draft"
    assert created["time_zone"] == "Europe/Oslo"
    assert created["allowed_moves"] == ["announced", "cancelled"]
    assert etag == '"1"'
    # The deadline is shown in the round's zone, with its offset.
    assert created["offer_deadline"].endswith(("+01:00", "+02:00"))
    listed = await client.get(ROUNDS, headers=admin)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["items"]] == [created["id"]]
    read = await client.get(f"{ROUNDS}/{created['id']}", headers=admin)
    assert read.json() == created
    again = await client.get(f"{ROUNDS}/{created['id']}", headers=admin | {"If-None-Match": etag})
    assert again.status_code == 304


async def test_a_draft_is_the_programmes_alone(catalogue, admin, issuer):
    client, _ = catalogue
    created, _ = await _create(client, admin)
    vendor = issuer.headers("vendor", vendor_id=str(uuid.uuid4()))
    assert (await client.get(ROUNDS, headers=vendor)).json()["items"] == []
    assert (await client.get(f"{ROUNDS}/{created['id']}", headers=vendor)).status_code == 404
    refused = await client.post(ROUNDS, json=round_payload(), headers=vendor)
    assert refused.status_code == 403


async def test_a_schedule_out_of_order_names_each_field(catalogue, admin):
    client, _ = catalogue
    body = round_payload()
    body["negotiation_start"] = "2000-01-01"
    body["contract_end"] = "2000-01-01"
    answer = await client.post(ROUNDS, json=body, headers=admin)
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"].endswith("schedule-out-of-order")
    fields = {e["location"] for e in problem["errors"]}
    assert fields == {"body.negotiation_start", "body.contract_end"}


async def test_a_wall_clock_time_the_clocks_skip_is_refused(catalogue, admin):
    client, _ = catalogue
    body = round_payload(
        datetime(2027, 3, 28, 0, 0, tzinfo=UTC),
        declaration_deadline="2027-03-28T01:00:00",
        offer_deadline="2027-03-28T02:30:00",
    )
    answer = await client.post(ROUNDS, json=body, headers=admin)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["location"] == "body.offer_deadline"
    assert error["type"] == "nonexistent_local_time"


async def test_an_unknown_time_zone_is_refused(catalogue, admin):
    client, _ = catalogue
    answer = await client.post(
        ROUNDS, json=round_payload(time_zone="Europe/Atlantis"), headers=admin
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["location"] == "body.time_zone"


async def test_moves_go_in_order_by_the_programme_each_recorded(catalogue, admin, issuer):
    client, app = catalogue
    created, etag = await _create(client, admin)
    round_id = created["id"]
    skipped = await _move(client, admin, round_id, "open", etag)
    assert skipped.status_code == 409
    assert skipped.json()["type"].endswith("round-move-out-of-order")
    assert skipped.json()["errors"][0]["location"] == "body.to"
    county = issuer.headers("county_admin", county="03")
    assert (await _move(client, county, round_id, "announced", etag)).status_code == 403
    announced = await _move(client, admin, round_id, "announced", etag)
    assert announced.status_code == 200, announced.text
    assert announced.json()["state"] == "announced"
    stale = await _move(client, admin, round_id, "open", etag)
    assert stale.status_code == 412
    opened = await _move(client, admin, round_id, "open", announced.headers["ETag"])
    assert opened.status_code == 200
    # Offers are open until the deadline: closing now is too early, and says which date.
    early = await _move(client, admin, round_id, "closed", opened.headers["ETag"])
    assert early.status_code == 409
    assert early.json()["type"].endswith("round-date-not-reached")
    assert early.json()["errors"][0]["location"] == "body.offer_deadline"
    moves = await client.get(f"{ROUNDS}/{round_id}/moves", headers=admin)
    assert [(m["from_state"], m["to_state"]) for m in moves.json()["items"]] == [
        ("draft", "announced"),
        ("announced", "open"),
    ]
    [event] = await events_of(app, "round.announced")
    assert event["doffin_notice_id"] == "2026-104233"
    assert len(await events_of(app, "round.opened")) == 1
    async with committed(app) as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.resource_id == round_id)
                .order_by(AuditEntry.seq)
            )
        ).all()
    assert actions == ["round.created", "round.announced", "round.opened"]


async def test_announcing_needs_the_doffin_notice_and_its_publication(catalogue, admin):
    client, _ = catalogue
    # Tomorrow in the round's own time zone (Oslo): from 23:00 UTC, UTC's tomorrow is Oslo's today.
    tomorrow = (datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(days=1)).date().isoformat()
    created, etag = await _create(client, admin, doffin_notice_id=None)
    answer = await _move(client, admin, created["id"], "announced", etag)
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["location"] == "body.doffin_notice_id"
    later, etag = await _create(
        client,
        admin,
        doffin_published_on=tomorrow,
        ted_published_on=tomorrow,
        supplier_meeting_on=tomorrow,
    )
    answer = await _move(client, admin, later["id"], "announced", etag)
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("round-date-not-reached")
    assert answer.json()["errors"][0]["location"] == "body.doffin_published_on"


async def test_a_round_is_cancelled_before_award_and_never_after(catalogue, admin):
    client, app = catalogue
    created, etag = await _create(client, admin)
    cancelled = await _move(client, admin, created["id"], "cancelled", etag)
    assert cancelled.status_code == 200
    assert cancelled.json()["allowed_moves"] == []
    again = await _move(client, admin, created["id"], "announced", cancelled.headers["ETag"])
    assert again.status_code == 409
    other, etag = await _create(client, admin)
    async with committed(app) as session:
        await shift_round(session, uuid.UUID(other["id"]), state="awarded")
    refused = await _move(client, admin, other["id"], "cancelled", etag)
    assert refused.status_code == 409
    assert "may move to: concluded" in refused.json()["detail"]


async def test_only_a_draft_changes_and_with_if_match(catalogue, admin):
    client, _ = catalogue
    created, etag = await _create(client, admin)
    url = f"{ROUNDS}/{created['id']}"
    assert (await client.patch(url, json={"title": "Ny"}, headers=admin)).status_code == 428
    changed = await client.patch(url, json={"title": "Ny"}, headers=admin | {"If-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["title"] == "Ny"
    assert changed.headers["ETag"] == '"2"'
    bad = await client.patch(
        url,
        json={"award_on": "2000-01-01"},
        headers=admin | {"If-Match": changed.headers["ETag"]},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["location"] == "body.award_on"
    announced = await _move(client, admin, created["id"], "announced", changed.headers["ETag"])
    frozen = await client.patch(
        url, json={"title": "Etter"}, headers=admin | {"If-Match": announced.headers["ETag"]}
    )
    assert frozen.status_code == 409
    async with committed(catalogue[1]) as session:
        moves = (await session.scalars(select(RoundMove))).all()
    assert len(moves) == 1


async def test_a_new_time_zone_keeps_the_wall_clock_deadlines(catalogue, admin):
    client, _ = catalogue
    created, etag = await _create(
        client,
        admin,
        deadline=datetime(2027, 8, 10, 10, 0, tzinfo=UTC),
        declaration_deadline="2027-08-01T12:00:00",
        offer_deadline="2027-08-10T12:00:00",
    )
    assert created["offer_deadline"] == "2027-08-10T12:00:00+02:00"
    moved = await client.patch(
        f"{ROUNDS}/{created['id']}",
        json={"time_zone": "Europe/London"},
        headers=admin | {"If-Match": etag},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["offer_deadline"] == "2027-08-10T12:00:00+01:00"
    assert moved.json()["declaration_deadline"] == "2027-08-01T12:00:00+01:00"

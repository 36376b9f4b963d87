"""Agreements over HTTP: creation with its refusals, reads by role, If-Match on changes, trail and events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalogue_factories import (
    agreement_payload,
    committed,
    create_product,
    events_of,
    join_agreement,
    row_count,
    seed_agreement_world,
)
from catalogue_licensing.agreements.models import Agreement
from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.db import outbox


@pytest.fixture
def admin(issuer):
    return issuer.headers("programme_admin")


async def test_programme_admin_creates_an_agreement_with_etag_event_and_audit(catalogue, admin):
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    body = agreement_payload(world["audiobooks"].id)
    created = await client.post("/v1/agreements", json=body, headers=admin)
    assert created.status_code == 201, created.text
    agreement = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"/v1/agreements/{agreement['id']}"
    assert agreement["yearly_price_minor"] == 1_000_000
    assert agreement["currency"] == "NOK"
    assert agreement["participating_counties"] == []
    assert agreement["weights"] is None
    [event] = await events_of(app, "agreement.created")
    assert event["product_id"] == str(world["audiobooks"].id)
    assert event["yearly_price_minor"] == 1_000_000
    async with committed(app) as session:
        entry = await session.scalar(select(AuditEntry))
    assert entry is not None
    assert (entry.action, entry.resource_type, entry.resource_id) == (
        "agreement.created",
        "agreement",
        agreement["id"],
    )
    assert entry.changes["currency"] == {"old": None, "new": "NOK"}


async def test_a_replayed_idempotency_key_returns_the_first_agreement(catalogue, admin):
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    body = agreement_payload(world["audiobooks"].id)
    headers = admin | {"Idempotency-Key": "agreement-1"}
    first = await client.post("/v1/agreements", json=body, headers=headers)
    second = await client.post("/v1/agreements", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert await row_count(app, Agreement) == 1
    other = await client.post(
        "/v1/agreements", json=body | {"yearly_price_minor": 5}, headers=headers
    )
    assert other.status_code == 422
    assert await row_count(app, Agreement) == 1


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"yearly_price_minor": 1000.5}, "yearly_price_minor", "integer"),
        ({"yearly_price_minor": 1000.0}, "yearly_price_minor", "integer"),
        ({"yearly_price_minor": "1000"}, "yearly_price_minor", "integer"),
        ({"yearly_price_minor": -1}, "yearly_price_minor", "greater than or equal to 0"),
        ({"currency": "XYZ"}, "currency", "not an active ISO 4217"),
        ({"currency": "HRK"}, "currency", "not an active ISO 4217"),
        ({"currency": "nok"}, "currency", "pattern"),
        ({"period_end": "2025-12-31"}, "period_end", "before period_start"),
        ({"split_key": "per_library"}, "split_key", "per_inhabitant"),
        ({"terms": {}}, "terms", "at least 1"),
        ({"weights": {"03": 1}}, "weights", "only to split_key fixed_weights"),
        ({"split_key": "fixed_weights"}, "weights", "needs weights"),
        ({"split_key": "fixed_weights", "weights": {"03": 0}}, "weights.03", "greater than"),
        ({"split_key": "fixed_weights", "weights": {"99": 1}}, "weights", "no county"),
        ({"created_by": "someone"}, "created_by", "Extra inputs"),
    ],
)
async def test_bad_agreements_are_refused_naming_the_field_and_nothing_is_written(
    catalogue, admin, change, field, reason
):
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    answer = await client.post(
        "/v1/agreements", json=agreement_payload(world["audiobooks"].id, **change), headers=admin
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    errors = answer.json()["errors"]
    assert any(e["location"] == f"body.{field}" and reason in e["message"] for e in errors), errors
    assert await row_count(app, Agreement) == 0
    assert await row_count(app, outbox) == 0


async def test_an_unknown_product_is_422_and_a_retired_one_409(catalogue, admin):
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
        retired = await create_product(session, world["vendor"], status="retired")
    unknown = await client.post(
        "/v1/agreements",
        json=agreement_payload("0192f7a0-0000-7000-8000-000000000000"),
        headers=admin,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["location"] == "body.product_id"
    gone = await client.post("/v1/agreements", json=agreement_payload(retired.id), headers=admin)
    assert gone.status_code == 409
    assert "retired" in gone.json()["detail"]
    draft = await client.post(
        "/v1/agreements", json=agreement_payload(world["draft"].id), headers=admin
    )
    assert draft.status_code == 201, "an award may precede the product's activation"
    assert await row_count(app, Agreement) == 1


async def test_county_admins_and_partners_read_agreements_vendors_do_not(catalogue, admin, issuer):
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    ids = []
    for product in ("audiobooks", "film"):
        created = await client.post(
            "/v1/agreements", json=agreement_payload(world[product].id), headers=admin
        )
        ids.append(created.json()["id"])
    for reader in (issuer.headers("county_admin", county="03"), issuer.headers("partner")):
        listed = await client.get("/v1/agreements", params={"limit": 1}, headers=reader)
        assert listed.status_code == 200
        assert [a["id"] for a in listed.json()["items"]] == ids[:1]
        rest = await client.get(
            "/v1/agreements",
            params={"limit": 1, "cursor": listed.json()["next_cursor"]},
            headers=reader,
        )
        assert [a["id"] for a in rest.json()["items"]] == ids[1:]
        one = await client.get(f"/v1/agreements/{ids[1]}", headers=reader)
        assert one.status_code == 200
        assert one.headers["ETag"] == '"1"'
    by_product = await client.get(
        "/v1/agreements", params={"product_id": str(world["film"].id)}, headers=admin
    )
    assert [a["id"] for a in by_product.json()["items"]] == ids[1:]
    expired = await client.get("/v1/agreements", params={"current_on": "2025-06-01"}, headers=admin)
    assert expired.json()["items"] == []
    # By county: the agreements it takes part in (Oslo joins the film's only).
    await join_agreement(client, f"/v1/agreements/{ids[1]}", "03", ["NO-2030000"], admin)
    oslo = await client.get("/v1/agreements", params={"county": "03"}, headers=admin)
    assert [a["id"] for a in oslo.json()["items"]] == ids[1:]
    nobody = await client.get("/v1/agreements", params={"county": "46"}, headers=admin)
    assert (nobody.status_code, nobody.json()["items"]) == (200, [])
    bad = await client.get("/v1/agreements", params={"county": "0 3"}, headers=admin)
    assert [e["location"] for e in bad.json()["errors"]] == ["query.county"]
    vendor = issuer.headers("vendor", vendor_id=str(world["vendor"].id))
    assert (await client.get("/v1/agreements", headers=vendor)).status_code == 403
    missing = await client.get("/v1/agreements/0192f7a0-0000-7000-8000-000000000000", headers=admin)
    assert missing.status_code == 404


async def test_changes_need_the_current_if_match(catalogue, admin):
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    created = await client.post(
        "/v1/agreements", json=agreement_payload(world["audiobooks"].id), headers=admin
    )
    url = f"/v1/agreements/{created.json()['id']}"
    change = {"terms": {"nb": "Nye vilkår."}}
    assert (await client.patch(url, json=change, headers=admin)).status_code == 428
    changed = await client.patch(url, json=change, headers=admin | {"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["terms"] == {"nb": "Nye vilkår."}
    stale = await client.patch(
        url, json={"yearly_price_minor": 1}, headers=admin | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.headers["ETag"] == '"2"'
    after = await client.get(url, headers=admin)
    assert after.json()["yearly_price_minor"] == 1_000_000
    [event] = await events_of(app, "agreement.updated")
    assert event == {"changed": ["terms"], "version": 2}
    async with committed(app) as session:
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq))).all()
    assert actions == ["agreement.created", "agreement.updated"]


async def test_a_patch_cannot_reverse_the_period_or_change_the_product(catalogue, admin):
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    created = await client.post(
        "/v1/agreements", json=agreement_payload(world["audiobooks"].id), headers=admin
    )
    url = f"/v1/agreements/{created.json()['id']}"
    headers = admin | {"If-Match": '"1"'}
    reversed_ = await client.patch(url, json={"period_start": "2100-01-01"}, headers=headers)
    assert reversed_.status_code == 422
    assert reversed_.json()["errors"][0]["location"] == "body.period_start"
    product = await client.patch(url, json={"product_id": str(world["film"].id)}, headers=headers)
    assert product.status_code == 422
    nulled = await client.patch(url, json={"currency": None}, headers=headers)
    assert nulled.status_code == 422
    assert nulled.json()["errors"][0]["location"] == "body.currency"
    assert (await client.get(url, headers=admin)).json()["version"] == 1

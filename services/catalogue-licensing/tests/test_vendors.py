"""Vendors over HTTP: organisation numbers checked, a vendor sees and changes only itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from catalogue_factories import committed, create_vendor, org_number
from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.db import outbox
from catalogue_licensing.vendors.models import Vendor
from catalogue_licensing.vendors.org_number import check_digit, org_number_problem


def _vendor(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Nordlys Lydbøker AS",
        "org_number": org_number(31_415_926),
        "contacts": [
            {
                "name": "Kari Nordmann",
                "email": "kari@nordlys.example",
                "phone": "+47 400 00 000",
                "role": "sales",
            }
        ],
    } | overrides


async def _vendors(app: Any) -> int:
    async with committed(app) as session:
        return int(await session.scalar(select(func.count()).select_from(Vendor)) or 0)


def test_org_number_check_digit_rules():
    assert org_number_problem("923609016") is None
    assert check_digit("92360901") == 6
    # Remainder 0 gives check digit 0; remainder 1 has no valid check digit at all.
    zero = next(f"{n:08d}" for n in range(10_000_000, 10_001_000) if check_digit(f"{n:08d}") == 0)
    assert org_number_problem(zero + "0") is None
    never = next(
        f"{n:08d}" for n in range(10_000_000, 10_001_000) if check_digit(f"{n:08d}") is None
    )
    assert "no check digit fits" in (org_number_problem(never + "0") or "")
    assert "check digit" in (org_number_problem("923609017") or "")
    assert "9 digits" in (org_number_problem("92360901") or "")
    assert "9 digits" in (org_number_problem("92360901x") or "")
    # Fullwidth digits pass str.isdigit; they are not an organisation number.
    assert "9 digits" in (org_number_problem("\uff19" * 9) or "")


async def test_programme_admin_registers_a_vendor_with_event_and_audit(catalogue, issuer):
    client, app = catalogue
    admin = issuer.headers("programme_admin") | {"Idempotency-Key": "v-1"}
    created = await client.post("/v1/vendors", json=_vendor(), headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["Location"] == f"/v1/vendors/{body['id']}"
    assert body["contacts"][0]["email"] == "kari@nordlys.example"
    replay = await client.post("/v1/vendors", json=_vendor(), headers=admin)
    assert replay.json() == body
    duplicate = await client.post(
        "/v1/vendors", json=_vendor(name="Other AS"), headers=issuer.headers("programme_admin")
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["location"] == "body.org_number"
    assert await _vendors(app) == 1
    async with committed(app) as session:
        events = (await session.execute(select(outbox.c.type, outbox.c.subject))).all()
        entry = await session.scalar(select(AuditEntry))
    assert events == [("vendor.created", body["id"])]
    assert entry is not None
    assert entry.changes["org_number"] == {"old": None, "new": body["org_number"]}
    listed = await client.get("/v1/vendors", headers=issuer.headers("programme_admin"))
    assert [v["id"] for v in listed.json()["items"]] == [body["id"]]
    by_name = await client.get(
        "/v1/vendors", params={"name": "%"}, headers=issuer.headers("programme_admin")
    )
    assert by_name.json()["items"] == []


async def test_bad_vendor_input_names_the_field_and_reason(catalogue, issuer):
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    good = org_number(27_182_818)
    wrong_check = good[:8] + str((int(good[8]) + 1) % 10)
    cases = [
        (_vendor(org_number=wrong_check), "body.org_number", "check digit"),
        (_vendor(org_number="12345"), "body.org_number", "9 digits"),
        (_vendor(name=""), "body.name", "at least 1"),
        (_vendor(contacts=[{"name": "A", "email": "not-an-address"}]), "body.contacts.0.email", ""),
        (_vendor(contacts=[{"name": "A", "email": "a@b.no"}] * 21), "body.contacts", "at most 20"),
        (_vendor(version=3), "body.version", "not permitted"),
    ]
    for body, location, reason in cases:
        answer = await client.post("/v1/vendors", json=body, headers=admin)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        errors = {e["location"]: e["message"] for e in answer.json()["errors"]}
        assert location in errors, errors
        assert reason in errors[location]
    assert await _vendors(app) == 0


async def test_a_vendor_reads_and_updates_only_itself_and_only_contacts(catalogue, issuer):
    client, app = catalogue
    async with committed(app) as session:
        mine = await create_vendor(session, name="Mine AS")
        theirs = await create_vendor(session, name="Theirs AS")
    me = issuer.headers("vendor", vendor_id=str(mine.id))
    assert (await client.get(f"/v1/vendors/{mine.id}", headers=me)).status_code == 200
    assert (await client.get(f"/v1/vendors/{theirs.id}", headers=me)).status_code == 404
    assert (await client.get("/v1/vendors", headers=me)).status_code == 403
    contacts = [{"name": "Ola", "email": "ola@mine.example", "role": "support"}]
    foreign = await client.patch(
        f"/v1/vendors/{theirs.id}", json={"contacts": contacts}, headers=me | {"If-Match": '"1"'}
    )
    assert foreign.status_code == 404
    renamed = await client.patch(
        f"/v1/vendors/{mine.id}", json={"name": "Renamed AS"}, headers=me | {"If-Match": '"1"'}
    )
    assert renamed.status_code == 403
    assert renamed.json()["errors"][0]["location"] == "body.name"
    updated = await client.patch(
        f"/v1/vendors/{mine.id}", json={"contacts": contacts}, headers=me | {"If-Match": '"1"'}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["contacts"] == [
        {"name": "Ola", "email": "ola@mine.example", "phone": None, "role": "support"}
    ]
    assert updated.headers["ETag"] == '"2"'
    stale = await client.patch(
        f"/v1/vendors/{mine.id}", json={"contacts": []}, headers=me | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    async with committed(app) as session:
        types = (await session.scalars(select(outbox.c.type))).all()
        theirs_now = await session.get(Vendor, theirs.id)
    assert types == ["vendor.updated"]
    assert theirs_now is not None
    assert (theirs_now.name, theirs_now.contacts, theirs_now.version) == ("Theirs AS", [], 1)


async def test_programme_admin_changes_name_and_org_number(catalogue, issuer):
    client, app = catalogue
    async with committed(app) as session:
        vendor = await create_vendor(session)
        other = await create_vendor(session)
    admin = issuer.headers("programme_admin") | {"If-Match": '"1"'}
    taken = await client.patch(
        f"/v1/vendors/{vendor.id}", json={"org_number": other.org_number}, headers=admin
    )
    assert taken.status_code == 409
    null_name = await client.patch(f"/v1/vendors/{vendor.id}", json={"name": None}, headers=admin)
    assert null_name.status_code == 422
    changed = await client.patch(
        f"/v1/vendors/{vendor.id}",
        json={"name": "Nytt Navn AS", "org_number": org_number(55_555_555)},
        headers=admin,
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "Nytt Navn AS"
    async with committed(app) as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "vendor.updated")
        )
    assert entry is not None
    assert set(entry.changes) == {"name", "org_number"}

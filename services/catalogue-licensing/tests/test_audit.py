"""The audit trail: diffs of changed fields only, written in the change's transaction, read newest
first by programme administrators."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from catalogue_factories import committed
from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.db import trail
from chassis.audit import Change, field_diff
from chassis.auth import Principal

ADMIN = Principal(subject="client-admin", roles=frozenset({"programme_admin"}))
record_change = trail.record_change


def test_a_creation_lists_every_field_with_old_null():
    assert field_diff(None, {"name": "A", "tags": ["x"]}) == {
        "name": {"old": None, "new": "A"},
        "tags": {"old": None, "new": ["x"]},
    }


def test_an_update_lists_only_the_changed_fields_in_json_form():
    ident = uuid.uuid4()
    before = {"name": "A", "owner": ident, "tags": ("x",), "gone": 1}
    after = {"name": "B", "owner": str(ident), "tags": ["x"], "new": True}
    assert field_diff(before, after) == {
        "gone": {"old": 1, "new": None},
        "name": {"old": "A", "new": "B"},
        "new": {"old": None, "new": True},
    }


def test_a_deletion_lists_every_field_with_new_null():
    assert field_diff({"name": "A"}, None) == {"name": {"old": "A", "new": None}}


async def test_record_change_writes_nothing_for_no_change_and_rolls_back_with_its_change(catalogue):
    _, app = catalogue
    async with committed(app) as session:
        await record_change(
            session,
            principal=ADMIN,
            action="vendor.updated",
            change=Change("vendor", "v-1", before={"name": "A"}, after={"name": "A"}),
            request_id="r-0",
        )

    class Abort(Exception):
        pass

    try:
        async with committed(app) as session:
            await record_change(
                session,
                principal=ADMIN,
                action="vendor.updated",
                change=Change("vendor", "v-1", before={"name": "A"}, after={"name": "B"}),
                request_id="r-1",
            )
            raise Abort
    except Abort:
        pass
    async with committed(app) as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_programme_admins_read_the_trail_newest_first_with_filters(catalogue, issuer):
    client, app = catalogue
    async with committed(app) as session:
        for n in range(3):
            await record_change(
                session,
                principal=ADMIN,
                action="product.updated",
                change=Change("product", "p-1", before={"n": n}, after={"n": n + 1}),
                request_id=f"r-{n}",
            )
        await record_change(
            session,
            principal=ADMIN,
            action="vendor.created",
            change=Change("vendor", "v-1", before=None, after={"name": "A"}),
            request_id=None,
        )
    admin = issuer.headers("programme_admin")
    everything = await client.get("/v1/audit-log", headers=admin)
    assert everything.status_code == 200
    items = everything.json()["items"]
    assert [i["action"] for i in items] == ["vendor.created"] + ["product.updated"] * 3
    assert items[0]["actor"] == "client-admin"
    assert items[0]["actor_roles"] == ["programme_admin"]
    first = await client.get(
        "/v1/audit-log", params={"resource_type": "product", "limit": 2}, headers=admin
    )
    assert [i["changes"]["n"]["new"] for i in first.json()["items"]] == [3, 2]
    assert 'rel="next"' in first.headers["Link"]
    rest = await client.get(
        "/v1/audit-log",
        params={"resource_type": "product", "limit": 2, "cursor": first.json()["next_cursor"]},
        headers=admin,
    )
    assert [i["request_id"] for i in rest.json()["items"]] == ["r-0"]
    assert rest.json()["next_cursor"] is None
    by_id = await client.get("/v1/audit-log", params={"resource_id": "v-1"}, headers=admin)
    assert [i["resource_type"] for i in by_id.json()["items"]] == ["vendor"]
    for role, scope in (
        ("county_admin", {"county": "03"}),
        ("vendor", {"vendor_id": "x"}),
        ("partner", {}),
    ):
        refused = await client.get("/v1/audit-log", headers=issuer.headers(role, **scope))
        assert refused.status_code == 403
    assert (await client.get("/v1/audit-log")).status_code == 401


async def test_a_request_id_ties_an_api_change_to_its_entry(catalogue, issuer):
    client, _app = catalogue
    created = await client.post(
        "/v1/vendors",
        json={"name": "Sporbar AS", "org_number": "912847365"},
        headers=issuer.headers("programme_admin") | {"X-Request-ID": "trace-me-1"},
    )
    assert created.status_code == 201
    entries = (await client.get("/v1/audit-log", headers=issuer.headers("programme_admin"))).json()
    assert [(e["resource_id"], e["request_id"]) for e in entries["items"]] == [
        (created.json()["id"], "trace-me-1")
    ]

"""The organisation directory over HTTP: public reads, library writes scoped by county, populations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from catalogue_factories import (
    committed,
    create_county,
    create_library,
    create_municipality,
    events_of,
    row_count,
)
from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.directory.models import Library


async def _seed(app: Any) -> dict[str, Any]:
    async with committed(app) as session:
        oslo = await create_county(session, number="03", name={"nb": "Oslo"})
        nordland = await create_county(
            session, number="18", name={"nb": "Nordland", "smj": "Nordlánnda"}
        )
        oslo_m = await create_municipality(session, oslo, number="0301", name="Oslo")
        bodo = await create_municipality(session, nordland, number="1804", name="Bodø")
        rana = await create_municipality(session, nordland, number="1833", name="Rana")
        deichman = await create_library(
            session, oslo_m, isil="NO-2030000", name="Deichmanske bibliotek"
        )
        await create_library(session, bodo, isil="NO-2180400", name="Bodø bibliotek")
        await create_library(session, rana, isil="NO-3183301", name="Mo vgs", kind="school")
    return {"deichman": deichman}


# ---------------------------------------------------------------- public reads


async def test_counties_are_public_with_populations_etag_and_304(catalogue):
    client, app = catalogue
    await _seed(app)
    listed = await client.get("/v1/counties")
    assert listed.status_code == 200
    assert [c["number"] for c in listed.json()["items"]] == ["03", "18"]
    one = await client.get("/v1/counties/18")
    assert one.status_code == 200
    body = one.json()
    assert body["name"] == {"nb": "Nordland", "smj": "Nordlánnda"}
    assert body["populations"] == [
        {"year": 2024, "population": 100_000},
        {"year": 2025, "population": 101_000},
    ]
    assert one.headers["Cache-Control"].startswith("public")
    again = await client.get("/v1/counties/18", headers={"If-None-Match": one.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["ETag"] == one.headers["ETag"]
    missing = await client.get("/v1/counties/99")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_municipalities_filter_by_county_and_paginate(catalogue):
    client, app = catalogue
    await _seed(app)
    first = await client.get("/v1/municipalities", params={"county": "18", "limit": 1})
    assert first.status_code == 200
    assert [m["number"] for m in first.json()["items"]] == ["1804"]
    assert first.json()["items"][0]["county"] == "18"
    assert 'rel="next"' in first.headers["Link"]
    cursor = first.json()["next_cursor"]
    second = await client.get(
        "/v1/municipalities", params={"county": "18", "limit": 1, "cursor": cursor}
    )
    assert [m["number"] for m in second.json()["items"]] == ["1833"]
    assert second.json()["next_cursor"] is None
    one = await client.get("/v1/municipalities/0301")
    assert one.status_code == 200
    assert one.json()["county"] == "03"
    assert "ETag" in one.headers
    bad_cursor = await client.get("/v1/municipalities", params={"cursor": "%%%"})
    assert bad_cursor.status_code == 400


async def test_libraries_filter_by_county_municipality_and_kind(catalogue):
    client, app = catalogue
    await _seed(app)

    async def isils(**params: Any) -> list[str]:
        answer = await client.get("/v1/libraries", params=params)
        assert answer.status_code == 200, answer.text
        return [x["isil"] for x in answer.json()["items"]]

    assert await isils() == ["NO-2030000", "NO-2180400", "NO-3183301"]
    assert await isils(county="18") == ["NO-2180400", "NO-3183301"]
    assert await isils(municipality="1833") == ["NO-3183301"]
    assert await isils(kind="school") == ["NO-3183301"]
    assert await isils(county="99") == []
    page = await client.get("/v1/libraries", params={"limit": 2})
    rest = await client.get(
        "/v1/libraries", params={"limit": 2, "cursor": page.json()["next_cursor"]}
    )
    assert [x["isil"] for x in rest.json()["items"]] == ["NO-3183301"]
    one = await client.get("/v1/libraries/NO-2030000")
    assert one.status_code == 200
    assert one.json() | {"id": None, "created_at": None, "updated_at": None} == {
        "id": None,
        "isil": "NO-2030000",
        "name": "Deichmanske bibliotek",
        "kind": "public",
        "country": "NO",
        "municipality": "0301",
        "county": "03",
        "version": 1,
        "created_at": None,
        "updated_at": None,
    }
    assert (await client.get("/v1/libraries/NO-9999999")).status_code == 404
    malformed = await client.get("/v1/libraries/not_an_isil")
    assert malformed.status_code == 422


# ---------------------------------------------------------------- library writes


def _library(**overrides: Any) -> dict[str, Any]:
    return {
        "isil": "NO-2180401",
        "name": "Bodø filial",
        "kind": "public",
        "municipality": "1804",
    } | overrides


async def test_programme_admin_registers_a_library_with_event_audit_and_replay(catalogue, issuer):
    client, app = catalogue
    await _seed(app)
    headers = issuer.headers("programme_admin") | {"Idempotency-Key": "lib-1"}
    created = await client.post("/v1/libraries", json=_library(), headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/v1/libraries/NO-2180401"
    assert created.headers["ETag"] == '"1"'
    assert created.json()["county"] == "18"
    replay = await client.post("/v1/libraries", json=_library(), headers=headers)
    assert replay.status_code == 201
    assert replay.json() == created.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    other_body = await client.post("/v1/libraries", json=_library(name="X"), headers=headers)
    assert other_body.status_code == 422
    assert await row_count(app, Library) == 4
    assert await events_of(app, "library.created") == [
        {"isil": "NO-2180401", "kind": "public", "municipality": "1804", "county": "18"}
    ]
    async with committed(app) as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.resource_id == "NO-2180401")
        )
    assert entry is not None
    assert entry.action == "library.created"
    assert entry.changes["name"] == {"old": None, "new": "Bodø filial"}


async def test_bad_library_input_names_the_field_and_writes_nothing(catalogue, issuer):
    client, app = catalogue
    await _seed(app)
    admin = issuer.headers("programme_admin")
    cases = [
        (_library(isil="NO_2180401"), 422, "body.isil"),
        (_library(isil="NORGE-1"), 422, "body.isil"),
        (_library(isil="NO-123456789012"), 422, "body.isil"),
        (_library(isil="SE-2180401"), 422, "body.isil"),
        (_library(municipality="9999"), 422, "body.municipality"),
        (_library(kind="university"), 422, "body.kind"),
        (_library(isil="NO-2030000"), 409, "body.isil"),
        (_library(status="active"), 422, "body.status"),
    ]
    for body, status, location in cases:
        answer = await client.post("/v1/libraries", json=body, headers=admin)
        assert answer.status_code == status, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert location in [e["location"] for e in answer.json()["errors"]], answer.json()
    assert await row_count(app, Library) == 3
    assert await events_of(app, "library.created") == []


async def test_county_admin_registers_only_in_its_own_county(catalogue, issuer):
    client, app = catalogue
    await _seed(app)
    nordland = issuer.headers("county_admin", county="18")
    own = await client.post("/v1/libraries", json=_library(), headers=nordland)
    assert own.status_code == 201
    foreign = await client.post(
        "/v1/libraries",
        json=_library(isil="NO-2030001", municipality="0301"),
        headers=nordland,
    )
    assert foreign.status_code == 403
    assert foreign.json()["errors"][0]["location"] == "body.municipality"
    no_county = await client.post(
        "/v1/libraries", json=_library(isil="NO-2180402"), headers=issuer.headers("county_admin")
    )
    assert no_county.status_code == 403
    assert await row_count(app, Library) == 4


async def test_county_admin_changes_only_its_own_county_libraries(catalogue, issuer):
    client, app = catalogue
    await _seed(app)
    oslo = issuer.headers("county_admin", county="03")
    # Another county's library is 404 to it, as if it did not exist, with or without If-Match.
    for extra in ({}, {"If-Match": '"1"'}):
        foreign = await client.patch(
            "/v1/libraries/NO-2180400", json={"name": "Mine"}, headers=oslo | extra
        )
        assert foreign.status_code == 404
    no_precondition = await client.patch(
        "/v1/libraries/NO-2030000", json={"name": "Deichman"}, headers=oslo
    )
    assert no_precondition.status_code == 428
    changed = await client.patch(
        "/v1/libraries/NO-2030000", json={"name": "Deichman"}, headers=oslo | {"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Deichman"
    assert changed.headers["ETag"] == '"2"'
    stale = await client.patch(
        "/v1/libraries/NO-2030000", json={"name": "Old"}, headers=oslo | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    moved_out = await client.patch(
        "/v1/libraries/NO-2030000",
        json={"municipality": "1804"},
        headers=oslo | {"If-Match": '"2"'},
    )
    assert moved_out.status_code == 403
    assert (await client.get("/v1/libraries/NO-2030000")).json()["municipality"] == "0301"
    events = await events_of(app, "library.updated")
    assert events == [
        {"isil": "NO-2030000", "changed": ["name"], "municipality": "0301", "county": "03"}
    ]


async def test_library_writes_refuse_identity_and_version_fields(catalogue, issuer):
    client, app = catalogue
    await _seed(app)
    admin = issuer.headers("programme_admin") | {"If-Match": '"1"'}
    for field, value in (("isil", "NO-2030009"), ("version", 7), ("id", "x"), ("county", "18")):
        answer = await client.patch("/v1/libraries/NO-2030000", json={field: value}, headers=admin)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["location"] == f"body.{field}"
    library = (await client.get("/v1/libraries/NO-2030000")).json()
    assert (library["isil"], library["version"]) == ("NO-2030000", 1)


async def test_programme_admin_moves_a_library_to_another_county(catalogue, issuer):
    client, app = catalogue
    await _seed(app)
    moved = await client.patch(
        "/v1/libraries/NO-2030000",
        json={"municipality": "1804", "kind": "school"},
        headers=issuer.headers("programme_admin") | {"If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["county"], moved.json()["kind"]) == ("18", "school")
    unknown = await client.patch(
        "/v1/libraries/NO-2030000",
        json={"municipality": "7777"},
        headers=issuer.headers("programme_admin") | {"If-Match": '"2"'},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["location"] == "body.municipality"


# ---------------------------------------------------------------- populations


async def test_programme_admin_sets_a_population_and_the_etag_follows(catalogue, issuer):
    client, app = catalogue
    await _seed(app)
    before = await client.get("/v1/counties/18")
    url = "/v1/counties/18/populations/2026"
    admin = issuer.headers("programme_admin")
    assert (await client.put(url, json={"population": 250_000}, headers=admin)).status_code == 428
    refused = await client.put(
        url,
        json={"population": 250_000},
        headers=issuer.headers("county_admin", county="18") | {"If-Match": before.headers["ETag"]},
    )
    assert refused.status_code == 403
    negative = await client.put(
        url, json={"population": -1}, headers=admin | {"If-Match": before.headers["ETag"]}
    )
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["location"] == "body.population"
    put = await client.put(
        url, json={"population": 250_000}, headers=admin | {"If-Match": before.headers["ETag"]}
    )
    assert put.status_code == 200, put.text
    assert put.json()["populations"][-1] == {"year": 2026, "population": 250_000}
    assert put.headers["ETag"] != before.headers["ETag"]
    stale = await client.get("/v1/counties/18", headers={"If-None-Match": before.headers["ETag"]})
    assert stale.status_code == 200
    municipal = await client.get("/v1/municipalities/1804")
    corrected = await client.put(
        "/v1/municipalities/1804/populations/2024",
        json={"population": 52_000},
        headers=admin | {"If-Match": municipal.headers["ETag"]},
    )
    assert corrected.status_code == 200
    assert corrected.json()["populations"][0] == {"year": 2024, "population": 52_000}
    assert [e["year"] for e in await events_of(app, "county.population_set")] == [2026]


async def test_an_isil_is_matched_whatever_its_case_and_kept_as_written(catalogue, issuer):
    """Issue 15, point 14: ISILs compare case-insensitively (ISO 15511; German ones are written
    with lowercase letters, DE-Bo133), so a library is found by any spelling and registered once,
    and every answer keeps the ISIL as it was registered."""
    client, app = catalogue
    await _seed(app)
    admin = issuer.headers("programme_admin")
    created = await client.post("/v1/libraries", json=_library(isil="NO-Bo1804a"), headers=admin)
    assert created.status_code == 201, created.text
    for spelling in ("NO-Bo1804a", "no-bo1804A", "NO-BO1804A"):
        found = await client.get(f"/v1/libraries/{spelling}")
        assert found.status_code == 200, spelling
        assert found.json()["isil"] == "NO-Bo1804a"
    again = await client.post("/v1/libraries", json=_library(isil="no-BO1804A"), headers=admin)
    assert again.status_code == 409, again.text
    changed = await client.patch(
        "/v1/libraries/no-bo1804a",
        json={"name": "Bodø Sentrum"},
        headers=admin | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["isil"] == "NO-Bo1804a"
    upper = await client.get("/v1/libraries/NO-2030000/catalogue")
    lower = await client.get("/v1/libraries/no-2030000/catalogue")
    assert (upper.status_code, lower.status_code) == (200, 200), lower.text
    assert lower.json()["items"] == upper.json()["items"]

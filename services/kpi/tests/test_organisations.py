"""Organisations over HTTP: one level under its parent, natural codes of the right shape and
unique, populations per year; the county a county admin's scope follows is derived."""

from __future__ import annotations

from kpi_factories import add_hierarchy, events_of, row_count

from kpi.organisations.models import Organisation


async def test_the_hierarchy_is_public_and_places_each_library(kpi):
    client, app = kpi
    h = await add_hierarchy(app)
    library = (await client.get(f"/v1/organisations/{h.bodo_library}")).json()
    assert library["level"] == "library"
    assert library["parent_id"] == str(h.bodo)
    assert (library["country_code"], library["county_code"]) == ("NO", "18")
    libraries = (await client.get("/v1/organisations?level=library")).json()["items"]
    assert sorted(o["code"] for o in libraries) == ["NO-2030000", "NO-2180400"]
    children = (await client.get(f"/v1/organisations?parent_id={h.country}")).json()["items"]
    assert sorted(o["code"] for o in children) == ["03", "18"]
    by_code = (await client.get("/v1/organisations?code=1804")).json()["items"]
    assert [o["id"] for o in by_code] == [str(h.bodo)]


async def test_an_analyst_adds_an_organisation_one_level_down(kpi, issuer):
    client, app = kpi
    h = await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    created = await client.post(
        "/v1/organisations",
        json={
            "level": "municipality",
            "code": "1806",
            "name": "Narvik",
            "parent_id": str(h.nordland),
        },
        headers=analyst,
    )
    assert created.status_code == 201, created.text
    assert created.json()["county_code"] == "18"
    assert (await events_of(app, "organisation.created"))[-1]["code"] == "1806"
    before = await row_count(app, Organisation)
    for body, field, kind in [
        (
            {"level": "library", "code": "NO-1", "name": "x", "parent_id": str(h.nordland)},
            "parent_id",
            "bad-parent",
        ),
        ({"level": "municipality", "code": "1807", "name": "x"}, "parent_id", "bad-parent"),
        (
            {"level": "country", "code": "SE", "name": "x", "parent_id": str(h.country)},
            "parent_id",
            "bad-parent",
        ),
        (
            {"level": "library", "code": "2180400", "name": "x", "parent_id": str(h.bodo)},
            "code",
            "bad-code",
        ),
        ({"level": "country", "code": "nor", "name": "x"}, "code", "bad-code"),
    ]:
        answer = await client.post("/v1/organisations", json=body, headers=analyst)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["errors"][0]["location"] == f"body.{field}"
        assert answer.json()["errors"][0]["type"] == kind
    taken = await client.post(
        "/v1/organisations",
        json={"level": "county", "code": "18", "name": "Nordland", "parent_id": str(h.country)},
        headers=analyst,
    )
    assert taken.status_code == 409
    assert await row_count(app, Organisation) == before


async def test_populations_per_year_move_the_version(kpi, issuer):
    client, app = kpi
    h = await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    url = f"/v1/organisations/{h.bodo}/populations/2025"
    missing_precondition = await client.put(url, json={"population": 53_000}, headers=analyst)
    assert missing_precondition.status_code == 428
    first = await client.put(
        url, json={"population": 53_000}, headers=analyst | {"If-Match": '"1"'}
    )
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"2"'
    second = await client.put(
        f"/v1/organisations/{h.bodo}/populations/2024",
        json={"population": 52_800},
        headers=analyst | {"If-Match": '"2"'},
    )
    assert [p["year"] for p in second.json()["populations"]] == [2024, 2025]
    stale = await client.put(url, json={"population": 1}, headers=analyst | {"If-Match": '"1"'})
    assert stale.status_code == 412
    negative = await client.put(url, json={"population": -1}, headers=analyst | {"If-Match": '"3"'})
    assert negative.status_code == 422
    assert [e["year"] for e in await events_of(app, "organisation.population_set")] == [2025, 2024]
    renamed = await client.patch(
        f"/v1/organisations/{h.bodo}",
        json={"name": "Bodø kommune"},
        headers=analyst | {"If-Match": '"3"'},
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Bodø kommune"

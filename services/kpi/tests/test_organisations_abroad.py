"""Flanders and the Netherlands through the real catalogue's feed: the catalogue's directory
loaded from its shipped files (NIS and CBS codes, demo libraries), harvested over HTTP into the
hierarchy library → municipality → province → country; figures imported by NIS and CBS codes roll
up to the province and the country; populations per year follow the directory."""

from __future__ import annotations

import asyncio
from typing import Any

from kpi_factories import committed
from sqlalchemy import select

from catalogue_factories import committed as catalogue_committed
from catalogue_licensing.demo import DEMO_LIBRARIES_ABROAD
from catalogue_licensing.directory.reference_abroad import (
    AbroadFiles,
    load_abroad,
    read_abroad,
    read_libraries,
)
from chassis.jobs import JobRunner
from chassis.runtime import app_runtime
from chassis.types import utcnow
from kpi.harvest.jobs import HARVEST_CATALOGUE
from kpi.organisations.models import Organisation

CSV = {"content-type": "text/csv"}
FIGURES = (
    "indicator,organisation,period,value\n"
    "loans,BE-DEMO-GENT,2025-01,100\n"
    "loans,BE-DEMO-HASS,2025-01,50\n"
    "loans,BE-DEMO-LEUV,2025-01,25\n"
    "loans,NL-DEMO-ASSEN,2025-01,70\n"
    "loans,NL-DEMO-EMMEN,2025-01,30\n"
    "visits,44021,2025-01,500\n"
    "visits,GM0106,2025-01,200\n"
)


async def _finished(client: Any, location: str, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(200):
        answer = await client.get(location, headers=headers)
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] != "running":
            return dict(answer.json())
        await asyncio.sleep(0.02)
    raise AssertionError("the import did not finish")


async def _rollup(client: Any, headers: dict[str, str], indicator: str, organisation: str) -> Any:
    answer = await client.get(
        "/v1/rollups",
        params={"indicator": indicator, "organisation": organisation, "period": "2025-01"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["value"]


async def _hierarchy(app: Any) -> dict[str, tuple[str, str, str | None, str | None]]:
    """code → (level, country, parent's code, county code)."""
    async with committed(app) as session:
        rows = (await session.execute(select(Organisation))).scalars().all()
    by_id = {o.id: o for o in rows}
    return {
        o.code: (
            o.level,
            o.country_code,
            None if o.parent_id is None else by_id[o.parent_id].code,
            o.county_code,
        )
        for o in rows
    }


async def test_flemish_and_drenthe_figures_roll_up_to_province_and_country(
    open_kpi, catalogue_http, issuer
):
    base, catalogue, catalogue_app = catalogue_http
    data = read_libraries(DEMO_LIBRARIES_ABROAD, read_abroad(AbroadFiles()))
    async with catalogue_committed(catalogue_app) as session:
        await load_abroad(session, data)
    async with open_kpi(
        harvest={"catalogue_url": base, "token": issuer.token("operator")},
        jobs={"enabled": False},
    ) as (client, app):
        runtime = app_runtime(app)
        runner = JobRunner(runtime.db, [HARVEST_CATALOGUE], runtime.settings, runtime=runtime)
        await runner.ensure_rows()
        assert await runner.run_due(utcnow()) == [("harvest-catalogue", "ok")]
        hierarchy = await _hierarchy(app)
        assert hierarchy["BE-DEMO-GENT"] == ("library", "BE", "44021", "40000")
        assert hierarchy["44021"] == ("municipality", "BE", "40000", "40000")
        assert hierarchy["40000"] == ("county", "BE", "BE", "40000")
        assert hierarchy["BE"] == ("country", "BE", None, None)
        # Hasselt, merged with Kortessem in 2025, is in Limburg under its 2025 NIS code.
        assert hierarchy["BE-DEMO-HASS"][2] == "71072"
        assert hierarchy["71072"][2] == "70000"
        assert hierarchy["NL-DEMO-ASSEN"] == ("library", "NL", "GM0106", "PV22")
        assert hierarchy["GM0106"] == ("municipality", "NL", "PV22", "PV22")
        assert hierarchy["PV22"] == ("county", "NL", "NL", "PV22")
        assert hierarchy["NL"] == ("country", "NL", None, None)
        # Only what the libraries name arrives: 7 libraries, their 7 municipalities, 5 provinces.
        assert sum(1 for v in hierarchy.values() if v[0] == "county") == 5

        analyst = issuer.headers("analyst")
        accepted = await client.post(
            "/v1/observations/import", content=FIGURES.encode(), headers=analyst | CSV
        )
        assert accepted.status_code == 202, accepted.text
        done = await _finished(client, accepted.headers["Location"], analyst)
        assert (done["status"], done["created"]) == ("completed", 7), done

        assert await _rollup(client, analyst, "loans", "40000") == 100
        assert await _rollup(client, analyst, "loans", "county:70000") == 50
        assert await _rollup(client, analyst, "loans", "BE") == 175
        assert await _rollup(client, analyst, "loans", "PV22") == 100
        assert await _rollup(client, analyst, "loans", "country:NL") == 100
        assert await _rollup(client, analyst, "visits", "40000") == 500
        assert await _rollup(client, analyst, "visits", "NL") == 200

        # The observations API takes the NIS and CBS codes too.
        for code, value in (("44021", 500), ("GM0106", 200), ("municipality:GM0106", 200)):
            listed = await client.get(
                "/v1/observations", params={"organisation": code}, headers=analyst
            )
            assert listed.status_code == 200, listed.text
            assert [o["value"] for o in listed.json()["items"]] == [value]
        unknown = await client.get(
            "/v1/observations", params={"organisation": "GM9999"}, headers=analyst
        )
        assert 400 <= unknown.status_code < 500
        assert unknown.headers["content-type"] == "application/problem+json"

        # A file naming a municipality the directory does not hold changes nothing.
        bad = FIGURES.replace("visits,44021,", "visits,44999,")
        refused = await client.post(
            "/v1/observations/import", content=bad.encode(), headers=analyst | CSV
        )
        assert refused.status_code == 422, refused.text
        assert "44999" in refused.text

        # Drenthe's population, set in the directory, arrives by year.
        drenthe = await catalogue.get("/v1/counties/PV22", params={"country": "NL"})
        put = await catalogue.put(
            "/v1/counties/PV22/populations/2025",
            params={"country": "NL"},
            json={"population": 500_000},
            headers=issuer.headers("programme_admin") | {"If-Match": drenthe.headers["ETag"]},
        )
        assert put.status_code == 200, put.text
        later = utcnow() + HARVEST_CATALOGUE.every
        assert await runner.run_due(later) == [("harvest-catalogue", "ok")]
        province = await client.get("/v1/organisations", params={"code": "PV22"})
        assert province.json()["items"][0]["populations"] == [{"year": 2025, "population": 500_000}]


async def test_a_malformed_nis_or_cbs_code_is_refused(kpi, issuer):
    client, _ = kpi
    analyst = issuer.headers("analyst")

    async def post(level: str, code: str, parent: str | None) -> Any:
        return await client.post(
            "/v1/organisations",
            json={"level": level, "code": code, "name": code, "parent_id": parent},
            headers=analyst,
        )

    belgium = (await post("country", "BE", None)).json()["id"]
    netherlands = (await post("country", "NL", None)).json()["id"]
    for level, code, parent, expected in [
        ("county", "4000", belgium, "five digits"),
        ("county", "22", netherlands, "PV and two digits"),
        ("county", "PV22", belgium, "five digits"),
    ]:
        answer = await post(level, code, parent)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"][0]["location"] == "body.code"
        assert expected in answer.json()["errors"][0]["message"]
    drenthe = await post("county", "PV22", netherlands)
    assert drenthe.status_code == 201, drenthe.text
    assert (await post("municipality", "GM106", drenthe.json()["id"])).status_code == 422
    assen = await post("municipality", "GM0106", drenthe.json()["id"])
    assert assen.status_code == 201, assen.text
    assert assen.json()["county_code"] == "PV22"

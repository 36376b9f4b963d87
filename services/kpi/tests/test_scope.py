"""Who may do what, in the queries (design: county admins and staff enter and read their own
organisation's figures only). For every operation the policy opens to `county_admin` or `staff`,
a county admin of Nordland and Bodø library's staff reach none of Oslo's figures: refused (403)
where they name Oslo, not found (404) where they name one of its records, left out of lists.
A new scoped operation fails `test_every_scoped_operation_has_a_case_here` until it has one."""

from __future__ import annotations

import asyncio
from typing import Any

from kpi_factories import add_hierarchy, row_count

from chassis.caller import CALLER_RULE
from kpi.observations.models import Observation
from kpi.policy import POLICY

OSLO = "NO-2030000"
CSV = {"content-type": "text/csv"}
# Checked in another file, where the data it needs is built: county admins see their row only.
CHECKED_ELSEWHERE = {"get_cost_per_use": "test_cost_per_use.py"}
CHECKED_HERE = {
    "create_observation",
    "list_observations",
    "get_observation",
    "correct_observation",
    "list_revisions",
    "import_observations",
    "get_import",
    "get_rollup",
    "get_series",
    "get_year_on_year",
    "get_peer_comparison",
    "list_rankings",
    "get_series_csv",
    "get_series_csv_metadata",
    "get_series_chart",
}


def test_every_scoped_operation_has_a_case_here():
    scoped = {
        operation
        for operation, rule in POLICY.items()
        # /v1/me answers every role about its own token: no organisation's figures.
        if not rule.public and rule.roles & {"county_admin", "staff"} and rule is not CALLER_RULE
    }
    assert scoped == CHECKED_HERE | set(CHECKED_ELSEWHERE)


def test_an_analyst_may_call_every_operation():
    """The design's table: `analyst`: everything."""
    closed = [op for op, rule in POLICY.items() if not rule.public and "analyst" not in rule.roles]
    assert closed == []


async def _oslo_figures(client: Any, analyst: dict[str, str]) -> tuple[str, str]:
    """Oslo library's loans for January 2025, and an import of them: their ids."""
    created = await client.post(
        "/v1/observations",
        json={"indicator": "loans", "organisation": OSLO, "period": "2025-01", "value": 300},
        headers=analyst,
    )
    assert created.status_code == 201, created.text
    imported = await client.post(
        "/v1/observations/import",
        content=f"indicator,organisation,period,value\nloans,{OSLO},2025-02,7\n".encode(),
        headers=analyst | CSV,
    )
    assert imported.status_code == 202, imported.text
    location = imported.headers["Location"]
    for _ in range(200):
        if (await client.get(location, headers=analyst)).json()["status"] != "running":
            return created.json()["id"], location
        await asyncio.sleep(0.02)
    raise AssertionError("the import did not finish")


async def test_another_organisations_figures_are_out_of_reach(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    observation, import_location = await _oslo_figures(client, analyst)
    figures = await row_count(app, Observation)
    outsiders = {
        "county admin": issuer.headers("county_admin", county="18"),
        "staff": issuer.headers("staff", isil="NO-2180400"),
    }
    oslo_question = {"indicator": "loans", "organisation": OSLO, "period": "2025-01"}
    seen = set()
    for who, headers in outsiders.items():

        async def status(
            method: str, url: str, seen_as: str, headers: dict[str, str] = headers, **kw: Any
        ) -> int:
            seen.add(seen_as)
            answer = await client.request(method, url, headers=headers | kw.pop("extra", {}), **kw)
            return answer.status_code

        new = oslo_question | {"period": "2025-03", "value": 1}
        assert await status("POST", "/v1/observations", "create_observation", json=new) == 403
        listed = await client.get("/v1/observations", headers=headers)
        seen.add("list_observations")
        assert OSLO not in {o["organisation"] for o in listed.json()["items"]}, who
        url = f"/v1/observations/{observation}"
        assert await status("GET", url, "get_observation") == 404, who
        patched = await status(
            "PATCH", url, "correct_observation", json={"value": 1}, extra={"If-Match": '"1"'}
        )
        assert patched == 404, who
        assert await status("GET", f"{url}/revisions", "list_revisions") == 404, who
        rows = f"indicator,organisation,period,value\nloans,{OSLO},2025-04,1\n".encode()
        imported = await client.post("/v1/observations/import", content=rows, headers=headers | CSV)
        seen.add("import_observations")
        assert imported.status_code == 422, (who, imported.text)
        assert imported.json()["report"][0]["row"] == 2
        assert await status("GET", import_location, "get_import") == 404, who
        for path, operation, params in [
            ("/v1/rollups", "get_rollup", oslo_question),
            ("/v1/comparisons/year-on-year", "get_year_on_year", oslo_question),
            ("/v1/comparisons/peers", "get_peer_comparison", oslo_question),
            *(
                (path, operation, {"indicator": "loans", "organisations": OSLO, "period": "2025"})
                for path, operation in [
                    ("/v1/series", "get_series"),
                    ("/v1/series.csv", "get_series_csv"),
                    ("/v1/series.csv-metadata.json", "get_series_csv_metadata"),
                    ("/v1/charts/series", "get_series_chart"),
                ]
            ),
            (
                "/v1/rankings",
                "list_rankings",
                {"indicator": "loans", "period": "2025", "level": "library", "within": "03"},
            ),
        ]:
            assert await status("GET", path, operation, params=params) == 403, (who, path)
    assert seen == CHECKED_HERE
    assert await row_count(app, Observation) == figures
    # The analyst reaches all of it.
    assert (await client.get(f"/v1/observations/{observation}", headers=analyst)).status_code == 200

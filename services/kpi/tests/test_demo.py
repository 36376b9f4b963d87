"""The demo loads, twice without adding anything, and reads back through the API."""

from __future__ import annotations

from chassis.runtime import app_runtime
from chassis.types import utcnow
from kpi.demo import load_demo
from kpi.demo.ids import (
    LIBRARIES,
    PER_INHABITANT_MONTH,
    PRODUCTS,
    USAGE_COUNTRIES,
    USAGE_YEARS,
    YEARS,
)
from kpi.settings import KpiSettings


async def test_the_demo_loads_once_and_reads_back(kpi, issuer):
    client, app = kpi
    settings = app_runtime(app).settings
    assert isinstance(settings, KpiSettings)
    first = await load_demo(settings)
    assert first["observations"] == len(LIBRARIES) * len(YEARS) * 12 * len(PER_INHABITANT_MONTH)
    # A report per library, product and usage year up to the last whole month.
    today = utcnow().date()
    years = [y for y in USAGE_YEARS if y < today.year or (y == today.year and today.month > 1)]
    using = [isil for isil, _, country, _ in LIBRARIES if country in USAGE_COUNTRIES]
    assert first["usage_reports"] == len(using) * len(PRODUCTS) * len(years)
    again = await load_demo(settings)
    assert (again["observations"], again["usage_reports"], again["indicators"]) == (0, 0, 0)
    analyst = issuer.headers("analyst")
    loans = await client.get(
        "/v1/observations",
        params={
            "indicator": "loans",
            "organisation": "NO-2180400",
            "period": str(YEARS[0]),
            "limit": 50,
        },
        headers=analyst,
    )
    assert len(loans.json()["items"]) == 12
    staff = issuer.headers("staff", isil="NO-2180400")
    own = await client.get("/v1/observations", params={"limit": 200}, headers=staff)
    assert {o["organisation"] for o in own.json()["items"]} == {"NO-2180400"}


async def test_the_flemish_and_drenthe_demo_libraries_figures_roll_up(kpi, issuer):
    client, app = kpi
    settings = app_runtime(app).settings
    assert isinstance(settings, KpiSettings)
    await load_demo(settings)
    analyst = issuer.headers("analyst")

    async def loans(organisation: str, indicator: str = "loans") -> float | None:
        answer = await client.get(
            "/v1/rollups",
            params={"indicator": indicator, "organisation": organisation, "period": "2025"},
            headers=analyst,
        )
        assert answer.status_code == 200, answer.text
        value: float | None = answer.json()["value"]
        return value

    for country in ("BE", "NL"):
        isils = [isil for isil, _, there, _ in LIBRARIES if there == country]
        each = [await loans(isil) for isil in isils]
        assert all(value is not None and value > 0 for value in each), each
        assert await loans(f"country:{country}") == sum(v for v in each if v is not None)
    assert await loans("county:PV22") == await loans("country:NL")
    assert await loans("county:40000") == await loans("BE-DEMO-GENT")
    # No population in the reference files for these: no figure per inhabitant, none made up.
    assert await loans("municipality:GM0106", "loans_per_inhabitant") is None
    assert await loans("municipality:1804", "loans_per_inhabitant") is not None

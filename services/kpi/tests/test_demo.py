"""The demo loads, twice without adding anything, and reads back through the API."""

from __future__ import annotations

from chassis.runtime import app_runtime
from kpi.demo import load_demo
from kpi.demo.ids import LIBRARIES, PER_INHABITANT_MONTH, PRODUCTS, YEARS
from kpi.settings import KpiSettings


async def test_the_demo_loads_once_and_reads_back(kpi, issuer):
    client, app = kpi
    settings = app_runtime(app).settings
    assert isinstance(settings, KpiSettings)
    first = await load_demo(settings)
    assert first["observations"] == len(LIBRARIES) * len(YEARS) * 12 * len(PER_INHABITANT_MONTH)
    assert first["usage_reports"] == len(LIBRARIES) * len(PRODUCTS)
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

"""Observations over HTTP: figures checked against their indicator, entered and read only within
the caller's scope, corrected with their history kept, read as they stood on any date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kpi_factories import add_hierarchy, committed, events_of, row_count
from sqlalchemy import update

from kpi.observations.models import Observation, ObservationRevision


def _figure(**overrides: Any) -> dict[str, Any]:
    return {
        "indicator": "loans",
        "organisation": "NO-2180400",
        "period": "2025-03",
        "value": 1234,
    } | overrides


async def test_a_figure_is_recorded_by_natural_code_and_read_back(kpi, issuer):
    client, app = kpi
    h = await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    created = await client.post(
        "/v1/observations", json=_figure(comment="door counter"), headers=analyst
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["organisation_id"] == str(h.bodo_library)
    assert (body["period_start"], body["period_end"]) == ("2025-03-01", "2025-03-31")
    assert (body["status"], body["version"], body["source"]) == ("provisional", 1, "entered")
    county = await client.post(
        "/v1/observations",
        json=_figure(indicator="cost", organisation="county:18", period="2025", value=125000.5),
        headers=analyst,
    )
    assert county.status_code == 201, county.text
    assert county.json()["organisation_id"] == str(h.nordland)
    listed = await client.get(
        "/v1/observations",
        params={"indicator": "loans", "organisation": "NO-2180400", "period": "2025"},
        headers=analyst,
    )
    assert [o["value"] for o in listed.json()["items"]] == [1234]
    assert (await events_of(app, "observation.recorded"))[0]["organisation"] == "NO-2180400"
    again = await client.post("/v1/observations", json=_figure(), headers=analyst)
    assert again.status_code == 409
    assert again.json()["errors"][0]["location"] == "body.period"


async def test_bad_figures_are_refused_naming_the_field(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    cases = [
        (_figure(indicator="nope"), "indicator", "unknown-indicator"),
        (_figure(indicator="cost_per_use", period="2025"), "indicator", "derived-indicator"),
        (_figure(organisation="NO-9999999"), "organisation", "unknown-organisation"),
        (
            _figure(organisation="00000000-0000-0000-0000-000000000000"),
            "organisation",
            "unknown-organisation",
        ),
        (_figure(period="2025-13"), "period", "bad-period"),
        (_figure(period="2025-Q1"), "period", "bad-period"),
        (_figure(period="2025-W53"), "period", "bad-period"),
        (_figure(period="2999-01"), "period", "bad-period"),
        (_figure(value=12.5), "value", "bad-value"),
        (_figure(value=-3), "value", "bad-value"),
    ]
    for body, field, kind in cases:
        answer = await client.post("/v1/observations", json=body, headers=analyst)
        assert answer.status_code == 422, (body, answer.text)
        error = answer.json()["errors"][0]
        assert (error["location"], error["type"]) == (f"body.{field}", kind), body
    infinite = await client.post(
        "/v1/observations",
        content=b'{"indicator":"loans","organisation":"NO-2180400","period":"2025-03","value":1e400}',
        headers=analyst | {"content-type": "application/json"},
    )
    assert infinite.status_code == 422
    assert await row_count(app, Observation) == 0
    for params, field in [
        ({"organisation": "NO-9999999"}, "organisation"),
        ({"indicator": "nope"}, "indicator"),
        ({"period": "March"}, "period"),
    ]:
        answer = await client.get("/v1/observations", params=params, headers=analyst)
        assert answer.status_code == 422, params
        assert answer.json()["errors"][0]["location"] == f"query.{field}"


async def test_county_admins_and_staff_enter_and_read_their_own_only(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    nordland = issuer.headers("county_admin", county="18")
    bodo_staff = issuer.headers("staff", isil="NO-2180400")
    oslo_staff = issuer.headers("staff", isil="NO-2030000")
    own = await client.post("/v1/observations", json=_figure(), headers=bodo_staff)
    assert own.status_code == 201, own.text
    municipal = await client.post(
        "/v1/observations", json=_figure(indicator="visits", organisation="1804"), headers=nordland
    )
    assert municipal.status_code == 201, municipal.text
    for headers, organisation in [
        (nordland, "NO-2030000"),
        (bodo_staff, "1804"),
        (oslo_staff, "NO-2180400"),
    ]:
        refused = await client.post(
            "/v1/observations",
            json=_figure(organisation=organisation, indicator="events"),
            headers=headers,
        )
        assert refused.status_code == 403, (organisation, refused.text)
        assert refused.json()["errors"][0]["type"] == "not-your-organisation"
    seen_by_oslo = await client.get("/v1/observations", headers=oslo_staff)
    assert seen_by_oslo.json()["items"] == []
    assert (
        await client.get(f"/v1/observations/{own.json()['id']}", headers=oslo_staff)
    ).status_code == 404
    seen_by_county = await client.get("/v1/observations", headers=nordland)
    assert len(seen_by_county.json()["items"]) == 2
    seen_by_bodo = await client.get("/v1/observations", headers=bodo_staff)
    assert [o["indicator"] for o in seen_by_bodo.json()["items"]] == ["loans"]
    anonymous = await client.get("/v1/observations")
    assert anonymous.status_code == 401


async def test_a_correction_keeps_the_history_and_as_of_reads_the_past(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    created = (await client.post("/v1/observations", json=_figure(), headers=analyst)).json()
    # The first figure was recorded on 10 January 2026 (moved back: the test cannot wait).
    async with committed(app) as session:
        await session.execute(
            update(ObservationRevision).values(recorded_at=datetime(2026, 1, 10, 9, tzinfo=UTC))
        )
    url = f"/v1/observations/{created['id']}"
    corrected = await client.patch(
        url,
        json={"value": 1240, "status": "final", "comment": "recounted"},
        headers=analyst | {"If-Match": '"1"'},
    )
    assert corrected.status_code == 200, corrected.text
    assert (corrected.json()["value"], corrected.json()["version"]) == (1240, 2)
    assert corrected.headers["ETag"] == '"2"'
    stale = await client.patch(url, json={"value": 1}, headers=analyst | {"If-Match": '"1"'})
    assert stale.status_code == 412
    nothing = await client.patch(url, json={"value": 1240}, headers=analyst | {"If-Match": '"2"'})
    assert nothing.json()["version"] == 2
    history = (await client.get(f"{url}/revisions", headers=analyst)).json()["items"]
    assert [(r["version"], r["value"], r["status"]) for r in history] == [
        (1, 1234, "provisional"),
        (2, 1240, "final"),
    ]

    async def as_of(day: str | None) -> list[float]:
        params = {"indicator": "loans"} | ({"as_of": day} if day else {})
        answer = await client.get("/v1/observations", params=params, headers=analyst)
        assert answer.status_code == 200, answer.text
        return [o["value"] for o in answer.json()["items"]]

    assert await as_of("2026-01-09") == []
    assert await as_of("2026-01-10") == [1234]
    assert await as_of(None) == [1240]
    assert await as_of(datetime.now(UTC).date().isoformat()) == [1240]
    assert (await events_of(app, "observation.corrected"))[0]["changed"] == [
        "comment",
        "status",
        "value",
    ]
    bad = await client.patch(url, json={"value": 0.5}, headers=analyst | {"If-Match": '"2"'})
    assert bad.status_code == 422

"""Roll-ups by each indicator's own rule: sums up the hierarchy and over time, an entered
aggregate kept, a ratio as the ratio of sums (never the mean of ratios), a distinct count never
summed, the last value of a stock, a weighted mean, a zero denominator said, not a 500."""

from __future__ import annotations

from typing import Any

import pytest
from kpi_factories import add_hierarchy, indicator_body


async def _figure(
    client: Any,
    headers: dict[str, str],
    indicator: str,
    organisation: str,
    period: str,
    value: float,
) -> None:
    answer = await client.post(
        "/v1/observations",
        json={
            "indicator": indicator,
            "organisation": organisation,
            "period": period,
            "value": value,
        },
        headers=headers,
    )
    assert answer.status_code == 201, answer.text


async def _population(
    client: Any, headers: dict[str, str], organisation_id: Any, year: int, people: int
) -> None:
    current = await client.get(f"/v1/organisations/{organisation_id}")
    answer = await client.put(
        f"/v1/organisations/{organisation_id}/populations/{year}",
        json={"population": people},
        headers=headers | {"If-Match": current.headers["ETag"]},
    )
    assert answer.status_code == 200, answer.text


@pytest.fixture
async def figures(kpi, issuer):
    client, app = kpi
    h = await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    for indicator, organisation, period, value in [
        ("loans", "NO-2180400", "2025-01", 100),
        ("loans", "NO-2180400", "2025-02", 50),
        ("loans", "NO-2030000", "2025-01", 300),
        ("visits", "NO-2180400", "2025-01", 10),
        ("visits", "NO-2030000", "2025-01", 30),
        ("visits", "county:18", "2025-01", 1000),
        ("active_members", "NO-2180400", "2025", 40),
        ("licensed_products", "NO-2180400", "2025-01", 3),
        ("licensed_products", "NO-2180400", "2025-03", 5),
    ]:
        await _figure(client, analyst, indicator, organisation, period, value)
    await _population(client, analyst, h.bodo, 2025, 50_000)
    await _population(client, analyst, h.oslo, 2025, 700_000)
    return client, analyst, h


async def _rollup(
    client: Any, headers: dict[str, str], indicator: str, organisation: str, period: str
) -> dict[str, Any]:
    answer = await client.get(
        "/v1/rollups",
        params={"indicator": indicator, "organisation": organisation, "period": period},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_sums_roll_up_the_hierarchy_and_over_time(figures):
    client, analyst, _ = figures
    assert (await _rollup(client, analyst, "loans", "NO", "2025"))["value"] == 450
    assert (await _rollup(client, analyst, "loans", "county:18", "2025-Q1"))["value"] == 150
    assert (await _rollup(client, analyst, "loans", "1804", "2025-01"))["value"] == 100
    # Nordland's own visits figure stands for Nordland; the country adds Oslo's library to it.
    assert (await _rollup(client, analyst, "visits", "county:18", "2025-01"))["value"] == 1000
    assert (await _rollup(client, analyst, "visits", "NO", "2025-01"))["value"] == 1030


async def test_a_ratio_is_the_ratio_of_the_sums(figures):
    client, analyst, _ = figures
    answer = await _rollup(client, analyst, "loans_per_inhabitant", "NO", "2025")
    assert (answer["numerator"], answer["denominator"]) == (450, 750_000)
    assert answer["value"] == pytest.approx(450 / 750_000)
    mean_of_ratios = (150 / 50_000 + 300 / 700_000) / 2
    assert answer["value"] != pytest.approx(mean_of_ratios)


async def test_a_zero_denominator_is_said_not_divided(figures, issuer):
    client, analyst, h = figures
    await _population(client, analyst, h.oslo, 2024, 0)
    await _figure(client, analyst, "loans", "NO-2030000", "2024-05", 7)
    answer = await _rollup(client, analyst, "loans_per_inhabitant", "0301", "2024")
    assert (answer["value"], answer["note"]) == (None, "the denominator is zero")


async def test_distinct_last_and_weighted_mean(figures):
    client, analyst, _ = figures
    members = await _rollup(client, analyst, "active_members", "county:18", "2025")
    assert members["value"] is None
    assert "distinct" in members["note"]
    assert (await _rollup(client, analyst, "active_members", "NO-2180400", "2025"))["value"] == 40
    assert (await _rollup(client, analyst, "licensed_products", "county:18", "2025-Q1"))[
        "value"
    ] == 5
    created = await client.post(
        "/v1/indicators",
        json=indicator_body(
            code="satisfaction",
            value_type="ratio",
            rollup="weighted_mean",
            weight="visits",
            periodicity="month",
            unit="score 1-5",
        ),
        headers=analyst,
    )
    assert created.status_code == 201, created.text
    await _figure(client, analyst, "satisfaction", "NO-2180400", "2025-01", 4.0)
    await _figure(client, analyst, "satisfaction", "NO-2030000", "2025-01", 5.0)
    mean = await _rollup(client, analyst, "satisfaction", "NO", "2025-01")
    assert mean["value"] == pytest.approx((4.0 * 10 + 5.0 * 30) / 40)


async def test_scope_and_bad_questions(figures, issuer):
    client, _, _ = figures
    bodo = issuer.headers("staff", isil="NO-2180400")
    assert (await _rollup(client, bodo, "loans", "NO-2180400", "2025"))["value"] == 150
    other = await client.get(
        "/v1/rollups",
        params={"indicator": "loans", "organisation": "NO-2030000", "period": "2025"},
        headers=bodo,
    )
    assert other.status_code == 403
    for params, field in [
        ({"indicator": "nope", "organisation": "NO", "period": "2025"}, "indicator"),
        ({"indicator": "loans", "organisation": "XX-1", "period": "2025"}, "organisation"),
        ({"indicator": "loans", "organisation": "NO", "period": "2025-13"}, "period"),
    ]:
        answer = await client.get("/v1/rollups", params=params, headers=issuer.headers("analyst"))
        assert answer.status_code == 422, params
        assert answer.json()["errors"][0]["location"] == f"query.{field}"


async def test_a_series_per_month_for_two_organisations(figures, issuer):
    client, analyst, _ = figures
    answer = await client.get(
        "/v1/series",
        params={
            "indicator": "loans",
            "organisations": "NO-2180400, county:03",
            "period": "2025-Q1",
        },
        headers=analyst,
    )
    assert answer.status_code == 200, answer.text
    cells = [(i["organisation"], i["period"], i["value"]) for i in answer.json()["items"]]
    assert cells == [
        ("NO-2180400", "2025-01", 100),
        ("NO-2180400", "2025-02", 50),
        ("NO-2180400", "2025-03", None),
        ("03", "2025-01", 300),
        ("03", "2025-02", None),
        ("03", "2025-03", None),
    ]
    quarters = await client.get(
        "/v1/series",
        params={"indicator": "loans", "organisations": "NO", "period": "2025", "per": "quarter"},
        headers=analyst,
    )
    assert [i["value"] for i in quarters.json()["items"]] == [450, None, None, None]
    too_many = await client.get(
        "/v1/series",
        params={"indicator": "loans", "organisations": ",".join(["NO"] * 11), "period": "2025"},
        headers=analyst,
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["location"] == "query.organisations"
    outside = await client.get(
        "/v1/series",
        params={"indicator": "loans", "organisations": "NO-2030000", "period": "2025"},
        headers=issuer.headers("staff", isil="NO-2180400"),
    )
    assert outside.status_code == 403


async def test_year_on_year(figures):
    client, analyst, _ = figures
    await _figure(client, analyst, "loans", "NO-2180400", "2024-01", 80)
    answer = await client.get(
        "/v1/comparisons/year-on-year",
        params={"indicator": "loans", "organisation": "county:18", "period": "2025-01"},
        headers=analyst,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["current"]["value"], body["previous"]["value"]) == (100, 80)
    assert (body["previous"]["period"], body["change"], body["change_percent"]) == (
        "2024-01",
        20,
        25.0,
    )
    nothing_before = await client.get(
        "/v1/comparisons/year-on-year",
        params={"indicator": "loans", "organisation": "NO-2030000", "period": "2025-01"},
        headers=analyst,
    )
    assert (nothing_before.json()["change"], nothing_before.json()["change_percent"]) == (
        None,
        None,
    )

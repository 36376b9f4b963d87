"""Indicators over HTTP: the starter set ships, each roll-up rule gets exactly its parts,
analysts define and change them, anyone reads them."""

from __future__ import annotations

from typing import Any

from kpi_factories import committed, events_of, indicator_body, row_count
from sqlalchemy import select

from chassis.db import create_engine
from chassis.migrations import run_on_connection, upgrade_to_head
from kpi.app import SPEC
from kpi.indicators.models import Indicator
from kpi.indicators.service import install_starter_set
from kpi.indicators.starter import starter_set


async def _all_codes(client: Any) -> list[str]:
    codes: list[str] = []
    url = "/v1/indicators?limit=5"
    while url:
        answer = await client.get(url)
        assert answer.status_code == 200
        codes += [i["code"] for i in answer.json()["items"]]
        cursor = answer.json()["next_cursor"]
        url = f"/v1/indicators?limit=5&cursor={cursor}" if cursor else ""
    return codes


def test_the_starter_set_covers_the_design_and_names_every_part():
    codes = {i.code for i in starter_set()}
    assert {
        "visits",
        "active_members",
        "loans",
        "e_loans",
        "events",
        "helpdesk_tickets",
        "helpdesk_calls",
        "training_participants",
        "licensed_products",
        "cost",
        "uses",
        "cost_per_use",
        "loans_per_inhabitant",
    } <= codes
    for indicator in starter_set():
        for part in (indicator.numerator, indicator.denominator, indicator.weight):
            assert part is None or part in codes
        assert {"en", "nb", "nl"} <= set(indicator.name)


async def test_the_starter_set_is_there_for_anyone_to_read(kpi):
    client, app = kpi
    codes = await _all_codes(client)
    assert codes == sorted(i.code for i in starter_set())
    ratio = (await client.get("/v1/indicators/cost_per_use")).json()
    assert ratio["rollup"] == "ratio"
    assert (ratio["numerator"], ratio["denominator"]) == ("cost", "uses")
    assert ratio["name"]["nb"] == "Kostnad per bruk"
    loans = (await client.get("/v1/indicators/loans")).json()
    assert loans["iso_reference"].startswith("ISO 2789")
    # Reference data, as the migration adds it: no event.
    assert await events_of(app, "indicator.created") == []


async def test_installing_the_starter_set_again_keeps_an_analysts_edit(kpi, issuer):
    client, app = kpi
    analyst = issuer.headers("analyst")
    current = await client.get("/v1/indicators/visits")
    changed = await client.patch(
        "/v1/indicators/visits",
        json={"unit": "people"},
        headers=analyst | {"If-Match": current.headers["ETag"]},
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    assert [e["changed"] for e in await events_of(app, "indicator.updated")] == [["unit"]]
    async with committed(app) as session:
        assert await install_starter_set(session) == []
    assert (await client.get("/v1/indicators/visits")).json()["unit"] == "people"
    assert await row_count(app, Indicator) == len(starter_set())


async def test_an_analyst_defines_an_indicator_with_its_parts(kpi, issuer):
    client, app = kpi
    analyst = issuer.headers("analyst")
    created = await client.post("/v1/indicators", json=indicator_body(), headers=analyst)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/v1/indicators/opening_hours"
    assert created.headers["ETag"] == '"1"'
    ratio = await client.post(
        "/v1/indicators",
        json=indicator_body(
            code="visits_per_hour",
            value_type="ratio",
            rollup="ratio",
            numerator="visits",
            denominator="opening_hours",
            source="derived",
        ),
        headers=analyst,
    )
    assert ratio.status_code == 201, ratio.text
    assert [e["code"] for e in (await events_of(app, "indicator.created"))[-2:]] == [
        "opening_hours",
        "visits_per_hour",
    ]


async def test_each_rollup_rule_gets_exactly_its_parts(kpi, issuer):
    client, app = kpi
    analyst = issuer.headers("analyst")
    before = await row_count(app, Indicator)
    cases = [
        ({"rollup": "ratio", "numerator": "loans"}, "denominator", "rollup-parts"),
        (
            {"rollup": "ratio", "numerator": "loans", "denominator": "nothing_like_it"},
            "denominator",
            "unknown-indicator",
        ),
        (
            {"rollup": "ratio", "numerator": "loans", "denominator": "loans"},
            "denominator",
            "rollup-parts",
        ),
        ({"rollup": "sum", "numerator": "loans"}, "numerator", "rollup-parts"),
        ({"rollup": "weighted_mean"}, "weight", "rollup-parts"),
    ]
    for overrides, field, kind in cases:
        answer = await client.post(
            "/v1/indicators", json=indicator_body(**overrides), headers=analyst
        )
        assert answer.status_code == 422, (overrides, answer.text)
        problem = answer.json()
        assert answer.headers["content-type"] == "application/problem+json"
        assert problem["errors"][0]["location"] == f"body.{field}"
        assert problem["errors"][0]["type"] == kind
    assert await row_count(app, Indicator) == before


async def test_bad_definitions_are_refused_by_field(kpi, issuer):
    client, _ = kpi
    analyst = issuer.headers("analyst")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"code": "Loans!"}, "code"),
        ({"name": {}}, "name"),
        ({"name": {"english": "x"}}, "name"),
        ({"periodicity": "fortnight"}, "periodicity"),
        ({"value_type": "percent"}, "value_type"),
    ]
    for overrides, field in cases:
        answer = await client.post(
            "/v1/indicators", json=indicator_body(**overrides), headers=analyst
        )
        assert answer.status_code == 422, overrides
        assert any(field in e["location"] for e in answer.json()["errors"]), answer.text
    taken = await client.post("/v1/indicators", json=indicator_body(code="loans"), headers=analyst)
    assert taken.status_code == 409
    assert taken.json()["type"].endswith("duplicate-indicator")


async def test_a_stale_change_is_refused(kpi, issuer):
    client, _ = kpi
    analyst = issuer.headers("analyst")
    first = await client.patch(
        "/v1/indicators/loans", json={"unit": "items"}, headers=analyst | {"If-Match": '"1"'}
    )
    assert first.status_code == 200
    stale = await client.patch(
        "/v1/indicators/loans", json={"unit": "loans"}, headers=analyst | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    missing = await client.get("/v1/indicators/no_such_thing")
    assert missing.status_code == 404


async def test_the_migration_ships_the_starter_set(databases):
    url = await databases.fresh_url("kpi-starter")
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run_on_connection, SPEC.alembic_ini, upgrade_to_head)
            codes = (await conn.execute(select(Indicator.code).order_by(Indicator.code))).all()
    finally:
        await engine.dispose()
    assert [c for (c,) in codes] == sorted(i.code for i in starter_set())

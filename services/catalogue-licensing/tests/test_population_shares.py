"""Cost shares follow the populations they were computed from: a county's new population recomputes
the per-inhabitant shares whose basis it moves, in the same transaction, with trail and events;
the year used is stored with each share."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from catalogue_factories import (
    agreement_payload,
    committed,
    copy_reference,
    create_product,
    create_vendor,
    events_of,
    in_row,
    join_agreement,
    rewrite_csv,
    seed_agreement_world,
)
from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.directory.models import County, CountyPopulation
from catalogue_licensing.directory.reference_load import (
    ReferenceDataError,
    ReferenceFiles,
    load_reference,
    read_reference,
)


async def newest_entry(app: Any, action: str) -> AuditEntry:
    """The newest audit entry of one action."""
    async with committed(app) as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq.desc())
        )
    assert entry is not None, action
    return entry


@pytest.fixture
def admin(issuer: Any) -> dict[str, str]:
    return issuer.headers("programme_admin")


async def _agreement(client: Any, product_id: Any, admin: dict[str, str], **overrides: Any) -> str:
    created = await client.post(
        "/v1/agreements", json=agreement_payload(product_id, **overrides), headers=admin
    )
    assert created.status_code == 201, created.text
    return f"/v1/agreements/{created.json()['id']}"


async def _shares(client: Any, url: str, admin: dict[str, str]) -> dict[str, dict[str, Any]]:
    answer = await client.get(f"{url}/cost-shares", headers=admin)
    assert answer.status_code == 200, answer.text
    return {s["county_number"]: s for s in answer.json()["items"]}


async def _set_population(
    client: Any, area: str, number: str, year: int, population: int, admin: dict[str, str]
) -> Any:
    current = await client.get(f"/v1/{area}/{number}")
    return await client.put(
        f"/v1/{area}/{number}/populations/{year}",
        json={"population": population},
        headers=admin | {"If-Match": current.headers["ETag"]},
    )


@pytest.fixture
async def per_inhabitant(catalogue: Any, admin: dict[str, str]) -> dict[str, Any]:
    """A per-inhabitant agreement of 2026 shared by Oslo and Vestland (both on 2025's
    populations), and an equal-shares one that Oslo joins too."""
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    url = await _agreement(
        client,
        world["audiobooks"].id,
        admin,
        split_key="per_inhabitant",
        yearly_price_minor=10_000_000,
    )
    await join_agreement(client, url, "03", ["NO-2030000"], admin)
    await join_agreement(client, url, "46", ["NO-2120100"], admin)
    equal = await _agreement(client, world["film"].id, admin)
    await join_agreement(client, equal, "03", ["NO-2030000"], admin)
    return {"url": url, "equal": equal, "agreement_id": url.rsplit("/", 1)[1]}


async def test_the_contract_years_population_recomputes_the_shares_with_trail_and_event(
    catalogue, admin, per_inhabitant
):
    client, app = catalogue
    url = per_inhabitant["url"]
    before = await _shares(client, url, admin)
    assert (before["03"]["population_year"], before["03"]["basis"]) == (2025, 724_290)
    recomputed_before = len(await events_of(app, "cost_shares.recomputed"))

    answer = await _set_population(client, "counties", "03", 2026, 700_000, admin)
    assert answer.status_code == 200, answer.text

    after = await _shares(client, url, admin)
    assert (after["03"]["population_year"], after["03"]["basis"]) == (2026, 700_000)
    assert after["03"]["population_note"] is None
    # Vestland still has no 2026 population: its basis stays 2025's, and the answer says so.
    assert (after["46"]["population_year"], after["46"]["basis"]) == (2025, 656_000)
    assert "2026" in after["46"]["population_note"]
    assert after["03"]["amount_minor"] + after["46"]["amount_minor"] == 10_000_000
    assert (
        after["03"]["amount_minor"] == 5_162_242
    )  # 5 162 241.89...: 700 000 of 1 356 000, the larger remainder
    assert after["03"]["amount_minor"] < before["03"]["amount_minor"]

    # One recomputation, of the per-inhabitant agreement only: equal shares do not read populations.
    events = await events_of(app, "cost_shares.recomputed")
    assert len(events) == recomputed_before + 1
    assert events[-1]["agreement_id"] == per_inhabitant["agreement_id"]
    assert {s["county_number"]: s["population_year"] for s in events[-1]["shares"]} == {
        "03": 2026,
        "46": 2025,
    }
    entry = await newest_entry(app, "cost_shares.recomputed")
    assert (entry.resource_type, entry.resource_id) == (
        "cost_shares",
        per_inhabitant["agreement_id"],
    )
    population_entry = await newest_entry(app, "county.population_set")
    assert entry.actor == population_entry.actor
    assert entry.request_id == population_entry.request_id is not None
    assert entry.changes["03"]["old"]["basis"] == 724_290
    assert entry.changes["03"]["new"] == {
        "amount_minor": 5_162_242,
        "basis": 700_000,
        "population_year": 2026,
    }
    assert entry.changes["46"]["new"]["amount_minor"] == 4_837_758


@pytest.mark.parametrize(
    ("area", "number", "year", "why"),
    [
        ("counties", "03", 2027, "a year after the contract year"),
        ("counties", "03", 2024, "a year older than the one in use"),
        ("municipalities", "0301", 2026, "a municipality's population is no basis"),
    ],
)
async def test_a_population_that_moves_no_basis_recomputes_nothing(
    catalogue, admin, per_inhabitant, area, number, year, why
):
    client, app = catalogue
    before = await _shares(client, per_inhabitant["url"], admin)
    recomputed = len(await events_of(app, "cost_shares.recomputed"))
    answer = await _set_population(client, area, number, year, 1_000, admin)
    assert answer.status_code == 200, answer.text
    assert await _shares(client, per_inhabitant["url"], admin) == before, why
    assert len(await events_of(app, "cost_shares.recomputed")) == recomputed, why


async def test_the_population_year_read_is_the_stored_one(catalogue, admin, per_inhabitant):
    client, app = catalogue
    # A population written around the rules (as an import straight into the table would):
    # the shares were not computed from it, so the answer must not claim they were.
    async with committed(app) as session:
        oslo = await session.scalar(select(County).where(County.number == "03"))
        assert oslo is not None
        session.add(CountyPopulation(county_id=oslo.id, year=2026, population=1))
    shares = await _shares(client, per_inhabitant["url"], admin)
    assert (shares["03"]["population_year"], shares["03"]["basis"]) == (2025, 724_290)


async def test_a_population_the_cost_cannot_be_split_by_is_refused_whole(catalogue, admin):
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    url = await _agreement(client, world["audiobooks"].id, admin, split_key="per_inhabitant")
    await join_agreement(client, url, "03", ["NO-2030000"], admin)
    county = await client.get("/v1/counties/03")
    shares = await _shares(client, url, admin)

    refused = await _set_population(client, "counties", "03", 2026, 0, admin)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith(":cost-split-impossible")
    # Nothing half written: neither the population, nor the county's version, nor the shares.
    again = await client.get("/v1/counties/03")
    assert again.headers["ETag"] == county.headers["ETag"]
    assert again.json()["populations"] == county.json()["populations"]
    assert await _shares(client, url, admin) == shares


# ---------------------------------------------------------------- the reference loader


async def _loaded_world(client: Any, app: Any, admin: dict[str, str]) -> str:
    """The shipped directory, and a 2026 per-inhabitant agreement of Oslo and Nordland."""
    async with committed(app) as session:
        await load_reference(session, read_reference(ReferenceFiles()))
        vendor = await create_vendor(session)
        product = await create_product(session, vendor, status="active")
    url = await _agreement(client, product.id, admin, split_key="per_inhabitant")
    await join_agreement(client, url, "03", ["NO-2030000"], admin)
    await join_agreement(client, url, "18", ["NO-2180400"], admin)
    return url


async def test_a_reference_load_that_changes_a_population_recomputes_the_shares(
    catalogue, admin, tmp_path
):
    client, app = catalogue
    url = await _loaded_world(client, app, admin)
    before = await _shares(client, url, admin)
    assert before["18"]["population_year"] == 2025

    files = copy_reference(tmp_path)
    rewrite_csv(files.counties, in_row("number", "18", population_2025="250000"))
    async with committed(app) as session:
        report = await load_reference(session, read_reference(files))
    assert report.updated == {"counties": 1}

    after = await _shares(client, url, admin)
    assert (after["18"]["basis"], after["18"]["population_year"]) == (250_000, 2025)
    assert after["03"]["basis"] == before["03"]["basis"]
    assert sum(s["amount_minor"] for s in after.values()) == 1_000_000
    entry = await newest_entry(app, "cost_shares.recomputed")
    assert entry.actor == "reference-load"
    assert set(entry.changes) == {"03", "18"}


async def test_a_reference_load_the_cost_cannot_be_split_by_is_refused(catalogue, admin, tmp_path):
    client, app = catalogue
    url = await _loaded_world(client, app, admin)
    before = await _shares(client, url, admin)
    files = copy_reference(tmp_path)
    for number in ("03", "18"):
        rewrite_csv(files.counties, in_row("number", number, population_2025="0"))
    with pytest.raises(ReferenceDataError) as caught:
        async with committed(app) as session:
            await load_reference(session, read_reference(files))
    assert "cannot be applied" in caught.value.problems[0]
    assert await _shares(client, url, admin) == before

"""Cost shares over HTTP: recomputed on every change, always the exact total, read by the counties that take part."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from catalogue_factories import agreement_payload, committed, join_agreement, seed_agreement_world
from catalogue_licensing.db import outbox


async def _agreement(client: Any, app: Any, admin: dict[str, str], **overrides: Any) -> str:
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    created = await client.post(
        "/v1/agreements",
        json=agreement_payload(world["audiobooks"].id, **overrides),
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return f"/v1/agreements/{created.json()['id']}"


def _amounts(answer: Any) -> dict[str, int]:
    return {s["county_number"]: s["amount_minor"] for s in answer.json()["items"]}


async def test_changing_participation_changes_the_shares_which_still_add_up(catalogue, issuer):
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    url = await _agreement(client, app, admin, yearly_price_minor=1_000_001)
    empty = await client.get(f"{url}/cost-shares", headers=admin)
    assert empty.status_code == 200
    assert empty.json()["items"] == []
    assert empty.json()["computed_at"] is None

    await join_agreement(client, url, "03", ["NO-2030000"], admin)
    assert _amounts(await client.get(f"{url}/cost-shares", headers=admin)) == {"03": 1_000_001}
    await join_agreement(client, url, "46", ["NO-2120100", "NO-3460101"], admin)
    shares = await client.get(f"{url}/cost-shares", headers=admin)
    # Equal halves of an odd total: the left-over unit goes to the smaller county number.
    assert _amounts(shares) == {"03": 500_001, "46": 500_000}
    assert sum(_amounts(shares).values()) == shares.json()["yearly_price_minor"]
    assert {s["basis_kind"] for s in shares.json()["items"]} == {"equal"}

    async with committed(app) as session:
        recomputed = (
            await session.execute(
                select(outbox.c.data)
                .where(outbox.c.type == "cost_shares.recomputed")
                .order_by(outbox.c.seq.desc())
            )
        ).first()
    assert recomputed is not None
    assert [(s["county_number"], s["amount_minor"]) for s in recomputed[0]["shares"]] == [
        ("03", 500_001),
        ("46", 500_000),
    ]


async def test_a_participating_county_reads_every_share_others_none_partners_403(catalogue, issuer):
    """Issue 15, point 10 (docs/decisions/0039): a county that takes part reads every
    participant's share (the price, the key and public populations reveal them anyway, and each
    county checks the split adds up); a county outside the agreement reads none."""
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    url = await _agreement(client, app, admin)
    await join_agreement(client, url, "03", ["NO-2030000"], admin)
    await join_agreement(client, url, "46", ["NO-2120100"], admin)
    oslo = await client.get(
        f"{url}/cost-shares", headers=issuer.headers("county_admin", county="03")
    )
    assert oslo.status_code == 200
    assert _amounts(oslo) == {"03": 500_000, "46": 500_000}
    vestland = await client.get(
        f"{url}/cost-shares", headers=issuer.headers("county_admin", county="46")
    )
    assert _amounts(vestland) == {"03": 500_000, "46": 500_000}
    outsider = await client.get(
        f"{url}/cost-shares", headers=issuer.headers("county_admin", county="18")
    )
    assert outsider.json()["items"] == []
    partner = await client.get(f"{url}/cost-shares", headers=issuer.headers("partner"))
    assert partner.status_code == 403


async def test_per_inhabitant_uses_the_latest_population_up_to_the_contract_year(catalogue, issuer):
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    url = await _agreement(
        client, app, admin, split_key="per_inhabitant", yearly_price_minor=10_000_000
    )
    await join_agreement(client, url, "03", ["NO-2030000"], admin)
    await join_agreement(client, url, "46", ["NO-2120100"], admin)
    shares = (await client.get(f"{url}/cost-shares", headers=admin)).json()
    assert shares["contract_year"] == 2026
    by_county = {s["county_number"]: s for s in shares["items"]}
    # 2026 is missing: 2025's populations, 724 290 and 656 000, are used and the answer says so.
    assert by_county["03"]["basis"] == 724_290
    assert by_county["46"]["basis"] == 656_000
    assert by_county["03"]["population_year"] == 2025
    assert "2026" in by_county["03"]["population_note"]
    assert by_county["03"]["amount_minor"] == 5_247_376  # 5 247 375.55...: the larger remainder
    assert by_county["46"]["amount_minor"] == 4_752_624  # 4 752 624.44...
    assert sum(s["amount_minor"] for s in shares["items"]) == 10_000_000

    moved = await client.patch(
        url, json={"period_start": "2025-01-01"}, headers=admin | {"If-Match": '"1"'}
    )
    assert moved.status_code == 200, moved.text
    again = (await client.get(f"{url}/cost-shares", headers=admin)).json()
    assert again["contract_year"] == 2025
    assert all(s["population_note"] is None for s in again["items"])
    assert all(s["population_year"] == 2025 for s in again["items"])


async def test_a_price_or_key_change_recomputes_the_shares(catalogue, issuer):
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    url = await _agreement(client, app, admin)
    await join_agreement(client, url, "03", ["NO-2030000"], admin)
    await join_agreement(client, url, "46", ["NO-2120100"], admin)
    weighted = await client.patch(
        url,
        json={
            "split_key": "fixed_weights",
            "weights": {"03": 2, "46": 1},
            "yearly_price_minor": 100,
        },
        headers=admin | {"If-Match": '"1"'},
    )
    assert weighted.status_code == 200, weighted.text
    shares = await client.get(f"{url}/cost-shares", headers=admin)
    assert _amounts(shares) == {"03": 67, "46": 33}
    assert [s["basis"] for s in shares.json()["items"]] == [2, 1]
    assert {s["basis_kind"] for s in shares.json()["items"]} == {"weight"}
    back = await client.patch(url, json={"split_key": "equal"}, headers=admin | {"If-Match": '"2"'})
    assert back.status_code == 200
    assert back.json()["weights"] is None
    assert _amounts(await client.get(f"{url}/cost-shares", headers=admin)) == {"03": 50, "46": 50}
    terms_only = await client.patch(
        url, json={"terms": {"en": "New terms."}}, headers=admin | {"If-Match": '"3"'}
    )
    assert terms_only.status_code == 200
    async with committed(app) as session:
        count = len(
            (
                await session.execute(
                    select(outbox.c.seq).where(outbox.c.type == "cost_shares.recomputed")
                )
            ).all()
        )
    # Two joins and two cost-changing patches; the terms change leaves the shares alone.
    assert count == 4


async def test_counties_joining_at_once_leave_shares_that_add_up(catalogue, issuer, backend):
    # Real concurrency: each request its own transaction on its own connection. On PostgreSQL
    # the two recomputations would otherwise each see only their own county (decision 0021).
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    url = await _agreement(client, app, admin, yearly_price_minor=1_000_001)
    joins = [
        ("03", ["NO-2030000"]),
        ("46", ["NO-2120100"]),
        ("18", ["NO-2180400"]),
    ]
    for _ in range(3):
        answers = await asyncio.gather(
            *(
                client.put(f"{url}/participations/{c}", json={"libraries": i}, headers=admin)
                for c, i in joins
            )
        )
        assert {a.status_code for a in answers} <= {200, 201}, [a.text for a in answers]
        shares = await client.get(f"{url}/cost-shares", headers=admin)
        assert sorted(_amounts(shares)) == ["03", "18", "46"], (backend, shares.text)
        assert sum(_amounts(shares).values()) == 1_000_001
        tags = {a.json()["county_number"]: a.headers["etag"] for a in answers}
        withdrawn = await asyncio.gather(
            *(
                client.delete(f"{url}/participations/{c}", headers={**admin, "If-Match": tags[c]})
                for c, _ in joins
            )
        )
        assert {a.status_code for a in withdrawn} == {204}, [a.text for a in withdrawn]
        assert _amounts(await client.get(f"{url}/cost-shares", headers=admin)) == {}

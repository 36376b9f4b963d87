"""A round from draft to concluded through the API: offers by two products, one accepted and
awarded (its agreement created in the same transaction, for the contract period at the final
price), one rejected; the round concludes only once every offer is settled; the agreement reaches
the library's catalogue once its county takes part."""

from __future__ import annotations

import uuid

import pytest
from procurement_factories import (
    ANSWERS,
    TELLTALE_PRICE,
    TIERS,
    days_ago,
    into_negotiation,
    offer_payload,
    open_round,
    shift_round,
)

from catalogue_factories import (
    committed,
    events_of,
    join_agreement,
    row_count,
    seed_agreement_world,
)
from catalogue_licensing.agreements.models import Agreement


@pytest.fixture
def admin(issuer):
    return issuer.headers("programme_admin")


async def _move(client, admin, round_id, to):
    url = f"/v1/procurement-rounds/{round_id}"
    etag = (await client.get(url, headers=admin)).headers["ETag"]
    return await client.post(f"{url}/moves", json={"to": to}, headers=admin | {"If-Match": etag})


async def _decide(client, headers, offer_id, outcome):
    url = f"/v1/offers/{offer_id}"
    etag = (await client.get(url, headers=headers)).headers["ETag"]
    answer = await client.post(
        f"{url}/outcome", json={"outcome": outcome}, headers=headers | {"If-Match": etag}
    )
    assert answer.status_code == 201, answer.text


@pytest.fixture
async def awarded_round(catalogue, admin, issuer):
    """Two offers (audiobooks flat, film tiered) by one vendor, the first accepted, the second
    rejected, the round moved to awarded with its contract running from yesterday."""
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    vendor = issuer.headers("vendor", vendor_id=str(world["vendor"].id))
    round_ = await open_round(client, admin)
    base = f"/v1/procurement-rounds/{round_['id']}"
    offers = {}
    for name, overrides in (
        ("audiobooks", {}),
        ("film", {"pricing_model": "tiered_by_population", "price_lines": TIERS}),
    ):
        product = world[name]
        declared = await client.put(
            f"{base}/declarations/{product.id}", json={"answers": ANSWERS}, headers=vendor
        )
        assert declared.status_code == 201, declared.text
        offer = await client.post(
            f"{base}/offers", json=offer_payload(product.id, **overrides), headers=vendor
        )
        assert offer.status_code == 201, offer.text
        offers[name] = offer.json()["id"]
    async with committed(app) as session:
        await into_negotiation(session, uuid.UUID(round_["id"]))
    await _decide(client, admin, offers["audiobooks"], "accepted")
    await _decide(client, admin, offers["film"], "rejected")
    async with committed(app) as session:
        await shift_round(
            session,
            uuid.UUID(round_["id"]),
            award_on=days_ago(0),
            contract_start=days_ago(1),
            contract_end=days_ago(-364),
        )
    moved = await _move(client, admin, round_["id"], "awarded")
    assert moved.status_code == 200, moved.text
    return {"round": round_, "offers": offers, "vendor": vendor, "world": world}


async def _award(client, admin, offer_id, **body):
    url = f"/v1/offers/{offer_id}"
    etag = (await client.get(url, headers=admin)).headers["ETag"]
    return await client.post(
        f"{url}/award", json={"split_key": "equal"} | body, headers=admin | {"If-Match": etag}
    )


async def test_an_accepted_offer_becomes_the_agreement_and_reaches_the_catalogue(
    catalogue, admin, awarded_round
):
    client, app = catalogue
    round_id = awarded_round["round"]["id"]
    refused = await _move(client, admin, round_id, "concluded")
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("round-not-settled")
    assert refused.json()["errors"][0]["location"] == "body.to"
    awarded = await _award(client, admin, awarded_round["offers"]["audiobooks"])
    assert awarded.status_code == 201, awarded.text
    assert awarded.json()["yearly_price_minor"] == TELLTALE_PRICE
    agreement_url = awarded.headers["Location"]
    agreement = (await client.get(agreement_url, headers=admin)).json()
    assert agreement["product_id"] == str(awarded_round["world"]["audiobooks"].id)
    assert agreement["yearly_price_minor"] == TELLTALE_PRICE
    assert (agreement["period_start"], agreement["period_end"]) == (
        days_ago(1).isoformat(),
        days_ago(-364).isoformat(),
    )
    assert "Samtidige brukere: 25" in agreement["terms"]["nb"]
    offer = (
        await client.get(f"/v1/offers/{awarded_round['offers']['audiobooks']}", headers=admin)
    ).json()
    assert offer["agreement_id"] == agreement["id"]
    [event] = await events_of(app, "agreement.awarded")
    assert event["agreement_id"] == agreement["id"]
    concluded = await _move(client, admin, round_id, "concluded")
    assert concluded.status_code == 200, concluded.text
    assert concluded.json()["allowed_moves"] == []
    await join_agreement(client, agreement_url, "03", ["NO-2030000"], admin)
    listed = await client.get("/v1/libraries/NO-2030000/catalogue")
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["id"], item["available_until"]) == (
        agreement["product_id"],
        agreement["period_end"],
    )


async def test_awards_are_refused_when_they_cannot_be(catalogue, admin, awarded_round):
    client, app = catalogue
    rejected = await _award(client, admin, awarded_round["offers"]["film"])
    assert rejected.status_code == 409
    assert rejected.json()["type"].endswith("offer-not-accepted")
    priced = await _award(
        client, admin, awarded_round["offers"]["audiobooks"], yearly_price_minor=5
    )
    assert priced.status_code == 422
    assert priced.json()["errors"][0]["location"] == "body.yearly_price_minor"
    weights = await _award(client, admin, awarded_round["offers"]["audiobooks"], weights={"03": 1})
    assert weights.status_code == 422
    assert await row_count(app, Agreement) == 0
    first = await _award(client, admin, awarded_round["offers"]["audiobooks"])
    assert first.status_code == 201
    again = await _award(client, admin, awarded_round["offers"]["audiobooks"])
    assert again.status_code == 409
    assert again.json()["type"].endswith("already-awarded")
    assert await row_count(app, Agreement) == 1

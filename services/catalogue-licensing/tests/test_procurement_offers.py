"""Sealed offers: submitted with a complete declaration while the round is open, revised as
immutable versions, priced in integer minor units with tiers that neither overlap nor leave gaps;
content read only by its vendor until the deadline (every read path), never in the trail or the
feed, and stored encrypted so the raw rows show no price."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from procurement_factories import (
    ANSWERS,
    TELLTALE_PRICE,
    TELLTALE_TERMS,
    TIERS,
    offer_payload,
    open_round,
    shift_round,
)
from sqlalchemy import select

from catalogue_factories import committed, create_product, create_vendor, row_count
from catalogue_licensing.models import metadata
from catalogue_licensing.procurement.offers.errors import OfferUnreadable
from catalogue_licensing.procurement.offers.models import Offer, OfferVersion
from catalogue_licensing.procurement.offers.sealing import OfferSealer


@pytest.fixture
def admin(issuer):
    return issuer.headers("programme_admin")


@pytest.fixture
async def world(catalogue, issuer, admin):
    """An open round; vendors A and B, each with a product declared complete."""
    client, app = catalogue
    async with committed(app) as session:
        vendor_a = await create_vendor(session)
        vendor_b = await create_vendor(session)
        product_a = await create_product(session, vendor_a, status="active")
        product_b = await create_product(session, vendor_b, status="active")
    round_ = await open_round(client, admin)
    a = issuer.headers("vendor", vendor_id=str(vendor_a.id))
    b = issuer.headers("vendor", vendor_id=str(vendor_b.id))
    for headers, product in ((a, product_a), (b, product_b)):
        put = await client.put(
            f"/v1/procurement-rounds/{round_['id']}/declarations/{product.id}",
            json={"answers": ANSWERS},
            headers=headers,
        )
        assert put.status_code == 201, put.text
    return {
        "round": round_,
        "offers": f"/v1/procurement-rounds/{round_['id']}/offers",
        "a": a,
        "b": b,
        "county": issuer.headers("county_admin", county="03"),
        "partner": issuer.headers("partner"),
        "product_a": product_a,
        "product_b": product_b,
    }


async def _submit(client, world, who="a", **overrides):
    product = world[f"product_{who}"]
    answer = await client.post(
        world["offers"], json=offer_payload(product.id, **overrides), headers=world[who]
    )
    assert answer.status_code == 201, answer.text
    return answer.json(), answer.headers["ETag"]


def _shows_no_price(document) -> None:
    text = json.dumps(document)
    assert str(TELLTALE_PRICE) not in text
    assert TELLTALE_TERMS not in text
    assert "price_lines" not in text
    assert "pricing_model" not in text


async def _pass_deadline(app, world):
    async with committed(app) as session:
        await shift_round(
            session,
            uuid.UUID(world["round"]["id"]),
            offer_deadline=datetime.now(UTC) - timedelta(seconds=1),
            declaration_deadline=datetime.now(UTC) - timedelta(hours=1),
        )


async def test_only_the_vendor_reads_its_offer_before_the_deadline(catalogue, world, admin, issuer):
    client, _ = catalogue
    offer, etag = await _submit(client, world)
    assert etag == '"1"'
    assert offer["sealed"] is False
    assert offer["content"]["price_lines"][0]["amount_minor"] == TELLTALE_PRICE
    url = f"/v1/offers/{offer['id']}"
    mine = await client.get(url, headers=world["a"])
    assert mine.json()["content"] == offer["content"]
    for reader in (admin, world["county"]):
        listed = await client.get(world["offers"], headers=reader)
        [item] = listed.json()["items"]
        assert (item["id"], item["vendor_id"], item["sealed"]) == (
            offer["id"],
            offer["vendor_id"],
            True,
        )
        assert item["changed_at"] == offer["changed_at"]
        _shows_no_price(listed.json())
        _shows_no_price((await client.get(url, headers=reader)).json())
        versions = await client.get(f"{url}/versions", headers=reader)
        assert [v["number"] for v in versions.json()["items"]] == [1]
        _shows_no_price(versions.json())
    # Vendor B sees neither the offer nor that it exists; a partner may not ask.
    assert (await client.get(world["offers"], headers=world["b"])).json()["items"] == []
    assert (await client.get(url, headers=world["b"])).status_code == 404
    assert (await client.get(f"{url}/versions", headers=world["b"])).status_code == 404
    assert (await client.get(world["offers"], headers=world["partner"])).status_code == 403


async def test_the_trail_and_the_feed_never_hold_offer_content(catalogue, world, admin, issuer):
    client, _ = catalogue
    offer, etag = await _submit(client, world)
    revised = await client.post(
        f"/v1/offers/{offer['id']}/versions",
        json={k: v for k, v in offer_payload(None).items() if k != "product_id"}
        | {"price_lines": [{"label": "Yearly", "amount_minor": TELLTALE_PRICE + 1}]},
        headers=world["a"] | {"If-Match": etag},
    )
    assert revised.status_code == 201, revised.text
    audit = await client.get("/v1/audit-log", params={"resource_type": "offer"}, headers=admin)
    assert [e["action"] for e in audit.json()["items"]] == ["offer.revised", "offer.submitted"]
    _shows_no_price(audit.json())
    assert str(TELLTALE_PRICE + 1) not in json.dumps(audit.json())
    feed = await client.get(
        "/v1/events", params={"limit": 1000}, headers=issuer.headers("operator")
    )
    types = [e["type"] for e in feed.json()["items"]]
    assert {"offer.submitted", "offer.revised"} <= set(types)
    _shows_no_price(feed.json())


async def test_the_raw_rows_hold_no_price(catalogue, world):
    client, app = catalogue
    await _submit(client, world)
    await _submit(client, world, who="b", pricing_model="tiered_by_population", price_lines=TIERS)
    async with committed(app) as session:
        dump: list[str] = []
        for table in metadata.sorted_tables:
            dump.extend(repr(tuple(row)) for row in await session.execute(select(table)))
        sealed = (await session.scalars(select(OfferVersion.sealed))).all()
    text = "\n".join(dump)
    for telltale in (str(TELLTALE_PRICE), TELLTALE_TERMS, "600000", "Medium", "feide"):
        assert telltale not in text
    assert len(sealed) == 2
    for blob in sealed:
        assert str(TELLTALE_PRICE).encode() not in blob
        assert b"amount_minor" not in blob


async def test_after_the_deadline_the_administrators_read_and_the_vendor_cannot_change(
    catalogue, world, admin
):
    client, app = catalogue
    offer, etag = await _submit(client, world)
    await _pass_deadline(app, world)
    url = f"/v1/offers/{offer['id']}"
    for reader in (admin, world["county"]):
        read = await client.get(url, headers=reader)
        assert read.json()["sealed"] is False
        assert read.json()["content"]["price_lines"][0]["amount_minor"] == TELLTALE_PRICE
        versions = await client.get(f"{url}/versions", headers=reader)
        assert versions.json()["items"][0]["content"] == read.json()["content"]
    assert (await client.get(url, headers=world["b"])).status_code == 404
    late = await client.post(
        f"{url}/versions",
        json={k: v for k, v in offer_payload(None).items() if k != "product_id"},
        headers=world["a"] | {"If-Match": etag},
    )
    assert late.status_code == 409
    assert late.json()["type"].endswith("offers-closed")
    assert late.json()["errors"][0]["location"] == "body.offer_deadline"
    new = await client.post(
        world["offers"], json=offer_payload(world["product_b"].id), headers=world["b"]
    )
    assert new.status_code == 409
    assert await row_count(app, OfferVersion) == 1


async def test_every_change_is_a_new_immutable_version(catalogue, world):
    client, app = catalogue
    offer, etag = await _submit(client, world)
    url = f"/v1/offers/{offer['id']}"
    body = {k: v for k, v in offer_payload(None).items() if k != "product_id"}
    second = await client.post(
        f"{url}/versions",
        json=body | {"pricing_model": "tiered_by_population", "price_lines": TIERS},
        headers=world["a"] | {"If-Match": etag},
    )
    assert second.status_code == 201
    assert (second.json()["current_version"], second.headers["ETag"]) == (2, '"2"')
    stale = await client.post(f"{url}/versions", json=body, headers=world["a"] | {"If-Match": etag})
    assert stale.status_code == 412
    versions = (await client.get(f"{url}/versions", headers=world["a"])).json()["items"]
    assert [v["content"]["pricing_model"] for v in versions] == ["flat", "tiered_by_population"]
    assert await row_count(app, Offer) == 1


@pytest.mark.parametrize(
    ("change", "location", "kind"),
    [
        (
            {"price_lines": [{"label": "x", "amount_minor": 1000.5}]},
            "body.price_lines.0.amount_minor",
            "int_type",
        ),
        (
            {"price_lines": [{"label": "x", "amount_minor": 1000.0}]},
            "body.price_lines.0.amount_minor",
            "int_type",
        ),
        (
            {"price_lines": [{"label": "x", "amount_minor": "1000"}]},
            "body.price_lines.0.amount_minor",
            "int_type",
        ),
        (
            {"price_lines": [{"label": "x", "amount_minor": -1}]},
            "body.price_lines.0.amount_minor",
            "greater_than_equal",
        ),
        ({"pricing_model": "per_seat"}, "body.pricing_model", "enum"),
        (
            {"price_lines": [{"label": "a", "amount_minor": 1}, {"label": "b", "amount_minor": 2}]},
            "body.price_lines",
            "price_lines_count",
        ),
        (
            {
                "pricing_model": "tiered_by_population",
                "price_lines": [TIERS[0], TIERS[1] | {"min_population": 9_000}, TIERS[2]],
            },
            "body.price_lines.1.min_population",
            "tiers_overlap",
        ),
        (
            {
                "pricing_model": "tiered_by_population",
                "price_lines": [TIERS[0], TIERS[1] | {"min_population": 10_001}, TIERS[2]],
            },
            "body.price_lines.1.min_population",
            "tiers_gap",
        ),
        (
            {
                "pricing_model": "tiered_by_population",
                "price_lines": [TIERS[0] | {"min_population": 1}, TIERS[1], TIERS[2]],
            },
            "body.price_lines.0.min_population",
            "tiers_gap",
        ),
        (
            {"pricing_model": "tiered_by_population", "price_lines": TIERS[:2]},
            "body.price_lines.1.max_population",
            "tiers_open_end",
        ),
        (
            {
                "pricing_model": "tiered_by_population",
                "price_lines": [TIERS[0] | {"max_population": None}, TIERS[2]],
            },
            "body.price_lines.0.max_population",
            "tier_bounds",
        ),
        (
            {"price_lines": [TIERS[0]]},
            "body.price_lines.0.min_population",
            "tier_bounds",
        ),
    ],
)
async def test_bad_pricing_is_a_422_naming_the_line(catalogue, world, change, location, kind):
    client, app = catalogue
    answer = await client.post(
        world["offers"], json=offer_payload(world["product_a"].id, **change), headers=world["a"]
    )
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert (errors[0]["location"], errors[0]["type"]) == (location, kind), errors
    assert await row_count(app, Offer) == 0


async def test_an_offer_needs_a_complete_declaration_of_its_own_product(catalogue, world, issuer):
    client, app = catalogue
    async with committed(app) as session:
        vendor = await create_vendor(session)
        product = await create_product(session, vendor, status="active")
    headers = issuer.headers("vendor", vendor_id=str(vendor.id))
    undeclared = await client.post(world["offers"], json=offer_payload(product.id), headers=headers)
    assert undeclared.status_code == 409
    assert undeclared.json()["type"].endswith("declaration-incomplete")
    assert undeclared.json()["errors"][0]["location"] == "body.product_id"
    theirs = await client.post(
        world["offers"], json=offer_payload(world["product_a"].id), headers=headers
    )
    assert theirs.status_code == 422
    assert theirs.json()["errors"][0]["location"] == "body.product_id"
    await _submit(client, world)
    twice = await client.post(
        world["offers"], json=offer_payload(world["product_a"].id), headers=world["a"]
    )
    assert twice.status_code == 409
    assert twice.json()["type"].endswith("offer-exists")
    assert await row_count(app, Offer) == 1


async def test_no_offer_before_the_round_opens(catalogue, admin, issuer):
    client, app = catalogue
    async with committed(app) as session:
        vendor = await create_vendor(session)
        product = await create_product(session, vendor, status="active")
    round_ = await open_round(client, admin, state="announced")
    answer = await client.post(
        f"/v1/procurement-rounds/{round_['id']}/offers",
        json=offer_payload(product.id),
        headers=issuer.headers("vendor", vendor_id=str(vendor.id)),
    )
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["location"] == "body.round_id"


def test_a_sealed_version_opens_only_under_its_round_offer_and_number():
    sealer = OfferSealer(b"s" * 32)
    round_id, offer_id = uuid.uuid4(), uuid.uuid4()
    sealed = sealer.seal({"a": 1}, round_id=round_id, offer_id=offer_id, number=1)
    assert sealer.open(sealed, round_id=round_id, offer_id=offer_id, number=1) == {"a": 1}
    for other_round, other_offer, number in (
        (uuid.uuid4(), offer_id, 1),
        (round_id, uuid.uuid4(), 1),
        (round_id, offer_id, 2),
    ):
        with pytest.raises(OfferUnreadable, match="does not decrypt"):
            sealer.open(sealed, round_id=other_round, offer_id=other_offer, number=number)
    with pytest.raises(OfferUnreadable, match="does not decrypt"):
        OfferSealer(b"x" * 40).open(sealed, round_id=round_id, offer_id=offer_id, number=1)

"""The OCDS export of a round at every stage validates offline against the official OCDS 1.1.5
release-package schema and its closed codelists; it says nothing of offers before the deadline,
names the tenderers after it, and gives prices only of awards."""

from __future__ import annotations

import json
import uuid

import pytest
from jsonschema import Draft4Validator  # type: ignore[import-untyped]
from ocds_check import check, make_validator
from procurement_factories import (
    ANSWERS,
    TELLTALE_PRICE,
    TIERS,
    days_ago,
    into_negotiation,
    offer_payload,
    open_round,
    round_payload,
    shift_round,
)

from catalogue_factories import committed, create_product, create_vendor


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    return make_validator()


@pytest.fixture
def admin(issuer):
    return issuer.headers("programme_admin")


async def _export(client, headers, round_id):
    answer = await client.get(f"/v1/procurement-rounds/{round_id}/ocds", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_draft_is_a_planning_release(catalogue, admin, validator):
    client, _ = catalogue
    created = await client.post("/v1/procurement-rounds", json=round_payload(), headers=admin)
    package = await _export(client, admin, created.json()["id"])
    check(validator, package)
    assert [r["tag"] for r in package["releases"]] == [["planning"]]
    assert package["releases"][0]["ocid"].endswith(created.json()["id"])
    # Its address is the gateway's (the tokens' issuer), under the service's prefix.
    assert package["uri"] == (
        f"http://127.0.0.1:8000/catalogue/v1/procurement-rounds/{created.json()['id']}/ocds"
    )


async def test_every_stage_validates_and_offers_show_only_when_they_may(
    catalogue, admin, issuer, validator
):
    client, app = catalogue
    async with committed(app) as session:
        vendor = await create_vendor(session, name="Strømmefilm AS")
        product = await create_product(session, vendor, status="active")
    headers = issuer.headers("vendor", vendor_id=str(vendor.id))
    partner = issuer.headers("partner")
    round_ = await open_round(client, admin)
    base = f"/v1/procurement-rounds/{round_['id']}"
    await client.put(
        f"{base}/declarations/{product.id}", json={"answers": ANSWERS}, headers=headers
    )
    offer = await client.post(
        f"{base}/offers",
        json=offer_payload(product.id, pricing_model="tiered_by_population", price_lines=TIERS),
        headers=headers,
    )
    assert offer.status_code == 201
    package = await _export(client, partner, round_["id"])
    check(validator, package)
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"]]
    tender = package["releases"][1]["tender"]
    assert tender["status"] == "active"
    assert {d["id"] for d in tender["documents"]} == {"doffin-2026-104233", "ted-2026/S 081-245001"}
    text = json.dumps(package)
    assert "Strømmefilm" not in text
    assert "numberOfTenderers" not in text
    assert str(TIERS[0]["amount_minor"]) not in text
    # After the deadline: who tendered, never at what price.
    async with committed(app) as session:
        await into_negotiation(session, uuid.UUID(round_["id"]))
    package = await _export(client, partner, round_["id"])
    check(validator, package)
    tender = package["releases"][1]["tender"]
    assert tender["numberOfTenderers"] == 1
    assert tender["tenderers"] == [{"id": str(vendor.id), "name": "Strømmefilm AS"}]
    assert "250000" not in json.dumps(package)
    awarded = await _accept_award_and_conclude(client, app, admin, base, offer.json()["id"])
    package = await _export(client, partner, round_["id"])
    check(validator, package)
    assert [r["tag"] for r in package["releases"]] == [
        ["planning"],
        ["tender"],
        ["award"],
        ["contract"],
    ]
    [award] = package["releases"][2]["awards"]
    price = awarded.json()["yearly_price_minor"]
    assert award["value"] == {"amount": price / 100, "currency": "NOK"}
    assert package["releases"][3]["contracts"][0]["id"] == awarded.json()["agreement_id"]
    assert str(TELLTALE_PRICE) not in json.dumps(package)


async def test_a_cancelled_round_is_a_tender_cancellation(catalogue, admin, validator):
    client, _ = catalogue
    round_ = await open_round(client, admin, state="announced")
    read = await client.get(f"/v1/procurement-rounds/{round_['id']}", headers=admin)
    await client.post(
        f"/v1/procurement-rounds/{round_['id']}/moves",
        json={"to": "cancelled"},
        headers=admin | {"If-Match": read.headers["ETag"]},
    )
    package = await _export(client, admin, round_["id"])
    check(validator, package)
    assert package["releases"][1]["tag"] == ["tenderCancellation"]
    assert package["releases"][1]["tender"]["status"] == "cancelled"


async def _accept_award_and_conclude(client, app, admin, base, offer_id):
    """Accepted, awarded (no county population here: the smallest tier), round concluded."""
    url = f"/v1/offers/{offer_id}"
    round_id = base.rsplit("/", 1)[1]
    etag = (await client.get(url, headers=admin)).headers["ETag"]
    decided = await client.post(
        f"{url}/outcome", json={"outcome": "accepted"}, headers=admin | {"If-Match": etag}
    )
    async with committed(app) as session:
        await shift_round(session, uuid.UUID(round_id), award_on=days_ago(0))
    read = await client.get(base, headers=admin)
    moved = await client.post(
        f"{base}/moves", json={"to": "awarded"}, headers=admin | {"If-Match": read.headers["ETag"]}
    )
    assert moved.status_code == 200, moved.text
    awarded = await client.post(
        f"{url}/award",
        json={"split_key": "equal"},
        headers=admin | {"If-Match": decided.headers["ETag"]},
    )
    assert awarded.status_code == 201, awarded.text
    # No county population in this database: the smallest tier's price.
    assert (awarded.json()["population"], awarded.json()["yearly_price_minor"]) == (
        0,
        TIERS[0]["amount_minor"],
    )
    read = await client.get(base, headers=admin)
    concluded = await client.post(
        f"{base}/moves",
        json={"to": "concluded"},
        headers=admin | {"If-Match": read.headers["ETag"]},
    )
    assert concluded.status_code == 200, concluded.text
    return awarded

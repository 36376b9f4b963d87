"""Negotiation over HTTP: counter-proposals, the vendor's answers (accept makes a version with
the proposed terms, revise one with its own, decline none), outcomes by the right party, each
step recorded with who and when, stale steps refused, the window closing at its date."""

from __future__ import annotations

import uuid

import pytest
from procurement_factories import (
    ANSWERS,
    TELLTALE_PRICE,
    days_ago,
    into_negotiation,
    offer_payload,
    open_round,
    shift_round,
)
from sqlalchemy import select

from catalogue_factories import committed, create_product, create_vendor, events_of
from catalogue_licensing.audit.models import AuditEntry

CONTENT = {k: v for k, v in offer_payload(None).items() if k != "product_id"}
PROPOSED_LINES = [{"label": "Negotiated licence", "amount_minor": 3_900_000}]


@pytest.fixture
def admin(issuer):
    return issuer.headers("programme_admin")


async def _offer_in(client, app, admin, issuer, round_):
    async with committed(app) as session:
        vendor = await create_vendor(session)
        product = await create_product(session, vendor, status="active")
    headers = issuer.headers("vendor", vendor_id=str(vendor.id))
    base = f"/v1/procurement-rounds/{round_['id']}"
    await client.put(
        f"{base}/declarations/{product.id}", json={"answers": ANSWERS}, headers=headers
    )
    offer = await client.post(f"{base}/offers", json=offer_payload(product.id), headers=headers)
    assert offer.status_code == 201, offer.text
    return offer.json(), headers


@pytest.fixture
async def negotiating(catalogue, admin, issuer):
    client, app = catalogue
    round_ = await open_round(client, admin)
    offer_a, vendor_a = await _offer_in(client, app, admin, issuer, round_)
    offer_b, vendor_b = await _offer_in(client, app, admin, issuer, round_)
    async with committed(app) as session:
        await into_negotiation(session, uuid.UUID(round_["id"]))
    return {
        "round": round_,
        "proposals": f"/v1/procurement-rounds/{round_['id']}/counter-proposals",
        "a": (offer_a, vendor_a),
        "b": (offer_b, vendor_b),
    }


async def _etag(client, offer, headers):
    return (await client.get(f"/v1/offers/{offer['id']}", headers=headers)).headers["ETag"]


async def test_a_counter_proposal_accepted_becomes_a_version_then_the_offer_is_accepted(
    catalogue, admin, negotiating
):
    client, app = catalogue
    offer, vendor = negotiating["a"]
    url = f"/v1/offers/{offer['id']}"
    sent = await client.post(
        negotiating["proposals"],
        json={"offer_id": offer["id"], "message": "Lower, please", "price_lines": PROPOSED_LINES},
        headers=admin | {"If-Match": await _etag(client, offer, admin)},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["kind"] == "counter_proposal"
    assert sent.json()["proposal"]["price_lines"] == [
        PROPOSED_LINES[0] | {"min_population": None, "max_population": None}
    ]
    # Terms not given stay as the vendor offered them.
    assert (
        sent.json()["proposal"]["terms"]
        == (await client.get(url, headers=vendor)).json()["content"]["terms"]
    )
    accepted = await client.post(
        f"{url}/negotiation/answers",
        json={"answer": "accept"},
        headers=vendor | {"If-Match": sent.headers["ETag"]},
    )
    assert accepted.status_code == 201, accepted.text
    read = (await client.get(url, headers=admin)).json()
    assert read["current_version"] == 2
    assert read["content"]["price_lines"][0]["amount_minor"] == 3_900_000
    versions = (await client.get(f"{url}/versions", headers=vendor)).json()["items"]
    assert [v["origin"] for v in versions] == ["vendor", "counter_proposal"]
    decided = await client.post(
        f"{url}/outcome",
        json={"outcome": "accepted"},
        headers=admin | {"If-Match": accepted.headers["ETag"]},
    )
    assert decided.status_code == 201, decided.text
    assert (await client.get(url, headers=admin)).json()["status"] == "accepted"
    steps = (await client.get(f"{url}/negotiation", headers=vendor)).json()["items"]
    assert [s["kind"] for s in steps] == ["counter_proposal", "proposal_accepted", "accepted"]
    assert all(s["actor"] and s["at"] for s in steps)
    assert len(await events_of(app, "offer.accepted")) == 1
    async with committed(app) as session:
        kinds = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.resource_type == "negotiation_step")
            )
        ).all()
    assert sorted(kinds) == [
        "offer.accepted",
        "offer.counter_proposal_answered",
        "offer.counter_proposed",
    ]


async def test_a_revision_or_a_decline_answers_a_proposal(catalogue, admin, negotiating):
    client, _ = catalogue
    offer, vendor = negotiating["a"]
    url = f"/v1/offers/{offer['id']}"

    async def propose():
        sent = await client.post(
            negotiating["proposals"],
            json={"offer_id": offer["id"], "message": "Again", "price_lines": PROPOSED_LINES},
            headers=admin | {"If-Match": await _etag(client, offer, admin)},
        )
        assert sent.status_code == 201, sent.text
        return sent.headers["ETag"]

    revised = await client.post(
        f"{url}/negotiation/answers",
        json=CONTENT
        | {"answer": "revise", "price_lines": [{"label": "Mine", "amount_minor": 4_000_000}]},
        headers=vendor | {"If-Match": await propose()},
    )
    assert revised.status_code == 201, revised.text
    declined = await client.post(
        f"{url}/negotiation/answers",
        json={"answer": "decline", "message": "Final offer"},
        headers=vendor | {"If-Match": await propose()},
    )
    assert declined.status_code == 201
    read = (await client.get(url, headers=vendor)).json()
    assert read["current_version"] == 2
    assert read["content"]["price_lines"][0]["amount_minor"] == 4_000_000


async def test_stale_and_misplaced_steps_are_refused(catalogue, admin, issuer, negotiating):
    client, app = catalogue
    offer, vendor = negotiating["a"]
    url = f"/v1/offers/{offer['id']}"
    etag = await _etag(client, offer, admin)
    body = {"offer_id": offer["id"], "message": "x", "price_lines": PROPOSED_LINES}
    first = await client.post(
        negotiating["proposals"], json=body, headers=admin | {"If-Match": etag}
    )
    assert first.status_code == 201
    stale = await client.post(
        negotiating["proposals"], json=body, headers=admin | {"If-Match": etag}
    )
    assert stale.status_code == 412
    pending = await client.post(
        negotiating["proposals"], json=body, headers=admin | {"If-Match": first.headers["ETag"]}
    )
    assert pending.status_code == 409
    assert pending.json()["type"].endswith("proposal-pending")
    # A counter-proposal on another round's offer names the offer.
    other = await open_round(client, admin)
    async with committed(app) as session:
        await into_negotiation(session, uuid.UUID(other["id"]))
    elsewhere = await client.post(
        f"/v1/procurement-rounds/{other['id']}/counter-proposals",
        json=body,
        headers=admin | {"If-Match": first.headers["ETag"]},
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["type"].endswith("offer-of-another-round")
    assert elsewhere.json()["errors"][0]["location"] == "body.offer_id"
    unknown = await client.post(
        negotiating["proposals"],
        json=body | {"offer_id": str(uuid.uuid4())},
        headers=admin | {"If-Match": '"1"'},
    )
    assert unknown.status_code == 422
    # Vendor B neither answers nor sees A's negotiation; A may not accept its own offer.
    _, vendor_b = negotiating["b"]
    answer = {"answer": "accept"}
    current = first.headers["ETag"]
    assert (
        await client.post(
            f"{url}/negotiation/answers", json=answer, headers=vendor_b | {"If-Match": current}
        )
    ).status_code == 404
    assert (await client.get(f"{url}/negotiation", headers=vendor_b)).status_code == 404
    own = await client.post(
        f"{url}/outcome", json={"outcome": "accepted"}, headers=vendor | {"If-Match": current}
    )
    assert own.status_code == 403
    assert own.json()["errors"][0]["location"] == "body.outcome"
    withdraw = await client.post(
        f"{url}/outcome", json={"outcome": "withdrawn"}, headers=admin | {"If-Match": current}
    )
    assert withdraw.status_code == 403
    # Accepting the offer waits for the vendor's answer.
    early = await client.post(
        f"{url}/outcome", json={"outcome": "accepted"}, headers=admin | {"If-Match": current}
    )
    assert early.status_code == 409
    bad_price = await client.post(
        f"{url}/negotiation/answers",
        json=CONTENT | {"answer": "revise", "price_lines": [{"label": "x", "amount_minor": 10.5}]},
        headers=vendor | {"If-Match": current},
    )
    assert bad_price.status_code == 422
    nothing = await client.post(
        f"{url}/negotiation/answers",
        json={"answer": "maybe"},
        headers=vendor | {"If-Match": current},
    )
    assert nothing.status_code == 422


async def test_the_window_closes_at_its_date_and_an_outcome_is_final(catalogue, admin, negotiating):
    client, app = catalogue
    offer, vendor = negotiating["a"]
    url = f"/v1/offers/{offer['id']}"
    withdrawn = await client.post(
        f"{url}/outcome",
        json={"outcome": "withdrawn"},
        headers=vendor | {"If-Match": await _etag(client, offer, vendor)},
    )
    assert withdrawn.status_code == 201
    again = await client.post(
        f"{url}/outcome",
        json={"outcome": "rejected"},
        headers=admin | {"If-Match": withdrawn.headers["ETag"]},
    )
    assert again.status_code == 409
    assert again.json()["type"].endswith("offer-has-outcome")
    offer_b, _ = negotiating["b"]
    async with committed(app) as session:
        await shift_round(
            session, uuid.UUID(negotiating["round"]["id"]), negotiation_end=days_ago(1)
        )
    late = await client.post(
        negotiating["proposals"],
        json={"offer_id": offer_b["id"], "message": "late", "price_lines": PROPOSED_LINES},
        headers=admin | {"If-Match": await _etag(client, offer_b, admin)},
    )
    assert late.status_code == 409
    assert late.json()["errors"][0]["location"] == "body.negotiation_end"


async def test_proposals_stay_out_of_the_trail_and_the_feed(catalogue, admin, issuer, negotiating):
    client, _ = catalogue
    offer, _ = negotiating["a"]
    await client.post(
        negotiating["proposals"],
        json={"offer_id": offer["id"], "message": "m", "price_lines": PROPOSED_LINES},
        headers=admin | {"If-Match": await _etag(client, offer, admin)},
    )
    audit = (await client.get("/v1/audit-log", headers=admin)).text
    feed = (
        await client.get("/v1/events", params={"limit": 1000}, headers=issuer.headers("operator"))
    ).text
    for text in (audit, feed):
        assert "3900000" not in text
        assert str(TELLTALE_PRICE) not in text

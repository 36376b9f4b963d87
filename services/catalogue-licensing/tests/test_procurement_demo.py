"""The demo procurement: three rounds (concluded last year with the 2026 demo agreements as its
awards, one in negotiation, one open for offers by two vendors), loaded through the rules as the
API would, idempotent; every round's OCDS export validates and every recorded event fits the
feed's declared union."""

from __future__ import annotations

from datetime import UTC, datetime

from ocds_check import check, make_validator

from catalogue_factories import committed
from catalogue_licensing.demo.agreements import DEMO_AGREEMENTS, load_demo_agreements
from catalogue_licensing.demo.ids import (
    NORDLYS_LYDBOK,
    ROUND_CONCLUDED,
    ROUND_NEGOTIATION,
    ROUND_OPEN,
)
from catalogue_licensing.demo.procurement import load_demo_procurement
from catalogue_licensing.demo.products import load_demo_vendors_and_products
from catalogue_licensing.directory.reference_load import (
    ReferenceFiles,
    load_reference,
    read_reference,
)
from catalogue_licensing.events import EVENTS
from catalogue_licensing.resources import CatalogueResources
from chassis.outbox import typed_event_page
from chassis.runtime import resources_of


async def _load(app) -> int:
    sealer = resources_of(app, CatalogueResources).sealer
    async with committed(app) as session:
        await load_reference(session, read_reference(ReferenceFiles()))
        await load_demo_vendors_and_products(session)
        await load_demo_agreements(session)
        return await load_demo_procurement(session, sealer=sealer)


async def test_the_demo_shows_the_whole_cycle(catalogue, issuer):
    client, app = catalogue
    assert await _load(app) == 3
    assert await _load(app) == 0
    admin = issuer.headers("programme_admin")
    rounds = (await client.get("/v1/procurement-rounds", headers=admin)).json()["items"]
    assert {r["id"]: r["state"] for r in rounds} == {
        str(ROUND_CONCLUDED): "concluded",
        str(ROUND_NEGOTIATION): "negotiation",
        str(ROUND_OPEN): "open",
    }
    open_round = next(r for r in rounds if r["id"] == str(ROUND_OPEN))
    assert datetime.fromisoformat(open_round["offer_deadline"]) > datetime.now(UTC)
    offers = f"/v1/procurement-rounds/{ROUND_OPEN}/offers"
    listed = (await client.get(offers, headers=admin)).json()["items"]
    assert len({o["vendor_id"] for o in listed}) == 2
    assert all(o["sealed"] and o["content"] is None for o in listed)
    nordlys = issuer.headers("vendor", vendor_id=str(NORDLYS_LYDBOK))
    own = (await client.get(offers, headers=nordlys)).json()["items"]
    assert [o["vendor_id"] for o in own] == [str(NORDLYS_LYDBOK)]
    assert own[0]["content"]["price_lines"][0]["amount_minor"] == 22_000_000
    concluded = (
        await client.get(f"/v1/procurement-rounds/{ROUND_CONCLUDED}/offers", headers=admin)
    ).json()["items"]
    awarded = {o["agreement_id"] for o in concluded if o["agreement_id"]}
    assert awarded == {str(DEMO_AGREEMENTS[0][0]), str(DEMO_AGREEMENTS[1][0])}
    assert sorted(o["status"] for o in concluded) == ["accepted", "accepted", "rejected"]
    validator = make_validator()
    partner = issuer.headers("partner")
    for round_id in (ROUND_CONCLUDED, ROUND_NEGOTIATION, ROUND_OPEN):
        answer = await client.get(f"/v1/procurement-rounds/{round_id}/ocds", headers=partner)
        assert answer.status_code == 200
        check(validator, answer.json())
    page_model = typed_event_page(EVENTS)
    feed = await client.get(
        "/v1/events", params={"limit": 1000}, headers=issuer.headers("operator")
    )
    seen = {e["type"] for e in feed.json()["items"]}
    after = feed.json()["next_after"]
    page_model.model_validate(feed.json())
    while feed.json()["has_more"]:
        feed = await client.get(
            "/v1/events", params={"after": after, "limit": 1000}, headers=issuer.headers("operator")
        )
        page_model.model_validate(feed.json())
        seen |= {e["type"] for e in feed.json()["items"]}
        after = feed.json()["next_after"]
    assert {
        "round.announced",
        "round.closed",
        "offer.submitted",
        "offer.accepted",
        "agreement.awarded",
        "round.concluded",
    } <= seen

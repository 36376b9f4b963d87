"""The events feed's contract and what the service records cannot drift apart: every event model in
the package is declared, and every recorded event validates against the declared union."""

from __future__ import annotations

import importlib
import pkgutil

import catalogue_licensing
from catalogue_factories import committed
from catalogue_licensing.demo.agreements import load_demo_agreements
from catalogue_licensing.demo.products import load_demo_vendors_and_products
from catalogue_licensing.directory.reference_load import (
    ReferenceFiles,
    load_reference,
    read_reference,
)
from catalogue_licensing.events import EVENTS
from chassis.outbox import EventData, typed_event_page


def _event_models() -> set[type[EventData]]:
    """Every EventData model with an event type defined anywhere in the package."""
    for module in pkgutil.walk_packages(catalogue_licensing.__path__, "catalogue_licensing."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[EventData]] = set()
    pending = list(EventData.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("catalogue_licensing.") and "event_type" in vars(model):
            found.add(model)
    return found


def test_every_event_model_of_the_service_is_declared_in_the_feed():
    undeclared = sorted(m.event_type for m in _event_models() - set(EVENTS))
    assert undeclared == []


def test_the_contract_declares_every_event_type_once():
    contract = typed_event_page(EVENTS).model_json_schema()
    mapping = contract["properties"]["items"]["items"]["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(m.event_type for m in EVENTS)


async def test_what_the_demo_records_validates_against_the_declared_union(catalogue, issuer):
    client, app = catalogue
    async with committed(app) as session:
        await load_reference(session, read_reference(ReferenceFiles()))
        await load_demo_vendors_and_products(session)
        await load_demo_agreements(session)
    page_model = typed_event_page(EVENTS)
    operator = issuer.headers("operator")
    seen: set[str] = set()
    after = 0
    while True:
        feed = await client.get(
            "/v1/events", params={"after": after, "limit": 1000}, headers=operator
        )
        assert feed.status_code == 200, feed.text
        page_model.model_validate(feed.json())
        seen |= {item["type"] for item in feed.json()["items"]}
        after = feed.json()["next_after"]
        if not feed.json()["has_more"]:
            break
    assert {
        "vendor.created",
        "product.created",
        "product.activated",
        "library.created",
        "agreement.created",
        "participation.changed",
        "cost_shares.recomputed",
    } <= seen

"""The events feed's contract and what the service records cannot drift apart; the demo data
loads once, every event it records validates, and its figures say something."""

from __future__ import annotations

import importlib
import pkgutil

import helpdesk
from chassis.outbox import EventData, typed_event_page
from chassis.runtime import app_runtime
from helpdesk.demo import load_demo
from helpdesk.events import EVENTS
from helpdesk.settings import HelpdeskSettings

REQUIRED = {
    "ticket.created",
    "ticket.first_responded",
    "ticket.resolved",
    "ticket.reopened",
    "call.logged",
    "csat.given",
    "sla.breached",
}


def _event_models() -> set[type[EventData]]:
    for module in pkgutil.walk_packages(helpdesk.__path__, "helpdesk."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[EventData]] = set()
    pending = list(EventData.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("helpdesk.") and "event_type" in vars(model):
            found.add(model)
    return found


def test_every_event_model_is_declared_and_the_issue_s_types_exist():
    assert sorted(m.event_type for m in _event_models() - set(EVENTS)) == []
    assert {m.event_type for m in EVENTS} >= REQUIRED


def test_the_contract_declares_every_event_type_once():
    contract = typed_event_page(EVENTS).model_json_schema()
    mapping = contract["properties"]["items"]["items"]["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(m.event_type for m in EVENTS)


async def test_the_demo_loads_once_and_its_events_validate(helpdesk, issuer):
    client, app = helpdesk
    settings = app_runtime(app).settings
    assert isinstance(settings, HelpdeskSettings)
    created = await load_demo(settings)
    assert created["tickets"] > 50
    assert created["calls"] > 100
    assert created["articles"] == 76
    assert await load_demo(settings) == {}
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
    assert REQUIRED - {"ticket.reopened"} <= seen
    analyst = issuer.headers("analyst")
    volumes = (await client.get("/v1/reports/volumes", headers=analyst)).json()["items"]
    assert {row["key"] for row in volumes} >= {"library-system", "websites", "digital-collections"}
    performance = (await client.get("/v1/reports/performance", headers=analyst)).json()["items"]
    assert all(row["first_response_median_minutes"] is not None for row in performance)
    found = await client.get("/v1/search", params={"q": "bibliotheekpas kwijt", "lang": "nl"})
    assert found.json()["items"], found.text

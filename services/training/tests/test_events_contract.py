"""The events feed's contract and what the service records cannot drift apart: every event model in
the package is declared, and every recorded event validates against the declared union."""

from __future__ import annotations

import importlib
import pkgutil

import training
from chassis.outbox import EventData, typed_event_page
from training.events import EVENTS


def _event_models() -> set[type[EventData]]:
    """Every EventData model with an event type defined anywhere in the package."""
    for module in pkgutil.walk_packages(training.__path__, "training."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[EventData]] = set()
    pending = list(EventData.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("training.") and "event_type" in vars(model):
            found.add(model)
    return found


def test_every_event_model_of_the_service_is_declared_in_the_feed():
    undeclared = sorted(m.event_type for m in _event_models() - set(EVENTS))
    assert undeclared == []


def test_the_contract_declares_the_issues_event_types_once():
    contract = typed_event_page(EVENTS).model_json_schema()
    mapping = contract["properties"]["items"]["items"]["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(m.event_type for m in EVENTS)
    assert {
        "session.scheduled",
        "session.cancelled",
        "registration.confirmed",
        "registration.waitlisted",
        "registration.promoted",
        "attendance.recorded",
        "feedback.given",
    } <= set(mapping)

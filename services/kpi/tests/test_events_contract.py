"""The events feed's contract and what the service records cannot drift apart."""

from __future__ import annotations

import importlib
import pkgutil

import kpi as kpi_package
from chassis.outbox import EventData
from kpi.events import EVENTS


def _event_models() -> set[type[EventData]]:
    for module in pkgutil.walk_packages(kpi_package.__path__, "kpi."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[EventData]] = set()
    pending = list(EventData.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("kpi.") and "event_type" in vars(model):
            found.add(model)
    return found


def test_every_event_model_of_the_service_is_declared_in_the_feed():
    assert sorted(m.event_type for m in _event_models() - set(EVENTS)) == []

"""The platform's components as the local scripts know them: one table for the launcher and the
contract exporter."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chassis.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Component:
    name: str  # also the gateway's route prefix for services
    package: str
    prefix: str  # environment prefix of its settings
    directory: str  # holds its alembic.ini
    settings: str  # "module:Class" of its settings
    demo: str | None = None  # "module:function": async, loads its demo data idempotently

    @property
    def alembic_ini(self) -> Path:
        return ROOT / self.directory / "alembic.ini"

    @property
    def contract_file(self) -> Path:
        """contracts/<folder name>.json; the gateway's is the merged document."""
        return ROOT / "contracts" / f"{Path(self.directory).name}.json"

    def load_settings(self) -> ServiceSettings:
        settings: ServiceSettings = resolve(self.settings)()
        return settings


SERVICES = (
    Component(
        "catalogue",
        "catalogue_licensing",
        "CATALOGUE_",
        "services/catalogue-licensing",
        "catalogue_licensing.settings:CatalogueSettings",
        demo="catalogue_licensing.demo:load_demo",
    ),
    Component(
        "training",
        "training",
        "TRAINING_",
        "services/training",
        "training.settings:TrainingSettings",
        demo="training.demo:load_demo",
    ),
    Component(
        "helpdesk",
        "helpdesk",
        "HELPDESK_",
        "services/helpdesk",
        "helpdesk.settings:HelpdeskSettings",
        demo="helpdesk.demo:load_demo",
    ),
    Component(
        "kpi",
        "kpi",
        "KPI_",
        "services/kpi",
        "kpi.settings:KpiSettings",
        demo="kpi.demo:load_demo",
    ),
)
GATEWAY = Component(
    "gateway",
    "gateway",
    "GATEWAY_",
    "gateway",
    "gateway.settings:GatewaySettings",
    demo="gateway.cli.demo:load_demo",
)


def resolve(reference: str) -> Any:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)

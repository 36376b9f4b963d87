"""Write each service's OpenAPI document to contracts/ (and the gateway's merged one): `make contracts`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from chassis.conformance import write_contract
from chassis.service import build_app

ROOT = Path(__file__).resolve().parents[1]
# contract file name -> (package, settings class)
SERVICES = {
    "catalogue-licensing": ("catalogue_licensing", "CatalogueSettings"),
    "training": ("training", "TrainingSettings"),
    "helpdesk": ("helpdesk", "HelpdeskSettings"),
    "kpi": ("kpi", "KpiSettings"),
}


def main() -> int:
    for name, (package, settings_name) in SERVICES.items():
        spec = importlib.import_module(f"{package}.app").SPEC
        settings_cls = getattr(importlib.import_module(f"{package}.settings"), settings_name)
        write_contract(build_app(settings_cls(), spec), ROOT / "contracts" / f"{name}.json")
        print(f"contracts/{name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

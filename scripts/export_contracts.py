"""Write each service's OpenAPI document to contracts/ (and the gateway's merged one): `make contracts`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from chassis.conformance import write_document
from chassis.service import build_app
from gateway.app import create_app as create_gateway
from gateway.contract import gateway_document, merge_contracts
from gateway.settings import GatewaySettings

ROOT = Path(__file__).resolve().parents[1]
# contract file name -> (package, settings class, route prefix at the gateway)
SERVICES = {
    "catalogue-licensing": ("catalogue_licensing", "CatalogueSettings", "catalogue"),
    "training": ("training", "TrainingSettings", "training"),
    "helpdesk": ("helpdesk", "HelpdeskSettings", "helpdesk"),
    "kpi": ("kpi", "KpiSettings", "kpi"),
}


def main() -> int:
    documents: dict[str, dict[str, Any] | None] = {}
    for name, (package, settings_name, prefix) in SERVICES.items():
        spec = importlib.import_module(f"{package}.app").SPEC
        settings_cls = getattr(importlib.import_module(f"{package}.settings"), settings_name)
        documents[prefix] = build_app(settings_cls(), spec).openapi()
        write_document(documents[prefix], ROOT / "contracts" / f"{name}.json")
        print(f"contracts/{name}.json")
    # The same merge the running gateway does with the services' live documents.
    merged = merge_contracts(gateway_document(create_gateway(GatewaySettings())), documents)
    write_document(merged, ROOT / "contracts" / "gateway.json")
    print("contracts/gateway.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

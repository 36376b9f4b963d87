"""Write each service's OpenAPI document to contracts/ (and the gateway's merged one): `make contracts`."""

from __future__ import annotations

import sys
from typing import Any

from chassis.conformance import write_document
from chassis.service import build_app
from gateway.app import create_app as create_gateway
from gateway.contract import gateway_document, merge_contracts
from gateway.settings import GatewaySettings
from platform_components import GATEWAY, SERVICES, resolve


def main() -> int:
    documents: dict[str, dict[str, Any] | None] = {}
    for service in SERVICES:
        spec = resolve(f"{service.package}.app:SPEC")
        document = build_app(service.load_settings(), spec).openapi()
        documents[service.name] = document
        write_document(document, service.contract_file)
        print(service.contract_file.relative_to(service.contract_file.parents[1]))
    # The same merge the running gateway does with the services' live documents.
    merged = merge_contracts(gateway_document(create_gateway(GatewaySettings())), documents)
    write_document(merged, GATEWAY.contract_file)
    print(GATEWAY.contract_file.relative_to(GATEWAY.contract_file.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

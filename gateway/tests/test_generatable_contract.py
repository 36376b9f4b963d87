"""The merged contract as a client generator reads it: one class name per schema, every $ref
resolving, the OAuth2 scheme on the operations that take a token, servers (decision 0016)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from chassis.conformance import operations
from gateway.app import create_app
from gateway.contract import gateway_document, merge_contracts
from gateway.settings import GatewaySettings
from platform_components import GATEWAY, SERVICES

CONTRACT = GATEWAY.contract_file
CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
PREFIXES = {"catalogue": "Catalogue", "training": "Training", "helpdesk": "Helpdesk", "kpi": "Kpi"}
KIT_SCHEMAS = {"Problem", "FieldError"}


def own_document() -> dict[str, Any]:
    return gateway_document(create_app(GatewaySettings()))


def published_service_documents() -> dict[str, dict[str, Any] | None]:
    return {s.name: json.loads(s.contract_file.read_text()) for s in SERVICES}


def published() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(CONTRACT.read_text())
    return document


def local_refs(node: Any) -> set[tuple[str, str]]:
    """Every (section, name) referred to: by `$ref`, or by a discriminator's mapping."""
    text = json.dumps(node)
    assert all(ref.startswith("#/") for ref in re.findall(r'"\$ref": "([^"]+)"', text))
    return {
        (section, name) for section, name in re.findall(r'"#/components/([A-Za-z]+)/([^"]+)"', text)
    }


def test_every_schema_is_a_class_name_of_its_own_and_titled_so() -> None:
    schemas = published()["components"]["schemas"]
    assert all(CLASS_NAME.match(name) for name in schemas), sorted(
        n for n in schemas if not CLASS_NAME.match(n)
    )
    titles = [schema.get("title") for schema in schemas.values()]
    assert titles == list(schemas)


def test_every_ref_resolves() -> None:
    document = published()
    components = document["components"]
    refs = local_refs(document)
    assert refs, "no $ref at all: the check would prove nothing"
    assert {(s, n) for s, n in refs if n not in components.get(s, {})} == set()


def test_service_schemas_carry_their_service_and_the_kit_schemas_are_one() -> None:
    document = published()
    schemas = set(document["components"]["schemas"])
    assert schemas >= KIT_SCHEMAS
    # Each service's schemas are the ones its own document publishes, behind its prefix.
    for service, service_document in published_service_documents().items():
        assert service_document is not None
        own = set(service_document["components"]["schemas"]) - KIT_SCHEMAS
        assert {PREFIXES[service] + name for name in own} <= schemas, service
    gateway_own = set(own_document()["components"]["schemas"])
    service_made = {n for n in schemas if n.startswith(tuple(PREFIXES.values()))}
    assert schemas == service_made | gateway_own | KIT_SCHEMAS


def test_oauth2_client_credentials_at_the_gateway_and_servers() -> None:
    document = published()
    (server,) = document["servers"]
    assert server["url"] == "http://127.0.0.1:8000"
    schemes = document["components"]["securitySchemes"]
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == f"{server['url']}/auth/token"
    assert "post" in document["paths"]["/auth/token"]
    assert "bearerAuth" not in schemes


def test_operations_that_take_a_token_ask_for_the_oauth2_scheme() -> None:
    document = published()
    schemes = set(document["components"]["securitySchemes"])
    public, guarded = 0, 0
    for method, path, operation in operations(document):
        security = operation.get("security")
        assert security is not None, f"{method} {path} says nothing about security"
        assert {name for requirement in security for name in requirement} <= schemes
        if not path.startswith(tuple(f"/{service}/" for service in PREFIXES)):
            continue
        if operation["x-roles"] == ["anonymous"]:
            public += 1
            assert security == [{}, {"oauth2": []}], (method, path)
        else:
            guarded += 1
            assert security == [{"oauth2": []}], (method, path)
    assert public
    assert guarded


def test_a_schema_added_to_one_service_renames_nothing_elsewhere() -> None:
    """The other services' names, and so the classes partners generated, stay as they were; new
    schemas of the kinds FastAPI makes (an input/output split, a qualified name) pass the rule."""
    services = published_service_documents()
    before = merge_contracts(own_document(), services)
    changed = copy.deepcopy(services)
    kpi = changed["kpi"]
    assert kpi is not None
    event = {"type": "object", "properties": {"seq": {"type": "integer"}}}
    kpi["components"]["schemas"] |= {
        # The names the catalogue already uses, and the shapes typed events may come in.
        "VendorOut": event,
        "Access-Output": event,
        "kpi__events__schemas__OfferSubmitted": event,
        "EventPage_OfferSubmitted_": {
            "items": {"$ref": "#/components/schemas/Access-Output"},
            "discriminator": {
                "propertyName": "type",
                "mapping": {"offer.submitted": "#/components/schemas/VendorOut"},
            },
        },
    }
    after = merge_contracts(own_document(), changed)
    new = set(after["components"]["schemas"]) - set(before["components"]["schemas"])
    assert new == {
        "KpiVendorOut",
        "KpiAccessOutput",
        "KpiEventsOfferSubmitted",
        "KpiEventPageOfferSubmitted",
    }
    for name, schema in before["components"]["schemas"].items():
        assert after["components"]["schemas"][name] == schema, name
    page = after["components"]["schemas"]["KpiEventPageOfferSubmitted"]
    assert page["items"] == {"$ref": "#/components/schemas/KpiAccessOutput"}
    assert page["discriminator"]["mapping"] == {
        "offer.submitted": "#/components/schemas/KpiVendorOut"
    }
    refs = local_refs(after)
    assert {(s, n) for s, n in refs if n not in after["components"].get(s, {})} == set()

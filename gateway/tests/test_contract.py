"""The merged contract: a pure merge of the documents, served live, and published in contracts/."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from chassis.conformance import operations
from gateway.app import create_app
from gateway.contract import gateway_document, merge_contracts
from gateway.settings import GatewaySettings

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
# Route prefix -> contract file of the service.
SERVICE_CONTRACTS = {
    "catalogue": "catalogue-licensing.json",
    "training": "training.json",
    "helpdesk": "helpdesk.json",
    "kpi": "kpi.json",
}


def published_service_documents() -> dict[str, dict[str, Any] | None]:
    return {
        name: json.loads((CONTRACTS / file).read_text()) for name, file in SERVICE_CONTRACTS.items()
    }


def own_document() -> dict[str, Any]:
    return gateway_document(create_app(GatewaySettings()))


def _schema(ref: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{ref}"}


def _service(thing: dict[str, Any], operation_id: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": operation_id, "version": "1"},
        "tags": [{"name": "things", "description": "Things"}],
        "paths": {
            "/v1/things": {
                "get": {
                    "operationId": operation_id,
                    "tags": ["things"],
                    "security": [{"bearerAuth": []}],
                    "responses": {
                        "200": {"content": {"application/json": {"schema": _schema("Page")}}},
                        "400": {
                            "content": {"application/problem+json": {"schema": _schema("Problem")}}
                        },
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Problem": {"type": "object", "properties": {"title": {"type": "string"}}},
                "Thing": thing,
                # Identical text in both services, but pointing at a Thing that is not.
                "Page": {"type": "object", "properties": {"items": {"items": _schema("Thing")}}},
            },
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def test_the_merge_prefixes_paths_and_names_every_service_schema_after_its_service() -> None:
    a = _service({"type": "object", "properties": {"a": {"type": "string"}}}, "list_things")
    b = _service({"type": "object", "properties": {"b": {"type": "integer"}}}, "list_things")
    merged = merge_contracts(
        {"info": {"version": "9"}, "paths": {}}, {"alpha": a, "beta": b, "gamma": None}
    )

    assert set(merged["paths"]) == {"/alpha/v1/things", "/beta/v1/things"}
    alpha = merged["paths"]["/alpha/v1/things"]["get"]
    beta = merged["paths"]["/beta/v1/things"]["get"]
    assert (alpha["operationId"], beta["operationId"]) == ("alpha.list_things", "beta.list_things")
    schemas = merged["components"]["schemas"]
    # Prefixed even where the two services agree (Page's text is the same): a service's names
    # depend on that service alone. The kit's Problem is one, whatever a service sent.
    assert set(schemas) == {
        "Problem",
        "FieldError",
        "AlphaThing",
        "BetaThing",
        "AlphaPage",
        "BetaPage",
    }
    assert {name: schema["title"] for name, schema in schemas.items()} == {
        name: name for name in schemas
    }
    # The gateway's own answers are declared on every proxied operation.
    assert {"429", "431", "502", "503", "504"} <= set(alpha["responses"])
    assert "RateLimit-Remaining" in alpha["responses"]["429"]["headers"]
    assert alpha["responses"]["200"]["content"]["application/json"]["schema"] == _schema(
        "AlphaPage"
    )
    assert schemas["BetaPage"]["properties"]["items"]["items"] == _schema("BetaThing")
    assert beta["responses"]["400"]["content"]["application/problem+json"]["schema"] == _schema(
        "Problem"
    )
    # The services' bearer scheme is the platform's OAuth2 one; no servers, a relative token URL.
    assert list(merged["components"]["securitySchemes"]) == ["oauth2"]
    oauth2 = merged["components"]["securitySchemes"]["oauth2"]
    assert oauth2["flows"]["clientCredentials"]["tokenUrl"] == "/auth/token"
    assert alpha["security"] == [{"oauth2": []}]
    assert "servers" not in merged
    assert merged["tags"] == [{"name": "things", "description": "Things"}]
    assert merged["x-missing-upstreams"] == ["gamma"]
    assert "gamma" in merged["info"]["description"]
    assert merged["info"]["version"] == "9"
    # Nothing points at a component that is not there.
    refs = json.dumps(merged).split('"$ref": "#/components/schemas/')[1:]
    assert {ref.split('"')[0] for ref in refs} <= set(schemas)


def test_the_published_merged_contract_has_every_service_and_the_gateway() -> None:
    merged = merge_contracts(own_document(), published_service_documents())
    paths = set(merged["paths"])
    assert {"/auth/token", "/.well-known/jwks.json"} <= paths
    for prefix in SERVICE_CONTRACTS:
        assert f"/{prefix}/v1/events" in paths
    ids = [op["operationId"] for _, _, op in operations(merged)]
    assert len(ids) == len(set(ids))
    assert {"kpi.list_events", "issue_token"} <= set(ids)
    assert merged["servers"] == [
        {"url": "http://127.0.0.1:8000", "description": "The platform's gateway"}
    ]
    schemes = merged["components"]["securitySchemes"]
    assert set(schemes) == {"oauth2", "clientBasic"}
    assert schemes["oauth2"]["flows"]["clientCredentials"]["tokenUrl"] == (
        "http://127.0.0.1:8000/auth/token"
    )
    assert "Problem" in merged["components"]["schemas"]
    assert not any(name.endswith(".Problem") for name in merged["components"]["schemas"])
    assert "x-missing-upstreams" not in merged


def test_contracts_gateway_json_is_in_step_with_the_code() -> None:
    published = CONTRACTS / "gateway.json"
    assert published.exists(), "contracts/gateway.json is missing: run `make contracts`"
    expected = merge_contracts(own_document(), published_service_documents())
    assert json.loads(published.read_text()) == expected, (
        "contracts/gateway.json is out of date: run `make contracts`"
    )


async def test_the_served_contract_is_merged_live_and_says_what_is_missing(
    gateway_settings: Any, open_gateway: Any, dead_url: str
) -> None:
    async with open_gateway(gateway_settings(training_url=dead_url)) as (http, _):
        response = await http.get("/openapi.json")
        again = await http.get("/openapi.json")
        docs = await http.get("/docs")
    assert response.status_code == 200
    document = response.json()
    assert document["x-missing-upstreams"] == ["training"]
    assert {"/catalogue/v1/events", "/helpdesk/v1/events", "/kpi/v1/events"} <= set(
        document["paths"]
    )
    assert "/training/v1/events" not in document["paths"]
    assert "/auth/token" in document["paths"]
    assert again.json() == document
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text


async def test_the_cache_merges_again_only_when_a_document_changed(monkeypatch: Any) -> None:
    """Looking again at unchanged documents keeps the merged one (no new merge, no new objects
    for the collector); a changed or vanished document is merged anew."""
    import gateway.contract as contract

    bodies: dict[str, bytes | None] = {
        "catalogue": json.dumps(_service({"type": "string"}, "list_things")).encode(),
        "kpi": None,
    }

    async def fetch_body(upstream: Any, timeout_seconds: float) -> bytes | None:
        return bodies[upstream]

    monkeypatch.setattr(contract, "fetch_body", fetch_body)
    own = own_document()
    cache = contract.ContractCache(lambda: own, ttl_seconds=0.0)
    upstreams: Any = {"catalogue": "catalogue", "kpi": "kpi"}
    first = await cache.document(upstreams, 1.0)
    assert first["x-missing-upstreams"] == ["kpi"]
    assert "/catalogue/v1/things" in first["paths"]
    assert await cache.document(upstreams, 1.0) is first
    bodies["kpi"] = json.dumps(_service({"type": "integer"}, "count_things")).encode()
    second = await cache.document(upstreams, 1.0)
    assert second is not first
    assert "x-missing-upstreams" not in second
    assert {"/catalogue/v1/things", "/kpi/v1/things"} <= set(second["paths"])
    bodies["catalogue"] = b"not json"
    third = await cache.document(upstreams, 1.0)
    assert third["x-missing-upstreams"] == ["catalogue"]


async def test_swagger_ui_is_served_by_the_platform_not_a_cdn(
    gateway_settings: Any, open_gateway: Any
) -> None:
    """Issue 15, point 15: the docs page loads nothing from another host."""
    async with open_gateway(gateway_settings()) as (http, _):
        docs = await http.get("/docs")
        sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
        assets = {source: await http.get(source) for source in sources}
    assert docs.status_code == 200
    assert sources, docs.text
    assert all(source.startswith("/docs/assets/") for source in sources), sources
    for source, answer in assets.items():
        assert answer.status_code == 200, source
        assert answer.content, source
    assert "https://" not in docs.text.replace("https://validator", "")
    assert "validatorUrl" in docs.text  # set to null: no call to the public validator

"""The contract every service publishes: problem schema, bearer security, declared errors, roles."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from chassis.policy import Policy
from chassis.problems import PROBLEM_JSON, FieldError, Problem

SECURITY_SCHEME = "bearerAuth"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Missing, expired or invalid bearer token",
    403: "The caller's role may not do this",
    404: "Not Found",
    409: "Conflict with the resource's current state",
    412: "The If-Match version is stale",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "The request is not valid; `errors` names each field",
    428: "If-Match is required",
}


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS.get(status, "Error"),
        "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
    }


def problem_schemas() -> dict[str, dict[str, Any]]:
    """The Problem and FieldError component schemas, the same in every published document."""
    out = {}
    for model in (Problem, FieldError):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schema.pop("$defs", None)
        out[model.__name__] = schema
    return out


def contract(app: FastAPI, policy: Policy) -> dict[str, Any]:
    """FastAPI's document, completed with what the platform's conventions promise."""
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers or None,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(problem_schemas())
    doc["components"]["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A token from the gateway's POST /auth/token (OAuth2 client credentials)",
        }
    }
    for methods in doc.get("paths", {}).values():
        for operation in methods.values():
            _complete(operation, policy)
    return doc


def _complete(operation: dict[str, Any], policy: Policy) -> None:
    rule = policy.get(operation.get("operationId", ""))
    responses = operation.setdefault("responses", {})
    statuses = {400, 401, 422}
    if rule is None or not rule.public:
        statuses.add(403)
    if "requestBody" in operation:
        statuses |= {413, 415}
    for status in sorted(statuses):
        key = str(status)
        if key not in responses or status == 422:
            responses[key] = _problem(status)
    for key, response in responses.items():
        content = response.get("content", {})
        if key.startswith("4") and "application/json" in content and PROBLEM_JSON in content:
            del content["application/json"]
    if rule is not None:
        operation["security"] = (
            [{}, {SECURITY_SCHEME: []}] if rule.public else [{SECURITY_SCHEME: []}]
        )
        operation["x-roles"] = sorted(rule.roles) if not rule.public else ["anonymous"]
        operation["x-scope"] = rule.scope

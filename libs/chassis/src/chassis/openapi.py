"""The contract every service publishes: problem schema, bearer security, declared errors, roles."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from chassis.policy import Policy
from chassis.problems import PROBLEM_JSON, FieldError, Problem
from chassis.query import declared_headers

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


_REF_PREFIX = "#/components/"
# A module's segment that says only "this is where the schemas live" (the house layout's
# schemas.py), left out of a qualified model's name.
_LAYOUT_SEGMENTS = frozenset({"schemas"})


def _pascal(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))


def schema_name(name: str) -> str:
    """The name a client generator can make a class of, from the one FastAPI and pydantic give:
    letters and digits only, each part capitalised.

    `Access-Input` becomes `AccessInput` (FastAPI's split of a model whose input and output
    differ), `Page_VendorOut_` becomes `PageVendorOut` (a generic), and a class name used in two
    modules, which FastAPI spells `catalogue_licensing__vendors__schemas__ContactOut`, keeps
    its domain folder: `VendorsContactOut`.
    """
    package, _, rest = name.partition("__")
    if rest and package.islower():
        *modules, cls = rest.split("__")
        name = "_".join([*(m for m in modules if m not in _LAYOUT_SEGMENTS), cls])
    pascal = _pascal(name)
    return pascal if pascal[:1].isalpha() else f"Schema{pascal}"


def unique_names(
    names: Iterable[str], name_for: Callable[[str], str], taken: Iterable[str] = ()
) -> dict[str, str]:
    """Each of `names` with `name_for`'s name, no two alike and none of `taken`.

    Where two would meet, a name `name_for` leaves as it is keeps it and the others get a
    number (`Contact2`), in the order of the original names, so the outcome is the same on
    every run.
    """
    used = set(taken)
    out: dict[str, str] = {}
    for name in sorted(names, key=lambda n: (name_for(n) != n, n)):
        base = candidate = name_for(name)
        number = 2
        while candidate in used:
            candidate, number = f"{base}{number}", number + 1
        used.add(candidate)
        out[name] = candidate
    return out


def _new_ref(ref: Any, names: Mapping[tuple[str, str], str]) -> Any:
    if not isinstance(ref, str) or not ref.startswith(_REF_PREFIX):
        return ref
    section, _, name = ref.removeprefix(_REF_PREFIX).partition("/")
    return f"{_REF_PREFIX}{section}/{names.get((section, name), name)}"


def rewrite_refs(node: Any, names: Mapping[tuple[str, str], str]) -> Any:
    """A copy of `node` whose local components references point at the new names: `names` maps
    (section, old name) to the new one; a reference not in it is kept. References are `$ref`s
    and the values of a discriminator's `mapping` (pydantic's tagged unions)."""
    if isinstance(node, dict):
        out = {key: rewrite_refs(value, names) for key, value in node.items()}
        if "$ref" in node:
            out["$ref"] = _new_ref(node["$ref"], names)
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
            out["discriminator"] = {
                **discriminator,
                "mapping": {
                    tag: _new_ref(ref, names) for tag, ref in discriminator["mapping"].items()
                },
            }
        return out
    if isinstance(node, list):
        return [rewrite_refs(value, names) for value in node]
    return node


def name_schemas(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with every component schema under its `schema_name`, titled with that name (which
    generators prefer to the key for the class name), and every $ref following."""
    schemas = doc.get("components", {}).get("schemas", {})
    names = unique_names(schemas, schema_name)
    doc = rewrite_refs(doc, {("schemas", old): new for old, new in names.items()})
    doc["components"]["schemas"] = {
        names[old]: {**schema, "title": names[old]}
        for old, schema in doc["components"]["schemas"].items()
    }
    return doc


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
    _add_declared_headers(app, doc)
    return name_schemas(doc)


def _add_declared_headers(app: FastAPI, doc: dict[str, Any]) -> None:
    """The headers the operations' dependencies read themselves (`chassis.query.reads_headers`)
    as header parameters, after the ones FastAPI found."""
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        headers = list(declared_headers(route.dependant))
        if not headers:
            continue
        for method in route.methods:
            operation = doc.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            parameters = operation.setdefault("parameters", [])
            named = {p["name"].lower() for p in parameters if p["in"] == "header"}
            for header in headers:
                if header.name.lower() not in named:
                    named.add(header.name.lower())
                    parameters.append(header.parameter())


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

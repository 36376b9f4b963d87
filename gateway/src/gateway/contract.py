"""The platform's one contract: the services' OpenAPI documents merged under their route prefixes."""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import structlog
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from chassis.openapi import (
    name_schemas,
    problem_schemas,
    rewrite_refs,
    schema_name,
    unique_names,
)
from chassis.problems import problem_responses
from chassis.rules import Policy, Rule
from gateway.onboarding.policy import POLICY
from gateway.upstreams import Upstream

log = structlog.get_logger("gateway.contract")

TITLE = "Library platform"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_REF_PREFIX = "#/components/"
# The merged document's security scheme for every operation that takes a token.
OAUTH2_SCHEME = "oauth2"
# While a service's document is missing, look again sooner than the usual cache time.
MISSING_RETRY_SECONDS = 5.0


def gateway_document(app: FastAPI, policy: Policy = POLICY) -> dict[str, Any]:
    """The gateway's own operations (token endpoint, key set, client onboarding) as an OpenAPI
    3.1 document; those in `policy` take the platform's bearer token, with their roles."""
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers or None,
    )
    # The same schemas the services publish, so the merge keeps one of each.
    doc.setdefault("components", {}).setdefault("schemas", {}).update(problem_schemas())
    doc["components"]["securitySchemes"] = {
        "clientBasic": {
            "type": "http",
            "scheme": "basic",
            "description": "The API client's id and secret (RFC 6749 §2.3.1)",
        }
    }
    for methods in doc.get("paths", {}).values():
        for operation in methods.values():
            rule = policy.get(operation.get("operationId", ""))
            if rule is not None:
                _authorized(operation, rule)
    # FastAPI's validation error shapes: the problem schema answers a 422 here, as everywhere.
    doc["components"]["schemas"].pop("HTTPValidationError", None)
    doc["components"]["schemas"].pop("ValidationError", None)
    # Named as the services name theirs (`Page_ClientOut_` is `PageClientOut`).
    return name_schemas(doc)


def _authorized(operation: dict[str, Any], rule: Rule) -> None:
    """What the kit's contract says of a service's authorized operation (chassis.openapi),
    under the merged document's OAuth2 scheme."""
    operation["security"] = [{OAUTH2_SCHEME: []}]
    operation["x-roles"] = sorted(rule.roles)
    operation["x-scope"] = rule.scope
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    statuses = [400, 401, 403, 422] + ([413, 415] if "requestBody" in operation else [])
    for status, response in problem_responses(*statuses).items():
        responses.setdefault(str(status), response)


@dataclass(frozen=True)
class _Source:
    name: str
    path_prefix: str
    operation_prefix: str
    doc: dict[str, Any]


def _is_bearer(scheme: Any) -> bool:
    """Whether a service's security scheme asks for a bearer token (the kit's `bearerAuth`)."""
    return isinstance(scheme, dict) and (
        scheme.get("type") == "oauth2"
        or (scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer")
    )


def _merged_name(name: str, *, prefix: str, section: str) -> str:
    """A component's name in the merged document: the gateway's own schemas get no prefix (and
    its other components keep their names as they are), every service's get its prefix."""
    return prefix + schema_name(name) if prefix or section == "schemas" else name


def _component_names(sources: list[_Source]) -> dict[str, dict[tuple[str, str], str]]:
    """Per source, the merged name of each of its components (docs/decisions/0016).

    The gateway's own components keep their names, and so do the kit's schemas that every
    service publishes alike (`Problem`, `FieldError`: one of each, the kit's). Every other
    component a service defines is named after the service: `schema_name` of its own name behind
    the service's prefix (`CatalogueVendorOut`, `CatalogueAccessInput`). Always, not only where
    two services clash: a service's names then depend on that service alone, so a schema added
    to one never renames another's in the clients partners have generated. A service's bearer
    scheme becomes the platform's OAuth2 scheme.
    """
    shared = set(problem_schemas())
    reserved = {"schemas": shared, "securitySchemes": {OAUTH2_SCHEME}}
    names: dict[str, dict[tuple[str, str], str]] = {}
    taken: dict[str, set[str]] = {}
    for source in sources:
        prefix = schema_name(source.name) if source.path_prefix else ""
        renamed: dict[tuple[str, str], str] = {}
        for section, members in source.doc.get("components", {}).items():
            used = taken.setdefault(section, set())
            own = {}
            for name, value in members.items():
                if section == "schemas" and name in shared:
                    renamed[(section, name)] = name
                elif section == "securitySchemes" and prefix and _is_bearer(value):
                    renamed[(section, name)] = OAUTH2_SCHEME
                else:
                    own[name] = value
            fresh = unique_names(
                own,
                functools.partial(_merged_name, prefix=prefix, section=section),
                used | reserved.get(section, set()),
            )
            used |= set(fresh.values())
            renamed |= {(section, old): new for old, new in fresh.items()}
        names[source.name] = renamed
    return names


def oauth2_scheme(servers: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The platform's OAuth2 client-credentials scheme, its token URL at the first server."""
    base = str(servers[0]["url"]).rstrip("/") if servers else ""
    return {
        "type": "oauth2",
        "description": (
            "A bearer token from the gateway's token endpoint: POST /auth/token with the API "
            "client's id and secret (client credentials). Where an external OpenID Connect "
            "issuer is configured, its tokens are accepted the same way."
        ),
        "flows": {"clientCredentials": {"tokenUrl": f"{base}/auth/token", "scopes": {}}},
    }


def _problem(description: str, problem_ref: str, **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": problem_ref}}},
    }
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return response


def _declare_edge_responses(operation: dict[str, Any], problem_ref: str, *, proxied: bool) -> None:
    """The answers the gateway itself may give to any operation, declared where they can occur,
    so a client (and the contract fuzzing) knows them: limits everywhere, faults on proxied ones."""
    responses = operation.setdefault("responses", {})
    edge = {
        "429": _problem(
            "Too many requests: a rate limit of the caller or its address was reached",
            problem_ref,
            **{
                "Retry-After": "Seconds until a request will be let through",
                "RateLimit-Limit": "Requests the bucket holds",
                "RateLimit-Remaining": "Requests left now",
                "RateLimit-Reset": "Seconds until the bucket is full again",
            },
        ),
        "431": _problem("The request's header fields are too large", problem_ref),
    }
    if "requestBody" in operation:
        edge |= {
            "408": _problem("The request's body was not received in time", problem_ref),
            "413": _problem("The request's body is larger than the gateway accepts", problem_ref),
        }
    if proxied:
        edge |= {
            "502": _problem("The service gave a broken or malformed answer", problem_ref),
            "503": _problem(
                "The service is down or its circuit breaker is open",
                problem_ref,
                **{"Retry-After": "Seconds until the gateway tries the service again"},
            ),
            "504": _problem("The service did not answer within the read timeout", problem_ref),
        }
    for status, response in edge.items():
        responses.setdefault(status, response)


def _merge_tags(merged: dict[str, dict[str, Any]], tags: list[dict[str, Any]], source: str) -> None:
    for tag in tags:
        known = merged.get(tag["name"])
        if known is None:
            merged[tag["name"]] = dict(tag)
        elif tag.get("description") and tag.get("description") != known.get("description"):
            known["description"] = "; ".join(
                d for d in (known.get("description"), f"{source}: {tag['description']}") if d
            )


def _merge_components(
    components: dict[str, dict[str, Any]],
    source: _Source,
    renamed: dict[tuple[str, str], str],
    shared: Mapping[str, Any],
) -> None:
    """Add a source's components under their merged names, their $refs rewritten to match; the
    platform's own OAuth2 scheme and the kit's shared schemas are there already."""
    for (section, name), new_name in renamed.items():
        if (section == "securitySchemes" and new_name == OAUTH2_SCHEME) or (
            section == "schemas" and new_name in shared
        ):
            continue
        value = rewrite_refs(source.doc["components"][section][name], renamed)
        if section == "schemas" and isinstance(value, dict):
            # Generators name the class after the title: FastAPI's `Access-Input` and
            # `Access-Output` are both titled `Access`.
            value["title"] = new_name
        components.setdefault(section, {})[new_name] = value


def _merged_path_item(
    source: _Source,
    item: dict[str, Any],
    renamed: dict[tuple[str, str], str],
    schemes: dict[str, str],
    problem_ref: str,
) -> dict[str, Any]:
    """A source's path item as the merged document has it: $refs, operationIds and security
    requirements renamed, and the answers the gateway itself may give declared."""
    new_item: dict[str, Any] = rewrite_refs(item, renamed)
    for method in HTTP_METHODS:
        operation = new_item.get(method)
        if operation is None:
            continue
        if "operationId" in operation:
            operation["operationId"] = source.operation_prefix + operation["operationId"]
        security = operation.get("security", source.doc.get("security"))
        if security is not None:
            operation["security"] = [
                {schemes.get(scheme, scheme): scopes for scheme, scopes in req.items()}
                for req in security
            ]
    for method in HTTP_METHODS:
        if method in new_item:
            _declare_edge_responses(new_item[method], problem_ref, proxied=source.name != "gateway")
    return new_item


def _description(sources: list[_Source], missing: list[str]) -> str:
    """The merged document's description: what it is, the services in it, those missing."""
    intro = (
        "The platform's one address: each service's API under its prefix, and the gateway's "
        "own token endpoint (OAuth2 client credentials) and key set."
    )
    services_list = "\n".join(
        f"- `{source.path_prefix}`: {source.doc.get('info', {}).get('title', source.name)} "
        f"{source.doc.get('info', {}).get('version', '')}".rstrip()
        for source in sources[1:]
    )
    return "\n\n".join(
        part
        for part in (
            intro,
            services_list,
            f"Not included, the service did not answer: {', '.join(missing)}." if missing else "",
        )
        if part
    )


def merge_contracts(
    gateway: dict[str, Any], services: Mapping[str, dict[str, Any] | None]
) -> dict[str, Any]:
    """One OpenAPI document from the gateway's own and each service's (None: not available).

    Service paths get the service's route prefix (`/kpi/v1/events`), operationIds the service's
    name (`kpi.list_events`); components are merged as `_component_names` says, with every $ref
    and security requirement rewritten to match; tags are kept.
    """
    sources = [_Source("gateway", "", "", gateway)] + [
        _Source(name, f"/{name}", f"{name}.", doc) for name, doc in services.items() if doc
    ]
    missing = sorted(name for name, doc in services.items() if not doc)
    names = _component_names(sources)
    problem_ref = f"{_REF_PREFIX}schemas/Problem"
    shared = problem_schemas()
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {
        "schemas": dict(shared),
        "securitySchemes": {OAUTH2_SCHEME: oauth2_scheme(gateway.get("servers"))},
    }
    tags: dict[str, dict[str, Any]] = {}
    for source in sources:
        renamed = names[source.name]
        _merge_components(components, source, renamed, shared)
        schemes = {
            name: new for (section, name), new in renamed.items() if section == "securitySchemes"
        }
        for path, item in source.doc.get("paths", {}).items():
            paths[source.path_prefix + path] = _merged_path_item(
                source, item, renamed, schemes, problem_ref
            )
        _merge_tags(tags, source.doc.get("tags", []), source.name)
    info = gateway.get("info", {})
    description = _description(sources, missing)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": info.get("version", "0"),
            "description": description,
        },
        **({"servers": gateway["servers"]} if gateway.get("servers") else {}),
        "paths": paths,
        "components": components,
        "tags": list(tags.values()),
    }
    if missing:
        document["x-missing-upstreams"] = missing
    return document


def _parse_document(name: str, body: bytes | None) -> dict[str, Any] | None:
    """A fetched body as an OpenAPI document, or None (logged) when it is not one."""
    if body is None:
        return None
    try:
        document = json.loads(body)
    except ValueError as exc:
        log.warning("contract_unavailable", upstream=name, reason=f"{type(exc).__name__}: {exc}")
        return None
    if not isinstance(document, dict) or "paths" not in document:
        log.warning("contract_unavailable", upstream=name, status=200)
        return None
    return document


async def fetch_body(upstream: Upstream, timeout_seconds: float) -> bytes | None:
    """The bytes of a service's live OpenAPI document, or None when it cannot be had right now."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    try:
        async with upstream.session.get(
            upstream.base_url + "/openapi.json",
            timeout=aiohttp.ClientTimeout(total=timeout_seconds),
            allow_redirects=False,
            headers={"X-Request-ID": request_id} if isinstance(request_id, str) else None,
        ) as response:
            status, body = response.status, await response.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning(
            "contract_unavailable", upstream=upstream.name, reason=f"{type(exc).__name__}: {exc}"
        )
        return None
    if status != 200:
        log.warning("contract_unavailable", upstream=upstream.name, status=status)
        return None
    return body


def _parse_and_merge(gateway: dict[str, Any], bodies: Mapping[str, bytes | None]) -> dict[str, Any]:
    return merge_contracts(
        gateway, {name: _parse_document(name, body) for name, body in bodies.items()}
    )


class ContractCache:
    """The merged document, fetched live from the services and kept for a short while, so that
    reading the contract does not cost four requests each time.

    The merge is the costly part (tens of milliseconds for four services, and tens of thousands
    of objects that live until the next one): it is done only when a service's document has
    changed since the last look, and then in a worker thread, off the event loop that carries
    the proxied requests (docs/decisions/0013).
    """

    def __init__(self, own_document: Callable[[], dict[str, Any]], ttl_seconds: float) -> None:
        self._own_document = own_document
        self._ttl = ttl_seconds
        self._document: dict[str, Any] | None = None
        # What the current document was merged from: the own document and each service's bytes.
        self._merged_from: tuple[dict[str, Any], dict[str, bytes | None]] | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def document(
        self, upstreams: Mapping[str, Upstream], timeout_seconds: float
    ) -> dict[str, Any]:
        if self._document is not None and time.monotonic() < self._expires:
            return self._document
        async with self._lock:
            if self._document is not None and time.monotonic() < self._expires:
                return self._document
            fetched = await asyncio.gather(
                *(fetch_body(upstream, timeout_seconds) for upstream in upstreams.values())
            )
            own = self._own_document()
            bodies = dict(zip(upstreams, fetched, strict=True))
            document = self._document
            if (
                document is None
                or self._merged_from is None
                or self._merged_from[0] is not own
                or self._merged_from[1] != bodies
            ):
                document = await asyncio.to_thread(_parse_and_merge, own, bodies)
                self._merged_from = (own, bodies)
            ttl = (
                self._ttl
                if "x-missing-upstreams" not in document
                else min(self._ttl, MISSING_RETRY_SECONDS)
            )
            self._document, self._expires = document, time.monotonic() + ttl
            return document

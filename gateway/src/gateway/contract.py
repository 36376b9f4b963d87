"""The platform's one contract: the services' OpenAPI documents merged under their route prefixes."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import structlog
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from chassis.openapi import problem_schemas
from gateway.upstreams import Upstream

log = structlog.get_logger("gateway.contract")

TITLE = "Library platform"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_REF_PREFIX = "#/components/"
# While a service's document is missing, look again sooner than the usual cache time.
MISSING_RETRY_SECONDS = 5.0


def gateway_document(app: FastAPI) -> dict[str, Any]:
    """The gateway's own operations (token endpoint, key set) as an OpenAPI 3.1 document."""
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
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
    return doc


@dataclass(frozen=True)
class _Source:
    name: str
    path_prefix: str
    operation_prefix: str
    doc: dict[str, Any]


def _refs(node: Any) -> set[tuple[str, str]]:
    """Every (section, name) that `node` points at with a local components $ref."""
    found: set[tuple[str, str]] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            section, _, name = ref.removeprefix(_REF_PREFIX).partition("/")
            found.add((section, name))
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _rewrite_refs(node: Any, names: Mapping[tuple[str, str], str]) -> Any:
    if isinstance(node, dict):
        out = {key: _rewrite_refs(value, names) for key, value in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            section, _, name = ref.removeprefix(_REF_PREFIX).partition("/")
            out["$ref"] = f"{_REF_PREFIX}{section}/{names.get((section, name), name)}"
        return out
    if isinstance(node, list):
        return [_rewrite_refs(value, names) for value in node]
    return node


def _component_names(sources: list[_Source]) -> dict[str, dict[tuple[str, str], str]]:
    """Per source, the merged name of each of its components.

    A name defined the same way everywhere is kept once; a name defined differently is
    namespaced (`kpi.Indicator`) in every source that defines it. A component identical in
    several sources but pointing at a namespaced one differs after all, so the rule is applied
    until nothing changes.
    """
    definitions: dict[tuple[str, str], dict[str, Any]] = {}
    for source in sources:
        for section, members in source.doc.get("components", {}).items():
            for name, value in members.items():
                definitions.setdefault((section, name), {})[source.name] = value
    namespaced = {
        key
        for key, by_source in definitions.items()
        if any(value != next(iter(by_source.values())) for value in by_source.values())
    }
    changed = True
    while changed:
        changed = False
        for key, by_source in definitions.items():
            if key in namespaced or len(by_source) < 2:
                continue
            if any(_refs(value) & namespaced for value in by_source.values()):
                namespaced.add(key)
                changed = True
    return {
        source.name: {
            key: f"{source.name}.{key[1]}" if key in namespaced else key[1]
            for key, by_source in definitions.items()
            if source.name in by_source
        }
        for source in sources
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
    # The gateway's own Problem schema (added below when its document lacks one).
    problem_name = names["gateway"].get(("schemas", "Problem"), "Problem")
    problem_ref = f"{_REF_PREFIX}schemas/{problem_name}"
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    tags: dict[str, dict[str, Any]] = {}
    for source in sources:
        renamed = names[source.name]
        for (section, name), new_name in renamed.items():
            value = source.doc["components"][section][name]
            components.setdefault(section, {})[new_name] = _rewrite_refs(value, renamed)
        schemes = {
            name: new for (section, name), new in renamed.items() if section == "securitySchemes"
        }
        for path, item in source.doc.get("paths", {}).items():
            new_item = _rewrite_refs(copy.deepcopy(item), renamed)
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
                    _declare_edge_responses(
                        new_item[method], problem_ref, proxied=source.name != "gateway"
                    )
            paths[source.path_prefix + path] = new_item
        _merge_tags(tags, source.doc.get("tags", []), source.name)
    if problem_name == "Problem":
        for name, schema in problem_schemas().items():
            components.setdefault("schemas", {}).setdefault(name, schema)
    info = gateway.get("info", {})
    intro = (
        "The platform's one address: each service's API under its prefix, and the gateway's "
        "own token endpoint (OAuth2 client credentials) and key set."
    )
    services_list = "\n".join(
        f"- `{source.path_prefix}`: {source.doc.get('info', {}).get('title', source.name)} "
        f"{source.doc.get('info', {}).get('version', '')}".rstrip()
        for source in sources[1:]
    )
    description = "\n\n".join(
        part
        for part in (
            intro,
            services_list,
            f"Not included, the service did not answer: {', '.join(missing)}." if missing else "",
        )
        if part
    )
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": info.get("version", "0"),
            "description": description,
        },
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


async def fetch_document(upstream: Upstream, timeout_seconds: float) -> dict[str, Any] | None:
    """A service's live OpenAPI document, or None when it cannot be had right now."""
    return _parse_document(upstream.name, await fetch_body(upstream, timeout_seconds))


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

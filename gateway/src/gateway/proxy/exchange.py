"""One request to a service through its breaker, sent at most twice, and its answer streamed back."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import aiohttp
import structlog
from starlette.types import Receive, Scope, Send
from yarl import URL

from chassis.middleware import has_body, request_id_from, scope_request_id
from chassis.problems import PROBLEM_JSON
from gateway.edge import CALLER_ADDRESS
from gateway.proxy.body import (
    ClientDisconnected,
    RequestBody,
    client_disconnected,
    declared_length,
    read_whole,
)
from gateway.proxy.failures import (
    ResponseCutShort,
    UpstreamProblem,
    breaker_open,
    upstream_problem,
)
from gateway.proxy.headers import forwarded, request_headers, response_headers
from gateway.proxy.retries import REPLAYABLE_BODY_BYTES, may_retry, remaining, retryable_failure
from gateway.settings import UPSTREAMS
from gateway.upstreams import Upstream

log = structlog.get_logger("gateway.proxy")

# RFC 3986 pchar besides the unreserved characters that quote() always keeps.
_PATH_SAFE = "/!$&'()*+,;=:@"
_QUERY_SAFE = _PATH_SAFE + "?%"
# One per service, made once rather than per request.
_PREFIXES = {name: f"/{name}".encode() for name in UPSTREAMS}


_MAX_PROBLEM_BYTES = 65_536


async def call_upstream(
    scope: Scope,
    receive: Receive,
    send: Send,
    upstream: Upstream,
    service_path: str,
    *,
    rebase: bytes | None = None,
) -> None:
    """One request to a service, through its breaker, sent at most twice.

    `rebase`: what the absolute paths in the service's answer (Location, Content-Location, Link,
    a problem's `instance`) get in front at the gateway; by default the service's route prefix
    (`/kpi`), b"" where the gateway serves the service's own paths (the portal's pages)."""
    retry_allowed = may_retry(scope["method"], scope["headers"])
    body = (
        RequestBody(receive, stall_seconds=upstream.client_body_timeout_seconds)
        if has_body(scope)
        else None
    )
    kept: bytes | None = None
    if body is not None:
        length = declared_length(scope)
        if retry_allowed and length is not None and length <= REPLAYABLE_BODY_BYTES:
            kept = await read_whole(body)
        else:
            retry_allowed = False
    wait = upstream.breaker.admit()
    if wait is not None:
        raise breaker_open(upstream, wait)
    prefix = _PREFIXES[upstream.name] if rebase is None else rebase
    try:
        await _exchange(scope, send, upstream, service_path, prefix, body, kept, retry_allowed)
    except (UpstreamProblem, ResponseCutShort):
        upstream.breaker.failed()
        raise
    except BaseException:
        # The caller went away, or its body was refused: nothing learnt about the service.
        upstream.breaker.abandoned()
        raise
    upstream.breaker.succeeded()


async def _exchange(
    scope: Scope,
    send: Send,
    upstream: Upstream,
    service_path: str,
    prefix: bytes,
    body: RequestBody | None,
    kept: bytes | None,
    retry_allowed: bool,
) -> None:
    url = _target_url(upstream, service_path, scope.get("query_string", b""))
    outgoing_headers, host = request_headers(scope["headers"])
    request_id = scope_request_id(scope) or request_id_from(scope["headers"])
    outgoing_headers.append(("x-request-id", request_id))
    outgoing_headers.append(
        ("forwarded", forwarded(_caller(scope), scope.get("scheme", "http"), host))
    )
    timeout = upstream.session.timeout
    started = time.monotonic()
    attempt = 1
    while True:
        try:
            response = await upstream.session.request(
                scope["method"],
                URL(url, encoded=True),
                headers=outgoing_headers,
                data=kept if kept is not None else body.chunks() if body is not None else None,
                allow_redirects=False,
                timeout=timeout,
            )
            break
        except (aiohttp.ClientError, TimeoutError) as exc:
            if (caller_failure := _caller_failure(body)) is not None:
                raise caller_failure from exc
            if attempt == 1 and retry_allowed and retryable_failure(exc):
                # The retry shares the first attempt's total timeout, so a request is never
                # given more time than the setting says.
                retry_timeout = remaining(timeout, time.monotonic() - started)
                if retry_timeout is not None:
                    log.info("upstream_retried", reason=f"{type(exc).__name__}: {exc}")
                    timeout, attempt = retry_timeout, 2
                    continue
            raise upstream_problem(upstream, exc) from exc
    async with response:
        chunks = response.content.iter_any()
        # The status line waits for the first piece of the body (or its end): a service that
        # breaks right after its head then still gets a clean 502, not a cut response.
        try:
            first = await anext(chunks, b"")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise upstream_problem(upstream, exc) from exc
        headers = response_headers(response.raw_headers, prefix)
        if prefix and response.content.at_eof() and response.content_type == PROBLEM_JSON:
            first, headers = problem_under_prefix(first, headers, prefix)
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if response.content.at_eof():
            # The whole body came with the first piece (the common small answer): one
            # message instead of two, through every layer of middleware. at_eof() holds
            # only once the framing (Content-Length or the last chunk) says it is complete.
            await send({"type": "http.response.body", "body": first, "more_body": False})
            return
        if first:
            await send({"type": "http.response.body", "body": first, "more_body": True})
        try:
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except (aiohttp.ClientError, TimeoutError) as exc:
            # The status line is already out: all that is left is to break the connection,
            # so the caller sees a cut response, never a complete-looking half body.
            reason = f"{type(exc).__name__}: {exc}"
            log.warning("upstream_broke_mid_response", reason=reason)
            raise ResponseCutShort(f"The {upstream.name} service broke off: {reason}") from exc
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def problem_under_prefix(
    body: bytes, headers: list[tuple[bytes, bytes]], prefix: bytes
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """A service's problem names the path it was asked (`"instance": "/v1/libraries"`); the
    caller asked the gateway's (`/catalogue/v1/libraries`), as Location and Link already say.
    Only a whole, small problem document is rewritten; anything else crosses as it is."""
    if len(body) > _MAX_PROBLEM_BYTES:
        return body, headers
    try:
        document = json.loads(body)
    except ValueError:
        return body, headers
    instance = document.get("instance") if isinstance(document, dict) else None
    if not isinstance(instance, str) or not instance.startswith("/") or instance.startswith("//"):
        return body, headers
    document["instance"] = prefix.decode("latin-1") + instance
    rewritten = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    length = str(len(rewritten)).encode()
    return rewritten, [(n, length if n == b"content-length" else v) for n, v in headers]


def _target_url(upstream: Upstream, service_path: str, query: bytes) -> str:
    """The service's URL for the request, escaped as aiohttp takes it (encoded=True)."""
    url = upstream.base_url + quote(service_path, safe=_PATH_SAFE)
    if query:
        # Passed on as sent; only bytes that may not appear in a URL at all get escaped.
        url += "?" + quote(bytes(query), safe=_QUERY_SAFE)
    return url


def _caller_failure(body: RequestBody | None) -> BaseException | None:
    """When sending failed because of the caller's side (it went away, or its body was refused
    while streaming), what to raise instead of blaming the service."""
    if body is None or body.error is None:
        return None
    if isinstance(body.error, ClientDisconnected):
        return client_disconnected()
    return body.error


def _caller(scope: Scope) -> str | None:
    """The caller as the edge settled it (behind a trusted load balancer, the client that the
    balancer names, not the balancer), else the peer."""
    address = scope.get("state", {}).get(CALLER_ADDRESS)
    if isinstance(address, str):
        return address
    client = scope.get("client")
    return client[0] if client else None

"""The proxy: edge verification, what crosses it, paths it refuses, and how it fails."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from chassis.testing import tampered, unsigned_token
from gateway.edge import unsafe_path
from gateway.proxy.exchange import problem_under_prefix
from gateway.proxy.failures import ResponseCutShort
from gateway.proxy.headers import forwarded, request_headers, response_headers
from gateway.runtime import gateway_runtime
from gateway.scopes import Scope
from gateway.tokens import mint_token


def token(key: Any, role: str = "analyst", **overrides: Any) -> str:
    values: dict[str, Any] = {
        "issuer": "http://127.0.0.1:8000",
        "audience": "library-platform",
        "subject": "test-client",
        "role": role,
        "scope": Scope(),
        "ttl_seconds": 300,
    }
    values.update(overrides)
    return mint_token(key, **values)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


# ---------------------------------------------------------------- identity at the edge


async def test_a_gateway_token_passes_the_edge_and_the_service(
    gateway_settings: Any, open_gateway: Any, gateway_key: Any
) -> None:
    async with open_gateway(gateway_settings()) as (http, _):
        response = await http.get("/kpi/v1/events", headers=bearer(token(gateway_key[1])))
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


async def test_the_service_decides_roles_and_anonymous_access(
    gateway_settings: Any, open_gateway: Any, gateway_key: Any
) -> None:
    async with open_gateway(gateway_settings()) as (http, _):
        wrong_role = await http.get(
            "/kpi/v1/events", headers=bearer(token(gateway_key[1], role="library"))
        )
        anonymous = await http.get("/kpi/v1/events")
    # Both answered by the service; `instance` is the path the caller used (the gateway's), and
    # the rewritten body's Content-Length is its own.
    assert wrong_role.status_code == 403
    assert wrong_role.json()["instance"] == "/kpi/v1/events"
    assert int(wrong_role.headers["content-length"]) == len(wrong_role.content)
    assert anonymous.status_code == 401
    assert anonymous.json()["instance"] == "/kpi/v1/events"


def _expired(key: Any, issuer: Any) -> str:
    return token(key, now=time.time() - 3600)


def _tampered(key: Any, issuer: Any) -> str:
    return tampered(token(key, role="library"))


def _alg_none(key: Any, issuer: Any) -> str:
    return unsigned_token(issuer.claims(["operator"]), kid=key.kid)


def _foreign_key(key: Any, issuer: Any) -> str:
    return str(issuer.token("operator"))


def _wrong_audience(key: Any, issuer: Any) -> str:
    return token(key, audience="another-platform")


def _wrong_issuer(key: Any, issuer: Any) -> str:
    return token(key, issuer="https://elsewhere.example")


@pytest.mark.parametrize(
    "make_token",
    [_expired, _tampered, _alg_none, _foreign_key, _wrong_audience, _wrong_issuer],
    ids=["expired", "tampered", "alg-none", "foreign-key", "wrong-audience", "wrong-issuer"],
)
async def test_untrustworthy_tokens_are_refused_at_the_edge(
    gateway_settings: Any, open_gateway: Any, gateway_key: Any, foreign_issuer: Any, make_token: Any
) -> None:
    async with open_gateway(gateway_settings()) as (http, _):
        response = await http.get(
            "/kpi/v1/events", headers=bearer(make_token(gateway_key[1], foreign_issuer))
        )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith('Bearer realm="library-platform"')
    # The gateway's own answer: the service would name its own path, /v1/events.
    assert response.json()["instance"] == "/kpi/v1/events"


@pytest.mark.parametrize("header", ["Bearer", "Basic dXNlcjpwdw==", "Bearer a b"])
async def test_a_malformed_authorization_header_is_a_bad_request(
    gateway_settings: Any, open_gateway: Any, header: str
) -> None:
    async with open_gateway(gateway_settings()) as (http, _):
        response = await http.get("/kpi/v1/events", headers={"Authorization": header})
    assert response.status_code == 400
    assert response.json()["instance"] == "/kpi/v1/events"


# ---------------------------------------------------------------- what crosses the proxy


async def test_request_headers_pass_on_without_hop_by_hop_ones(
    gateway_settings: Any, open_gateway: Any, echo_url: str
) -> None:
    headers = {
        "X-Request-ID": "req-12345",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "Connection": "keep-alive, x-secret",
        "X-Secret": "only-for-the-first-hop",
        "Keep-Alive": "timeout=5",
        "TE": "trailers",
        "Proxy-Authorization": "Basic c2VjcmV0",
        "X-Forwarded-For": "203.0.113.66",
        "Forwarded": "for=203.0.113.66",
        "Accept": "application/json",
    }
    async with open_gateway(gateway_settings(training_url=echo_url)) as (http, _):
        response = await http.get(
            "/training/v1/courses/a%20b", params={"q": "x/y", "limit": "5"}, headers=headers
        )
    assert response.status_code == 200, response.text
    seen = response.json()
    names = [name for name, _ in seen["headers"]]
    received = dict(seen["headers"])
    assert seen["path"] == "/v1/courses/a b"
    assert seen["query"] == "q=x%2Fy&limit=5"
    assert received["x-request-id"] == "req-12345"
    assert received["traceparent"] == headers["traceparent"]
    assert received["accept"] == "application/json"
    assert received["forwarded"] == "for=192.0.2.10;proto=http;host=gateway.test"
    assert names.count("forwarded") == 1
    for hop in ("x-secret", "keep-alive", "te", "proxy-authorization", "x-forwarded-for"):
        assert hop not in received, hop
    assert received.get("connection", "keep-alive") == "keep-alive"
    assert response.headers.get_list("x-request-id") == ["req-12345"]


async def test_response_headers_pass_back_without_hop_by_hop_ones(
    gateway_settings: Any, open_gateway: Any, echo_url: str
) -> None:
    async with open_gateway(gateway_settings(training_url=echo_url)) as (http, _):
        response = await http.get("/training/v1/anything", params={"status": "201"})
    assert response.status_code == 201
    assert response.headers["x-end-to-end"] == "kept"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    for hop in ("x-hop", "keep-alive", "proxy-authenticate"):
        assert hop not in response.headers, hop
    # One request id: the gateway's, which the upstream received too.
    (request_id,) = response.headers.get_list("x-request-id")
    assert dict(response.json()["headers"])["x-request-id"] == request_id


async def test_links_from_a_service_are_rebased_under_its_prefix(
    gateway_settings: Any, open_gateway: Any, echo_url: str
) -> None:
    async with open_gateway(gateway_settings(training_url=echo_url)) as (http, _):
        response = await http.get("/training/v1/things", params={"links": "1"})
    assert response.headers["location"] == "/training/v1/things/7"
    # Full URLs point somewhere the gateway does not own: left as they are.
    assert response.headers["content-location"] == "https://elsewhere.example/v1/things/7"
    assert response.headers["link"] == (
        '</training/v1/things?cursor=abc>; rel="next", <https://x.example/a>; rel="help"'
    )


async def test_an_ipv6_caller_is_quoted_in_forwarded(
    gateway_settings: Any, open_gateway: Any, echo_url: str
) -> None:
    settings = gateway_settings(training_url=echo_url)
    async with open_gateway(settings, client=("2001:db8::7", 40000)) as (http, _):
        response = await http.get("/training/v1/x")
    assert dict(response.json()["headers"])["forwarded"] == (
        'for="[2001:db8::7]";proto=http;host=gateway.test'
    )


async def test_behind_a_trusted_proxy_forwarded_names_the_caller_it_forwarded_for(
    gateway_settings: Any, open_gateway: Any, echo_url: str
) -> None:
    # The load balancer (a trusted proxy) is the peer; the caller is the address it names, the
    # same one the rate limits key on. Another peer's X-Forwarded-For is not believed.
    settings = gateway_settings(training_url=echo_url, trusted_proxies=["10.0.0.0/8"])
    spoof = {"X-Forwarded-For": "198.51.100.7"}
    async with open_gateway(settings, client=("10.1.2.3", 40000)) as (http, _):
        behind = await http.get("/training/v1/x", headers=spoof)
    async with open_gateway(settings) as (http, _):
        direct = await http.get("/training/v1/x", headers=spoof)
    assert dict(behind.json()["headers"])["forwarded"] == (
        "for=198.51.100.7;proto=http;host=gateway.test"
    )
    assert dict(direct.json()["headers"])["forwarded"] == (
        "for=192.0.2.10;proto=http;host=gateway.test"
    )


async def test_a_token_is_verified_once_per_request(
    gateway_settings: Any, open_gateway: Any, gateway_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_gateway(gateway_settings()) as (http, app):
        verifier = gateway_runtime(app).verifier
        calls: list[str] = []
        verify = verifier.verify

        async def counted(value: str) -> Any:
            calls.append(value)
            return await verify(value)

        monkeypatch.setattr(verifier, "verify", counted)
        good = await http.get("/kpi/v1/events", headers=bearer(token(gateway_key[1])))
        bad = await http.get("/kpi/v1/events", headers=bearer(tampered(token(gateway_key[1]))))
    assert (good.status_code, bad.status_code) == (200, 401)
    # The edge verifies (to key the client's rate limit); the proxy takes its outcome.
    assert len(calls) == 2


async def test_liveness_is_answered_before_routing_with_the_edge_around_it(
    gateway_settings: Any, open_gateway: Any
) -> None:
    async with open_gateway(gateway_settings(metrics_token="scrape-me")) as (http, _):
        live = await http.get("/health/live", headers={"X-Request-ID": "probe-1"})
        head = await http.head("/health/live")
        scraper = {"Authorization": "Bearer scrape-me"}
        metrics = (await http.get("/metrics", headers=scraper)).text
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    assert live.headers["content-type"] == "application/json"
    assert live.headers["x-request-id"] == "probe-1"
    assert live.headers["ratelimit-limit"]
    # HEAD is answered wherever GET is, without the body (RFC 9110 §9.3.2).
    assert (head.status_code, head.content) == (200, b"")
    assert 'http_requests_total{method="GET",route="/health/live",status="200"} 1.0' in metrics


async def test_bodies_stream_through_with_or_without_a_length(
    gateway_settings: Any, open_gateway: Any, echo_url: str
) -> None:
    body = b"0123456789abcdef" * 40_000

    async def chunked() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 65_536):
            yield body[start : start + 65_536]

    settings = gateway_settings(training_url=echo_url, max_body_bytes=1_000_000)
    async with open_gateway(settings) as (http, _):
        sized = await http.post("/training/v1/uploads", content=body)
        streamed = await http.put("/training/v1/uploads", content=chunked())
    for response, method in ((sized, "POST"), (streamed, "PUT")):
        assert response.status_code == 200, response.text
        assert response.json()["method"] == method
        assert response.json()["body_length"] == len(body)
        assert response.json()["body_prefix"] == "0123456789abcdef"
    # The framing the caller chose reaches the service: a length, or chunks.
    assert dict(sized.json()["headers"])["content-length"] == str(len(body))
    assert dict(streamed.json()["headers"])["transfer-encoding"] == "chunked"


async def test_a_body_over_the_limit_is_refused_with_or_without_a_length(
    gateway_settings: Any, open_gateway: Any, echo_url: str
) -> None:
    body = b"x" * 5_000

    async def chunked() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 1_000):
            yield body[start : start + 1_000]

    settings = gateway_settings(training_url=echo_url, max_body_bytes=2_000)
    async with open_gateway(settings) as (http, _):
        sized = await http.post("/training/v1/uploads", content=body)
        streamed = await http.post("/training/v1/uploads", content=chunked())
    assert sized.status_code == 413
    assert streamed.status_code == 413
    assert streamed.headers["content-type"] == "application/problem+json"


# ---------------------------------------------------------------- paths


@pytest.mark.parametrize(
    "path",
    [
        "/kpi/v1/%2e%2e/metrics",
        "/kpi/v1/events/%2E%2E/%2e%2e/health/ready",
        "/kpi/v1/events%2fsecret",
        "/kpi/v1/events%5Csecret",
        "/kpi/v1//events",
        "/kpi/v1/%2e/events",
        "/kpi/v1/events%00",
    ],
)
async def test_paths_that_could_reach_past_the_contract_are_refused(
    gateway_settings: Any, open_gateway: Any, path: str
) -> None:
    async with open_gateway(gateway_settings()) as (http, _):
        response = await http.get(path)
    assert response.status_code == 400, response.text
    assert response.json()["type"].endswith(":unsafe-path")


@pytest.mark.parametrize("path", ["/kpi/metrics", "/kpi/health/ready", "/kpi/openapi.json", "/kpi"])
async def test_only_the_services_apis_are_routed(
    gateway_settings: Any, open_gateway: Any, path: str
) -> None:
    async with open_gateway(gateway_settings()) as (http, _):
        response = await http.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_unknown_prefix_is_a_problem_404(gateway_settings: Any, open_gateway: Any) -> None:
    async with open_gateway(gateway_settings()) as (http, _):
        response = await http.get("/billing/v1/invoices")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]


def test_path_rules() -> None:
    # The one path check (the edge's), which every request passes before the proxy.
    assert unsafe_path("/kpi/v1/events", b"/kpi/v1/events") is None
    assert unsafe_path("/kpi/v1/a%b", b"/kpi/v1/a%25b") is None
    assert unsafe_path("/kpi/v1/..", None) is not None
    assert unsafe_path("/kpi/v1/a/b", b"/kpi/v1/a%2Fb") is not None


def test_only_a_whole_small_problem_with_a_path_instance_is_rewritten() -> None:
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", b"99")]
    body, out = problem_under_prefix(b'{"status":404,"instance":"/v1/x"}', headers, b"/kpi")
    assert body == b'{"status":404,"instance":"/kpi/v1/x"}'
    assert (b"content-length", str(len(body)).encode()) in out
    for untouched in (b'{"instance":"//evil.example/x"}', b'{"instance":7}', b"not json", b"[]"):
        assert problem_under_prefix(untouched, headers, b"/kpi") == (untouched, headers)


def test_header_rules() -> None:
    sent = [
        (b"Host", b"gw:8000"),
        (b"Connection", b"close, X-Private"),
        (b"X-Private", b"1"),
        (b"X-Kept", b"2"),
        (b"Forwarded", b"for=6.6.6.6"),
        (b"X-Request-ID", b"theirs"),
        (b"Host", b"second"),
    ]
    assert request_headers(sent) == ([("x-kept", "2")], "gw:8000")
    # A Connection list cannot take off what decides the caller and the answer (a shared cache
    # varies on Accept-Language; Authorization makes the caller who they are).
    listed = [
        (b"Connection", b"Accept-Language, Authorization, If-None-Match, X-Private"),
        (b"Accept-Language", b"nn"),
        (b"Authorization", b"Bearer t"),
        (b"If-None-Match", b'"1"'),
        (b"X-Private", b"1"),
    ]
    assert request_headers(listed) == (
        [("accept-language", "nn"), ("authorization", "Bearer t"), ("if-none-match", '"1"')],
        None,
    )
    answered = [
        (b"Connection", b"x-private"),
        (b"X-Private", b"1"),
        (b"Location", b"/v1/things/7"),
        (b"Content-Location", b"//elsewhere.example/x"),
        (b"Link", b'</v1/x?cursor=1>; rel="next"'),
        (b"Date", b"today"),
        (b"Server", b"uvicorn"),
    ]
    assert response_headers(answered, b"/kpi") == [
        (b"location", b"/kpi/v1/things/7"),
        (b"content-location", b"//elsewhere.example/x"),
        (b"link", b'</kpi/v1/x?cursor=1>; rel="next"'),
    ]
    assert forwarded(None, "https", 'odd"host') == 'for=unknown;proto=https;host="odd\\"host"'
    assert forwarded("10.0.0.1", "http", "gw:8000") == 'for=10.0.0.1;proto=http;host="gw:8000"'
    assert forwarded("2001:db8::7", "http", None) == 'for="[2001:db8::7]";proto=http'


# ---------------------------------------------------------------- faults


async def test_a_service_that_is_down_answers_503_at_once(
    gateway_settings: Any, open_gateway: Any, dead_url: str, gateway_key: Any
) -> None:
    # A refused connection is answered at once, not after the connect timeout: with a 30 s
    # timeout, an answer within a few seconds can only be the refusal itself.
    settings = gateway_settings(helpdesk_url=dead_url, upstream_connect_timeout_seconds=30)
    async with open_gateway(settings) as (http, _):
        started = time.perf_counter()
        down = await http.get("/helpdesk/v1/events")
        elapsed = time.perf_counter() - started
        other = await http.get("/kpi/v1/events", headers=bearer(token(gateway_key[1])))
    assert down.status_code == 503
    assert elapsed < 10
    assert down.headers["retry-after"]
    assert down.headers["content-type"] == "application/problem+json"
    assert "helpdesk" in down.json()["detail"]
    assert other.status_code == 200


async def test_a_slow_service_answers_504(
    gateway_settings: Any, open_gateway: Any, raw_server: Any
) -> None:
    async def silent(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await reader.read(65_536)
        await stop.wait()

    async with raw_server(silent) as url:
        settings = gateway_settings(helpdesk_url=url, upstream_read_timeout_seconds=0.2)
        async with open_gateway(settings) as (http, _):
            response = await http.get("/helpdesk/v1/tickets")
    assert response.status_code == 504
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_broken_answer_is_a_502(
    gateway_settings: Any, open_gateway: Any, raw_server: Any
) -> None:
    async def garbage(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await reader.read(65_536)
        writer.write(b"THIS IS NOT HTTP\r\n\r\n")
        await writer.drain()

    async with (
        raw_server(garbage) as url,
        open_gateway(gateway_settings(helpdesk_url=url)) as (http, _),
    ):
        response = await http.get("/helpdesk/v1/tickets")
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_connection_cut_mid_body_is_never_a_complete_answer(
    gateway_settings: Any, open_gateway: Any, raw_server: Any
) -> None:
    async def cut(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await reader.read(65_536)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a part")
        await writer.drain()

    async with (
        raw_server(cut) as url,
        open_gateway(gateway_settings(helpdesk_url=url)) as (http, _),
    ):
        # The status line was already sent: the gateway breaks the response off by raising out
        # of the application (the in-process transport re-raises it; a server cuts the
        # connection, as tests/processes/test_gateway_faults.py shows).
        with pytest.raises(ResponseCutShort) as cut_short:
            await http.get("/helpdesk/v1/tickets")
    assert isinstance(cut_short.value.__cause__, aiohttp.ClientPayloadError)


async def test_a_connection_cut_before_the_first_body_byte_is_a_502(
    gateway_settings: Any, open_gateway: Any, raw_server: Any
) -> None:
    async def cut(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await reader.read(65_536)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        await writer.drain()

    async with (
        raw_server(cut) as url,
        open_gateway(gateway_settings(helpdesk_url=url)) as (http, _),
    ):
        response = await http.get("/helpdesk/v1/tickets")
    # The gateway holds the status line until the first body bytes arrive, so nothing was
    # sent yet and the caller gets a clean problem instead of a cut.
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(":upstream-broken")

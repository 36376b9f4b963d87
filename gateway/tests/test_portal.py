"""The kpi service's public portal pages through the gateway: `/portal/...` passed on under the
same path, `/` as the portal's home, read-only, through the same machinery as the APIs."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest

from chassis.testing import tampered
from gateway.proxy.middleware import portal_target

from .test_proxy import bearer, token

PAGE_TAG = '"page-1"'
VARY = "Accept-Language, Cookie"
CACHE = "public, max-age=60"


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]


@dataclass
class PortalUpstream:
    """Stands for the kpi service's portal: pages under `/portal` (HTML in the language of
    `?lang=`, else of the `lang` cookie, which every page sets; an ETag and its 304; a redirect
    of `/portal` to `/portal/`; a 404 problem), and its API under `/v1` (JSON), both recorded.
    Anything else (the gateway reading the contract) is a plain 404, not recorded."""

    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        path: str = scope["path"]
        if not path.startswith(("/portal", "/v1/")):
            await _answer(send, 404, [], b"")
            return
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            key, text = name.decode("latin-1"), value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        self.seen.append(Seen(scope["method"], path, scope["query_string"].decode(), headers))
        if path.startswith("/v1/"):
            await _answer(send, 200, [(b"content-type", b"application/json")], b"{}")
        elif path == "/portal":
            await _answer(send, 308, [(b"location", b"/portal/")], b"")
        elif path == "/portal/missing":
            problem = {"type": "about:blank", "status": 404, "instance": "/portal/missing"}
            await _answer(
                send, 404, [(b"content-type", b"application/problem+json")], json.dumps(problem)
            )
        elif headers.get("if-none-match") == PAGE_TAG:
            await _answer(send, 304, _cache_headers(), b"")
        else:
            # The language switch: `?lang=` chooses, the cookie remembers.
            query = dict(parse_qsl(scope["query_string"].decode()))
            cookies = dict(parse_qsl(headers.get("cookie", "").replace("; ", "&")))
            language = query.get("lang") or cookies.get("lang") or "nb"
            body = f"<p lang={language}>{path}?{scope['query_string'].decode()}</p>"
            await _answer(
                send,
                200,
                [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-language", language.encode()),
                    (b"set-cookie", f"lang={language}; Path=/; SameSite=Lax".encode()),
                    (b"set-cookie", b"seen=1; Path=/; HttpOnly"),
                    *_cache_headers(),
                ],
                body,
            )


def _cache_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"etag", PAGE_TAG.encode()),
        (b"vary", VARY.encode()),
        (b"cache-control", CACHE.encode()),
    ]


async def _answer(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: Any) -> None:
    data = body.encode() if isinstance(body, str) else body
    headers = [*headers, (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


@pytest.fixture
async def portal(serve: Any) -> Any:
    """`(upstream, url)`: a PortalUpstream served on a loopback port."""
    upstream = PortalUpstream()
    async with serve(upstream) as url:
        yield upstream, url


async def asgi_get(app: Any, raw_path: bytes) -> tuple[int, dict[str, Any]]:
    """A GET sent to the application as a server hands it over, the path exactly as written
    (an HTTP client would remove its dot segments first)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_path.decode()),
        "raw_path": raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"gateway.test")],
        "client": ("192.0.2.10", 51000),
        "server": ("gateway.test", 80),
    }
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    body = b"".join(message.get("body", b"") for message in messages[1:])
    return messages[0]["status"], json.loads(body)


# ---------------------------------------------------------------- which paths are the portal's


def test_portal_paths() -> None:
    assert portal_target("/") is not None
    assert portal_target("/")[1] == "/portal/"  # type: ignore[index]
    for path in ("/portal", "/portal/", "/portal/libraries/NO-2030000", "/portal/static/a.css"):
        target = portal_target(path)
        assert target is not None
        assert target[1] == path
        assert target[0].path == "/portal/{path}"
    for path in ("/portalx", "/portal.html", "/portals/x", "/kpi/portal/", "/Portal/", "//"):
        assert portal_target(path) is None, path


async def test_the_merged_contract_does_not_list_the_pages(
    gateway_settings: Any, open_gateway: Any
) -> None:
    # Against the real kpi service: its pages are outside its contract, so outside the gateway's.
    async with open_gateway(gateway_settings()) as (http, _):
        document = (await http.get("/openapi.json")).json()
    assert document["paths"]
    assert [path for path in document["paths"] if "portal" in path or path == "/"] == []


# ---------------------------------------------------------------- passed on as they are


async def test_portal_pages_reach_kpi_under_their_own_path(
    gateway_settings: Any, open_gateway: Any, portal: Any
) -> None:
    upstream, url = portal
    async with open_gateway(gateway_settings(kpi_url=url)) as (http, _):
        home = await http.get("/portal/", headers={"X-Request-ID": "portal-1"})
        page = await http.get("/portal/x?y=z&lang=nn&q=a%2Fb")
        static = await http.get("/portal/static/portal.css")
        bare = await http.get("/portal")
        missing = await http.get("/portal/missing")
    assert home.status_code == 200, home.text
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert home.text == "<p lang=nb>/portal/?</p>"
    assert page.text == "<p lang=nn>/portal/x?y=z&lang=nn&q=a%2Fb</p>"
    assert static.status_code == 200
    assert [(s.method, s.path, s.query) for s in upstream.seen] == [
        ("GET", "/portal/", ""),
        ("GET", "/portal/x", "y=z&lang=nn&q=a%2Fb"),
        ("GET", "/portal/static/portal.css", ""),
        ("GET", "/portal", ""),
        ("GET", "/portal/missing", ""),
    ]
    # The request id and the Forwarded element, as for the APIs.
    assert upstream.seen[0].headers["x-request-id"] == "portal-1"
    assert home.headers.get_list("x-request-id") == ["portal-1"]
    assert upstream.seen[0].headers["forwarded"] == "for=192.0.2.10;proto=http;host=gateway.test"
    # The portal's paths are the gateway's: its links and problems are not put under /kpi.
    assert (bare.status_code, bare.headers["location"]) == (308, "/portal/")
    assert missing.status_code == 404
    assert missing.json()["instance"] == "/portal/missing"


async def test_the_landing_page_is_the_portals_home(
    gateway_settings: Any, open_gateway: Any, portal: Any
) -> None:
    upstream, url = portal
    async with open_gateway(gateway_settings(kpi_url=url)) as (http, _):
        landing = await http.get("/", params={"lang": "nn"})
        home = await http.get("/portal/", params={"lang": "nn"})
    assert landing.status_code == 200, landing.text
    assert landing.text == "<p lang=nn>/portal/?lang=nn</p>"
    assert landing.text == home.text
    assert landing.headers["etag"] == home.headers["etag"]
    assert [(s.path, s.query) for s in upstream.seen] == [("/portal/", "lang=nn")] * 2


async def test_head_is_answered_wherever_get_is(
    gateway_settings: Any, open_gateway: Any, portal: Any
) -> None:
    upstream, url = portal
    async with open_gateway(gateway_settings(kpi_url=url)) as (http, _):
        pairs = [(await http.get(path), await http.head(path)) for path in ("/portal/x", "/")]
    for got, head in pairs:
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == got.headers["content-length"] != "0"
        assert head.headers["etag"] == PAGE_TAG
    # The kit's edge hands a HEAD to the application as a GET and drops the body on the way out,
    # for the APIs and the portal alike: the service is asked a GET.
    assert [(s.method, s.path) for s in upstream.seen] == [
        ("GET", "/portal/x"),
        ("GET", "/portal/x"),
        ("GET", "/portal/"),
        ("GET", "/portal/"),
    ]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/portal/x"),
        ("PUT", "/portal/"),
        ("DELETE", "/portal"),
        ("PATCH", "/portal/libraries/NO-2030000"),
        ("OPTIONS", "/portal/"),
        ("POST", "/"),
    ],
)
async def test_the_portal_is_read_only(
    gateway_settings: Any, open_gateway: Any, portal: Any, method: str, path: str
) -> None:
    upstream, url = portal
    async with open_gateway(gateway_settings(kpi_url=url)) as (http, _):
        response = await http.request(method, path, content=b"lang=nn")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(":method-not-allowed")
    assert response.json()["instance"] == path
    assert upstream.seen == []


async def test_cookies_and_languages_reach_kpi_and_its_caching_headers_come_back(
    gateway_settings: Any, open_gateway: Any, portal: Any
) -> None:
    upstream, url = portal
    sent = {"Cookie": "lang=nn; seen=1", "Accept-Language": "nn, nb;q=0.8, en;q=0.5"}
    async with open_gateway(gateway_settings(kpi_url=url)) as (http, _):
        page = await http.get("/portal/municipalities/4601", headers=sent)
        again = await http.get(
            "/portal/municipalities/4601", headers={**sent, "If-None-Match": PAGE_TAG}
        )
    received = upstream.seen[0].headers
    assert received["cookie"] == "lang=nn; seen=1"
    assert received["accept-language"] == "nn, nb;q=0.8, en;q=0.5"
    assert upstream.seen[1].headers["if-none-match"] == PAGE_TAG
    assert page.status_code == 200
    assert page.text.startswith("<p lang=nn>")
    assert page.headers["content-language"] == "nn"
    assert page.headers.get_list("set-cookie") == [
        "lang=nn; Path=/; SameSite=Lax",
        "seen=1; Path=/; HttpOnly",
    ]
    for response in (page, again):
        assert response.headers["etag"] == PAGE_TAG
        assert response.headers.get_list("vary") == [VARY]
        assert response.headers["cache-control"] == CACHE
    assert again.status_code == 304
    assert again.content == b""


# ---------------------------------------------------------------- identity, limits, metrics


async def test_a_token_sent_with_a_page_is_taken_as_the_api_takes_it(
    gateway_settings: Any, open_gateway: Any, portal: Any, gateway_key: Any
) -> None:
    upstream, url = portal
    good = token(gateway_key[1])
    async with open_gateway(gateway_settings(kpi_url=url)) as (http, _):
        accepted = await http.get("/portal/", headers=bearer(good))
        refused = await http.get("/portal/", headers=bearer(tampered(good)))
        landing = await http.get("/", headers=bearer(tampered(good)))
        api = await http.get("/kpi/v1/events", headers=bearer(tampered(good)))
    assert accepted.status_code == 200
    assert upstream.seen[0].headers["authorization"] == f"Bearer {good}"
    for response in (refused, landing, api):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith('Bearer realm="library-platform"')
    assert refused.json()["instance"] == "/portal/"
    assert landing.json()["instance"] == "/"
    assert refused.json()["type"] == api.json()["type"]
    # A token that does not verify never reaches the service.
    assert len(upstream.seen) == 1


async def test_pages_count_against_the_callers_address(
    gateway_settings: Any, open_gateway: Any, portal: Any
) -> None:
    _, url = portal
    settings = gateway_settings(
        kpi_url=url, rate_limit_address_burst=5, rate_limit_address_per_second=0.001
    )
    async with open_gateway(settings) as (http, _):
        answers = [
            await http.get(path) for path in ("/", "/portal/", "/portal/a?b=c", "/kpi/v1/x", "/")
        ]
        over = await http.get("/portal/d")
    assert [a.status_code for a in answers] == [200] * 5
    # One bucket per address for the pages and the APIs alike.
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["4", "3", "2", "1", "0"]
    assert over.status_code == 429
    assert over.headers["retry-after"]


async def test_metrics_name_the_portals_two_templates(
    gateway_settings: Any, open_gateway: Any, portal: Any
) -> None:
    _, url = portal
    settings = gateway_settings(kpi_url=url, metrics_token="scrape-me")
    async with open_gateway(settings) as (http, _):
        for path in ("/", "/portal/", "/portal/a", "/portal/b?c=d", "/portal/static/x.js"):
            await http.get(path)
        await http.head("/portal/a")
        await http.post("/portal/a")
        metrics = (await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})).text
    assert 'http_requests_total{method="GET",route="/",status="200"} 1.0' in metrics
    assert 'http_requests_total{method="GET",route="/portal/{path}",status="200"} 4.0' in metrics
    assert 'http_requests_total{method="HEAD",route="/portal/{path}",status="200"} 1.0' in metrics
    assert 'http_requests_total{method="POST",route="/portal/{path}",status="405"} 1.0' in metrics
    assert 'route="/portal/a"' not in metrics


# ---------------------------------------------------------------- paths that are not the portal's


@pytest.mark.parametrize("path", ["/portalx", "/portalx/y", "/portal.css", "/kpi/portal/"])
async def test_only_the_portal_prefix_goes_to_the_portal(
    gateway_settings: Any, open_gateway: Any, portal: Any, path: str
) -> None:
    upstream, url = portal
    async with open_gateway(gateway_settings(kpi_url=url)) as (http, _):
        response = await http.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert upstream.seen == []


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/portal/../kpi/v1/events",
        b"/portal/../v1/events",
        b"/portal/./x",
        b"/portal/x/..",
        b"/portal/%2e%2e/health/ready",
        b"/portal/%2E%2E/%2e%2e/metrics",
        b"/portal/static/%2e%2e%2fsecret",
        b"/portal/static/a%2fb",
        b"/portal/static/a%5cb",
        b"/portal//x",
        b"/portal/x%00",
    ],
)
async def test_paths_that_could_climb_out_of_the_portal_are_refused_at_the_edge(
    gateway_settings: Any, open_gateway: Any, portal: Any, raw_path: bytes
) -> None:
    upstream, url = portal
    async with open_gateway(gateway_settings(kpi_url=url)) as (_, app):
        status, problem = await asgi_get(app, raw_path)
    assert status == 400
    assert problem["type"].endswith(":unsafe-path")
    assert upstream.seen == []


async def test_long_queries_and_large_headers_are_taken_as_the_api_takes_them(
    gateway_settings: Any, open_gateway: Any, portal: Any
) -> None:
    upstream, url = portal
    # The edge bounds the headers (GATEWAY_MAX_HEADER_BYTES), not the query; the server's own
    # bound on the whole head is chassis.server's (decision 0038), before any route is known.
    query = "q=" + "a" * 30_000
    cookie = {"Cookie": "lang=nn; pad=" + "b" * 20_000}
    async with open_gateway(gateway_settings(kpi_url=url, max_header_bytes=16_384)) as (http, _):
        long_page = await http.get(f"/portal/x?{query}")
        long_api = await http.get(f"/kpi/v1/x?{query}")
        big_page = await http.get("/portal/x", headers=cookie)
        big_api = await http.get("/kpi/v1/x", headers=cookie)
    assert (long_page.status_code, long_api.status_code) == (200, 200)
    assert [len(s.query) for s in upstream.seen] == [len(query)] * 2
    assert (big_page.status_code, big_api.status_code) == (431, 431)
    assert big_page.json()["type"] == big_api.json()["type"]
    assert len(upstream.seen) == 2


# ---------------------------------------------------------------- faults


async def test_kpi_down_answers_the_pages_as_it_answers_the_api(
    gateway_settings: Any, open_gateway: Any, dead_url: str, raw_server: Any
) -> None:
    async with open_gateway(gateway_settings(kpi_url=dead_url)) as (http, _):
        page = await http.get("/portal/")
        landing = await http.get("/")
        api = await http.get("/kpi/v1/events")
    for response in (page, landing, api):
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"]
        assert response.json()["type"].endswith(":upstream-unavailable")
        assert response.json()["detail"] == api.json()["detail"]
    assert page.json()["instance"] == "/portal/"

    async def garbage(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await reader.read(65_536)
        writer.write(b"THIS IS NOT HTTP\r\n\r\n")
        await writer.drain()

    async with (
        raw_server(garbage) as url,
        open_gateway(gateway_settings(kpi_url=url)) as (http, _),
    ):
        broken_page = await http.get("/portal/x")
        broken_api = await http.get("/kpi/v1/events")
    for response in (broken_page, broken_api):
        assert response.status_code == 502
        assert response.json()["type"].endswith(":upstream-broken")
    assert broken_page.json()["detail"] == broken_api.json()["detail"]


async def test_the_pages_share_the_kpi_services_breaker(
    gateway_settings: Any, open_gateway: Any, dead_url: str
) -> None:
    settings = gateway_settings(
        kpi_url=dead_url, upstream_breaker_failures=2, upstream_breaker_cool_down_seconds=30
    )
    async with open_gateway(settings) as (http, _):
        refused = [await http.get("/portal/") for _ in range(2)]
        api = await http.get("/kpi/v1/events")
    assert [r.status_code for r in refused] == [503, 503]
    assert "not reachable" in refused[0].json()["detail"]
    # One service, one breaker: its pages failing opens it for its API too.
    assert api.status_code == 503
    assert "stops calling" in api.json()["detail"]

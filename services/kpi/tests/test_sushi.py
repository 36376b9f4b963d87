"""SUSHI: a product's endpoint saved with its credentials sealed (never read back, masked in the
trail), the URL judged at registration (private, loopback, link-local and NAT64 targets refused:
a fake resolver answers the names) and again when the harvest connects; the harvest on the kit's
job against a real local HTTP server serving the COUNTER samples (loopback http allowed by the
test's settings only): each month once with two runners, a failure retried with backoff, then
recorded for the administrator."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from kpi_factories import add_hierarchy, add_product, committed, events_of, row_count
from sqlalchemy import select, text

from chassis.jobs import JobRunner
from chassis.outbound import HostNotResolved, OutboundClient
from chassis.runtime import app_runtime, resources_of
from chassis.types import utcnow
from kpi.db import audit_log, outbox
from kpi.resources import KpiResources
from kpi.settings import KpiSettings
from kpi.sushi.client import sushi_policy
from kpi.sushi.deps import host_resolver
from kpi.sushi.jobs import HARVEST_SUSHI, fetch_due
from kpi.sushi.models import SushiEndpoint, SushiHarvest
from kpi.sushi.service import next_due, previous_month
from kpi.usage.models import UsageReport

DATA = Path(__file__).resolve().parent / "data" / "counter"
SECRET = "s" * 40
API_KEY = "key-7f3a9c-very-secret"
REQUESTOR = "requestor-51b2"
CUSTOMER = "customer-0042"
REPORTS = {"pr": "cop5-503-Sample-PR.json", "tr": "cop5-51-TR_sample_r51.json"}


class FakeResolver:
    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names

    async def addresses(self, host: str, port: int) -> list[str]:
        if host not in self.names:
            raise HostNotResolved("NXDOMAIN")
        return self.names[host]


class Vendor:
    """A real HTTP server answering SUSHI report requests with the published samples."""

    def __init__(self) -> None:
        self.asked: list[dict[str, list[str]]] = []
        # Answers before the samples: a status and a body (5xx, an Exceptions-only reply).
        self.failures: list[tuple[int, bytes]] = []
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                with vendor.lock:
                    vendor.asked.append(query)
                    failure = vendor.failures.pop(0) if vendor.failures else None
                if failure is not None:
                    self._answer(*failure)
                    return
                if query.get("api_key") != [API_KEY] or query.get("customer_id") != [CUSTOMER]:
                    self._answer(401, b'{"Code": 2020, "Severity": "Error", "Message": "No"}')
                    return
                report = parts.path.rsplit("/", 1)[-1]
                if report not in REPORTS:
                    self._answer(404, b"{}")
                    return
                self._answer(200, (DATA / REPORTS[report]).read_bytes())

        return Handler


@pytest.fixture
def vendor() -> Iterator[tuple[str, Vendor]]:
    found = Vendor()
    server = ThreadingHTTPServer(("127.0.0.1", 0), found.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/counter/r5", found
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _body(base_url: str, **overrides: Any) -> dict[str, Any]:
    last = previous_month(utcnow().date())
    return {
        "base_url": base_url,
        "customer_id": CUSTOMER,
        "requestor_id": REQUESTOR,
        "api_key": API_KEY,
        "report_id": "PR",
        "organisation": "county:18",
        "harvest_from": f"{last.year:04d}-{last.month:02d}",
    } | overrides


def _open(open_kpi: Any, port: int | None = None, **sushi: Any) -> Any:
    settings: dict[str, Any] = {"sealing_secret": SECRET, "retry_base_seconds": 60} | sushi
    if port is not None:
        settings |= {"allow_loopback_http": True, "ports": [port]}
    return open_kpi(sushi=settings, jobs={"enabled": False})


def _runner(app: Any) -> JobRunner:
    runtime = app_runtime(app)
    return JobRunner(runtime.db, [HARVEST_SUSHI], runtime.settings, runtime=runtime)


async def _harvests(app: Any) -> list[SushiHarvest]:
    async with committed(app) as session:
        return list((await session.scalars(select(SushiHarvest))).all())


async def _everything_kept(app: Any) -> str:
    """Every stored text a secret could leak into: the endpoint's row, the trail, the events."""
    async with committed(app) as session:
        rows = [
            *(await session.execute(select(SushiEndpoint))).all(),
            *(await session.execute(select(SushiHarvest))).all(),
            *(await session.execute(select(audit_log))).all(),
            *(await session.execute(select(outbox))).all(),
        ]
    return repr(rows)


async def test_an_endpoint_keeps_its_credentials_secret(open_kpi, issuer):
    resolver = FakeResolver({"sushi.vendor.example": ["93.184.216.34"]})
    async with _open(open_kpi) as (client, app):
        app.dependency_overrides[host_resolver] = lambda: resolver
        await add_hierarchy(app)
        product = await add_product(app)
        analyst = issuer.headers("analyst")
        url = f"/v1/sushi-endpoints/{product}"
        saved = await client.put(
            url, json=_body("https://sushi.vendor.example/r51"), headers=analyst
        )
        assert saved.status_code == 201, saved.text
        body = saved.json()
        assert body["credentials"] == ["api_key", "customer_id", "requestor_id"]
        for secret in (API_KEY, REQUESTOR, CUSTOMER):
            assert secret not in saved.text
        read = await client.get(url, headers=analyst)
        listed = await client.get("/v1/sushi-endpoints", headers=analyst)
        assert read.json() == body
        assert listed.json()["items"] == [body]
        # Saved again: replaced (200), and still nothing secret anywhere it is kept.
        again = await client.put(
            url,
            json=_body("https://sushi.vendor.example/r51", requestor_id=None),
            headers=analyst,
        )
        assert again.status_code == 200
        assert again.json()["credentials"] == ["api_key", "customer_id"]
        kept = await _everything_kept(app)
        for secret in (API_KEY, REQUESTOR, CUSTOMER):
            assert secret not in kept
        assert "***" in kept
        assert len(await events_of(app, "sushi_endpoint.saved")) == 2
        # Only analysts save; a staff token is refused.
        refused = await client.put(
            url, json=_body("https://sushi.vendor.example/r51"), headers=issuer.headers("staff")
        )
        assert refused.status_code == 403


@pytest.mark.parametrize(
    ("url", "addresses", "status", "kind"),
    [
        ("http://sushi.vendor.example/r5", ["93.184.216.34"], 422, "sushi-url-not-allowed"),
        ("https://sushi.vendor.example:8443/r5", ["93.184.216.34"], 422, "sushi-url-not-allowed"),
        (
            "https://user:pw@sushi.vendor.example/r5",
            ["93.184.216.34"],
            422,
            "sushi-url-not-allowed",
        ),
        ("https://sushi.vendor.example/r5", ["10.0.0.5"], 422, "sushi-url-not-public"),
        ("https://sushi.vendor.example/r5", ["127.0.0.1"], 422, "sushi-url-not-public"),
        ("https://sushi.vendor.example/r5", ["169.254.169.254"], 422, "sushi-url-not-public"),
        ("https://sushi.vendor.example/r5", ["64:ff9b::7f00:1"], 422, "sushi-url-not-public"),
        ("https://sushi.vendor.example/r5", ["64:ff9b:1::5db8:d822"], 422, "sushi-url-not-public"),
        ("https://[::1]/r5", [], 422, "sushi-url-not-public"),
        ("https://nowhere.example/r5", [], 422, "sushi-url-unresolvable"),
    ],
)
async def test_a_url_the_harvester_must_not_call_is_refused(
    open_kpi, issuer, url, addresses, status, kind
):
    resolver = FakeResolver({"sushi.vendor.example": addresses} if addresses else {})
    async with _open(open_kpi) as (client, app):
        app.dependency_overrides[host_resolver] = lambda: resolver
        product = await add_product(app)
        answer = await client.put(
            f"/v1/sushi-endpoints/{product}",
            json=_body(url, organisation=None),
            headers=issuer.headers("analyst"),
        )
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith(kind)
        assert answer.json()["errors"][0]["location"] == "body.base_url"
        assert await row_count(app, SushiEndpoint) == 0


async def test_missing_credentials_or_product_are_refused(open_kpi, issuer):
    resolver = FakeResolver({"sushi.vendor.example": ["93.184.216.34"]})
    async with _open(open_kpi) as (client, app):
        app.dependency_overrides[host_resolver] = lambda: resolver
        product = await add_product(app)
        body = _body("https://sushi.vendor.example/r5", organisation=None)
        del body["customer_id"]
        missing = await client.put(
            f"/v1/sushi-endpoints/{product}", json=body, headers=issuer.headers("analyst")
        )
        assert missing.status_code == 422
        assert "customer_id" in missing.text
        empty = await client.put(
            f"/v1/sushi-endpoints/{product}",
            json=_body("https://sushi.vendor.example/r5", organisation=None, api_key=""),
            headers=issuer.headers("analyst"),
        )
        assert empty.status_code == 422
        unknown = await client.put(
            f"/v1/sushi-endpoints/{uuid.uuid4()}",
            json=_body("https://sushi.vendor.example/r5", organisation=None),
            headers=issuer.headers("analyst"),
        )
        assert unknown.status_code == 404
        assert await row_count(app, SushiEndpoint) == 0


async def test_loopback_http_is_refused_unless_the_settings_allow_it(open_kpi, issuer, vendor):
    base, server = vendor
    async with _open(open_kpi) as (client, app):
        product = await add_product(app)
        answer = await client.put(
            f"/v1/sushi-endpoints/{product}",
            json=_body(base, organisation=None),
            headers=issuer.headers("analyst"),
        )
        assert answer.status_code == 422
        settings = app_runtime(app).settings
        assert isinstance(settings, KpiSettings)
        assert KpiSettings().sushi.allow_loopback_http is False
    assert server.asked == []


async def _save(client: Any, issuer: Any, product: uuid.UUID, base: str, **body: Any) -> None:
    saved = await client.put(
        f"/v1/sushi-endpoints/{product}",
        json=_body(base, **body),
        headers=issuer.headers("analyst"),
    )
    assert saved.status_code == 201, saved.text


async def test_the_job_harvests_each_month_once_as_an_upload(open_kpi, issuer, vendor):
    base, server = vendor
    port = int(base.split(":")[2].split("/")[0])
    async with _open(open_kpi, port) as (client, app):
        await add_hierarchy(app)
        product = await add_product(app)
        await _save(client, issuer, product, base)
        # Two replicas' runners at once: one run harvests the month, the other finds nothing.
        runners = [_runner(app), _runner(app)]
        await runners[0].ensure_rows()
        now = utcnow()
        ran = await asyncio.gather(*(r.run_due(now) for r in runners))
        assert sorted(ran) == [[], [("harvest-sushi", "ok")]]
        for runner in runners:
            await runner.run_due(now + timedelta(seconds=1))
        assert len(server.asked) == 1
        asked = server.asked[0]
        last = previous_month(now.date())
        month = f"{last.year:04d}-{last.month:02d}"
        assert asked["begin_date"] == [month]
        assert asked["end_date"] == [month]
        assert asked["requestor_id"] == [REQUESTOR]
        (harvest,) = await _harvests(app)
        assert (harvest.status, harvest.attempts, harvest.last_error) == ("done", 1, None)
        # Recorded as an upload is: the report, its counts, its event, for the endpoint's county.
        assert await row_count(app, UsageReport) == 1
        uploaded = await client.get(
            f"/v1/usage-reports/{harvest.usage_report_id}", headers=issuer.headers("analyst")
        )
        assert uploaded.json()["report_id"] == "PR"
        assert uploaded.json()["uploaded_by"] == "harvest:sushi"
        (event,) = await events_of(app, "usage_report.uploaded")
        assert event["organisation"] == "18"
        listed = await client.get(
            f"/v1/sushi-endpoints/{product}/harvests", headers=issuer.headers("operator")
        )
        assert [h["status"] for h in listed.json()] == ["done"]
        # Nothing more is due: later runs ask nothing.
        assert await next_due(app_runtime(app).db, now=now + timedelta(days=1)) is None


async def test_a_failure_is_retried_with_backoff_then_shown(open_kpi, issuer, vendor):
    base, server = vendor
    port = int(base.split(":")[2].split("/")[0])
    async with _open(open_kpi, port, max_attempts=3) as (client, app):
        product = await add_product(app)
        await _save(client, issuer, product, base, organisation=None)
        server.failures = [
            (500, b"oops"),
            # COUNTER's "queued for processing": Exceptions and no report.
            (202, (DATA / "nigiri-5-naked_errors.json").read_bytes()),
            (503, b"down"),
        ]
        runner = _runner(app)
        await runner.ensure_rows()
        now = utcnow()
        assert await runner.run_due(now) == [("harvest-sushi", "ok")]
        (harvest,) = await _harvests(app)
        assert (harvest.status, harvest.attempts) == ("pending", 1)
        assert "500" in (harvest.last_error or "")
        assert harvest.next_attempt_at is not None
        first_wait = harvest.next_attempt_at - now
        assert first_wait == timedelta(seconds=60)
        # Not due again before its retry time.
        assert await next_due(app_runtime(app).db, now=now + timedelta(seconds=30)) is None
        second = now + timedelta(seconds=61)
        await runner.run_due(second)
        (harvest,) = await _harvests(app)
        assert (harvest.status, harvest.attempts) == ("pending", 2)
        assert "1011" in (harvest.last_error or "")
        assert harvest.next_attempt_at is not None
        assert harvest.next_attempt_at - second == timedelta(seconds=120)  # doubled
        await runner.run_due(second + timedelta(seconds=121))
        (harvest,) = await _harvests(app)
        assert (harvest.status, harvest.attempts) == ("failed", 3)
        shown = await client.get(
            f"/v1/sushi-endpoints/{product}/harvests", headers=issuer.headers("analyst")
        )
        assert shown.json()[0]["status"] == "failed"
        assert "503" in shown.json()[0]["last_error"]
        (failed,) = await events_of(app, "sushi_harvest.failed")
        assert failed["attempts"] == 3
        assert len(server.asked) == 3
        assert await row_count(app, UsageReport) == 0
        kept = await _everything_kept(app)
        assert API_KEY not in kept
        assert CUSTOMER not in kept
        # Saving the endpoint again gives the failed month its attempts back: it succeeds now.
        again = await client.put(
            f"/v1/sushi-endpoints/{product}",
            json=_body(base, organisation=None),
            headers=issuer.headers("analyst"),
        )
        assert again.status_code == 200
        await runner.run_due(second + timedelta(hours=1))
        (harvest,) = await _harvests(app)
        assert harvest.status == "done"
        assert await row_count(app, UsageReport) == 1


async def test_the_harvest_checks_the_address_again_when_it_connects(open_kpi, issuer):
    """Registered while its name resolved to a public address; at harvest time it resolves to a
    loopback one (DNS rebinding): the checked client refuses, the failure is kept, masked."""
    public = FakeResolver({"sushi.vendor.example": ["93.184.216.34"]})
    async with _open(open_kpi) as (client, app):
        app.dependency_overrides[host_resolver] = lambda: public
        product = await add_product(app)
        await _save(client, issuer, product, "https://sushi.vendor.example/r5", organisation=None)
        resources = resources_of(app, KpiResources)
        settings = app_runtime(app).settings
        assert isinstance(settings, KpiSettings)
        for rebound in (["127.0.0.1"], ["169.254.169.254"], ["64:ff9b::a9fe:a9fe"], ["10.1.2.3"]):
            resolver = FakeResolver({"sushi.vendor.example": rebound})
            async with OutboundClient(sushi_policy(settings), resolver=resolver) as checked:
                due = await next_due(app_runtime(app).db, now=utcnow())
                assert due is not None
                fetched = await fetch_due(dataclasses.replace(resources, sushi=checked), due)
            assert fetched.report is None
            assert fetched.error is not None
            assert (
                "not public" in fetched.error
                or "does not resolve" in fetched.error
                or (rebound[0] in fetched.error)
            )
            assert API_KEY not in fetched.error
        async with committed(app) as session:
            sealed = await session.scalar(text("SELECT credentials FROM sushi_endpoints"))
        assert API_KEY.encode() not in bytes(sealed)

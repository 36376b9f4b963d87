"""/health reports every service's readiness; /health/live and /metrics answer for the gateway."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from chassis.migrations import upgrade
from gateway.settings import UPSTREAMS

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


async def test_health_is_ok_when_every_service_is_ready(
    gateway_settings: Any, open_gateway: Any
) -> None:
    async with open_gateway(gateway_settings()) as (http, _):
        response = await http.get("/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["upstreams"]) == set(UPSTREAMS)
    assert all(report["status"] == "ok" for report in body["upstreams"].values())


async def test_health_names_the_service_that_is_not_ready(
    gateway_settings: Any, open_gateway: Any, dead_url: str
) -> None:
    async with open_gateway(gateway_settings(helpdesk_url=dead_url)) as (http, _):
        response = await http.get("/health")
        live = await http.get("/health/live")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"]
    body = response.json()
    assert body["detail"] == "Not ready: helpdesk"
    assert body["upstreams"]["helpdesk"]["status"] == "unavailable"
    assert body["upstreams"]["helpdesk"]["detail"]
    assert body["upstreams"]["kpi"]["status"] == "ok"
    # The gateway itself is alive: one service down must not take it out.
    assert live.status_code == 200


async def test_metrics_count_proxied_requests_per_service(
    gateway_settings: Any, open_gateway: Any
) -> None:
    async with open_gateway(gateway_settings(metrics_token="scrape-me")) as (http, _):
        await http.get("/kpi/v1/events")
        response = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert response.status_code == 200
    assert 'route="/kpi/v1/{path}"' in response.text
    assert "http_request_duration_seconds" in response.text


async def test_calls_to_a_service_carry_the_request_id_of_their_cause(echo_url: str) -> None:
    import aiohttp
    import structlog

    from gateway.upstreams import Upstream, get_json

    async with aiohttp.ClientSession() as session:
        upstream = Upstream(name="kpi", base_url=echo_url, session=session)
        structlog.contextvars.bind_contextvars(request_id="health-check-7")
        try:
            _, body = await get_json(upstream, "/health/ready", 2.0)
        finally:
            structlog.contextvars.clear_contextvars()
    assert ["x-request-id", "health-check-7"] in body["headers"]


@pytest.mark.parametrize(
    ("client", "token", "sent", "status"),
    [
        (("203.0.113.5", 4000), "", None, 404),
        (("203.0.113.5", 4000), "scrape-me", None, 404),
        (("203.0.113.5", 4000), "scrape-me", "Bearer wrong", 404),
        (("203.0.113.5", 4000), "scrape-me", "Bearer scrape-me", 200),
        (("127.0.0.1", 4000), "", None, 200),
        (("::1", 4000), "", None, 200),
    ],
)
async def test_the_gateways_metrics_are_not_public(
    gateway_settings: Any, open_gateway: Any, client: Any, token: str, sent: Any, status: int
) -> None:
    headers = {"Authorization": sent} if sent else {}
    async with open_gateway(gateway_settings(metrics_token=token), client) as (http, _):
        response = await http.get("/metrics", headers=headers)
    assert response.status_code == status, response.text
    if status == 404:
        assert response.headers["content-type"] == "application/problem+json"


async def test_an_unmigrated_database_leaves_the_gateway_alive_and_unready_until_migrated(
    tmp_path: Any, gateway_settings: Any, open_gateway: Any
) -> None:
    """Issue 15, point 15: a gateway started before its migration Job finished does not crash
    (its pods would loop in CrashLoopBackOff); it answers live, not ready, and 503 to everything
    else, and becomes ready by itself once the database is at head."""
    empty = tmp_path / "fresh"
    await asyncio.to_thread(empty.mkdir)
    settings = gateway_settings(data_dir=empty, schema_wait_seconds=0.05)
    async with open_gateway(settings, ready=False) as (http, _app):
        live = await http.get("/health/live")
        ready = await http.get("/health/ready")
        token = await http.post("/auth/token", data={"grant_type": "client_credentials"})
        proxied = await http.get("/catalogue/v1/catalogue/products")
        assert live.status_code == 200
        for answer in (ready, token, proxied):
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.headers["retry-after"]
            assert "not migrated" in answer.json()["detail"]
        await asyncio.to_thread(upgrade, ALEMBIC_INI, settings.resolved_database_url())
        for _ in range(100):
            ready = await http.get("/health/ready")
            if ready.status_code == 200:
                break
            await asyncio.sleep(0.05)
        assert ready.status_code == 200, ready.text
        assert (await http.get("/.well-known/jwks.json")).json()["keys"]


async def test_a_migrated_gateway_is_ready_at_once(
    gateway_settings: Any, open_gateway: Any
) -> None:
    async with open_gateway(gateway_settings()) as (http, _app):
        ready = await http.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}

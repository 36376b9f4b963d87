"""Through the gateway and directly, against the real processes of `make run`."""

import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from chassis.conformance import policy_matrix, rules_from_contract
from chassis.testing import TestIssuer, tampered, unsigned_token
from running_platform import SERVICES

pytestmark = pytest.mark.processes


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_health_names_every_upstream_ready(platform):
    response = httpx.get(f"{platform.gateway}/health")
    assert response.status_code == 200
    upstreams = response.json()["upstreams"]
    assert sorted(upstreams) == sorted(SERVICES)
    assert all(u["status"] == "ok" for u in upstreams.values())


def test_merged_contract_lists_every_service(platform):
    doc = httpx.get(f"{platform.gateway}/openapi.json").json()
    for name in SERVICES:
        assert f"/{name}/v1/events" in doc["paths"], name
    assert "/auth/token" in doc["paths"]
    assert httpx.get(f"{platform.gateway}/docs").status_code == 200


def test_operator_token_reads_every_events_feed_through_the_gateway(platform):
    token = platform.cli_token("operator")
    for name in SERVICES:
        response = httpx.get(f"{platform.gateway}/{name}/v1/events", headers=bearer(token))
        assert response.status_code == 200, (name, response.text)
        page = response.json()
        # The catalogue's, training's and the helpdesk's demo data were written through their
        # trails; kpi's demo figures are loaded in bulk, without events.
        assert all(event["seq"] > 0 for event in page["items"])
        if name in {"catalogue", "training", "helpdesk"}:
            assert page["items"] != [], name
        assert response.headers["x-request-id"]


def test_the_same_token_works_at_the_service_directly(platform):
    response = httpx.get(
        f"{platform.service('kpi')}/v1/events", headers=bearer(platform.token("analyst"))
    )
    assert response.status_code == 200


def test_client_credentials_token_from_the_token_endpoint(platform):
    client = platform.demo_clients()["operator"]
    issued = httpx.post(
        f"{platform.gateway}/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(client["client_id"], client["client_secret"]),
    )
    assert issued.status_code == 200, issued.text
    token = issued.json()["access_token"]
    feed = httpx.get(f"{platform.gateway}/training/v1/events", headers=bearer(token))
    assert feed.status_code == 200


def test_unknown_client_gets_invalid_client(platform):
    response = httpx.post(
        f"{platform.gateway}/auth/token",
        data={"grant_type": "client_credentials"},
        auth=("nobody", "nothing"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def _untrustworthy(platform):
    good = platform.token("operator")
    foreign = TestIssuer(issuer=platform.gateway)
    return {
        "tampered": tampered(good),
        "unsigned": unsigned_token(foreign.claims(["operator"]), foreign.kid),
        "foreign key": foreign.token("operator"),
    }


@pytest.mark.parametrize("case", ["tampered", "unsigned", "foreign key"])
def test_untrustworthy_tokens_get_401_at_the_gateway_and_the_service(platform, case):
    token = _untrustworthy(platform)[case]
    for url in (f"{platform.gateway}/kpi/v1/events", f"{platform.service('kpi')}/v1/events"):
        response = httpx.get(url, headers=bearer(token))
        assert response.status_code == 401, (case, url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_role_without_the_right_gets_403_through_the_gateway(platform):
    response = httpx.get(
        f"{platform.gateway}/helpdesk/v1/events", headers=bearer(platform.token("vendor"))
    )
    assert response.status_code == 403


async def test_role_matrix_through_the_gateway_matches_the_merged_contract(platform):
    async with httpx.AsyncClient(base_url=platform.gateway) as client:
        doc = (await client.get("/openapi.json")).json()
        rules = rules_from_contract(doc)
        # Every service's operations carry their roles in the merged contract; so do the
        # gateway's own client onboarding ones (no prefix), checked with them.
        assert {op.partition(".")[0] for op in rules if "." in op} == set(SERVICES)
        assert {op for op in rules if "." not in op} >= {"create_client", "revoke_client"}
        # The token endpoint and the key set have no roles to check.
        failures = await policy_matrix(client, doc, rules, platform.token, skip_unruled=True)
    assert failures == []


def test_next_page_links_work_through_the_gateway(platform):
    """A service writes Link from its own root; followed through the gateway it must still work."""
    import asyncio

    from chassis.db import Database
    from chassis.outbox import EventData, record_event
    from kpi.models import outbox
    from kpi.settings import KpiSettings

    class Seeded(EventData):
        event_type = "test.seeded"

    async def seed():
        async with (
            Database(KpiSettings(data_dir=platform.data_dir)) as db,
            db.writer() as session,
            session.begin(),
        ):
            for i in range(3):
                await record_event(session, outbox, Seeded(), subject=str(i))

    asyncio.run(seed())
    headers = bearer(platform.token("analyst"))
    # kpi records events of its own too (its harvest runs): start just before the seeded three.
    feed = httpx.get(f"{platform.gateway}/kpi/v1/events", params={"limit": 1000}, headers=headers)
    seeded = [e["seq"] for e in feed.json()["items"] if e["type"] == "test.seeded"]
    params = {"limit": 2, "after": seeded[0] - 1}
    first = httpx.get(f"{platform.gateway}/kpi/v1/events", params=params, headers=headers)
    assert [e["subject"] for e in first.json()["items"]] == ["0", "1"]
    link = first.headers["link"]
    assert link.startswith("</kpi/v1/events?")
    target = link[1 : link.index(">")]
    rest = httpx.get(f"{platform.gateway}{target}", headers=headers)
    assert rest.status_code == 200
    assert rest.json()["items"][0]["subject"] == "2"


def _child_pid(launcher_pid, package):
    """The pid of the launcher's child serving `package` (read from /proc: no extra library)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == launcher_pid and package.encode() in argv and b"serve" in argv:
            return int(entry.name)
    raise AssertionError(f"no {package} process under the launcher")


# Second to last: it takes one service down for good.
def test_a_dead_service_answers_503_while_the_others_serve(platform):
    os.kill(_child_pid(platform.process.pid, "kpi"), signal.SIGKILL)
    headers = bearer(platform.token("operator"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        down = httpx.get(f"{platform.gateway}/kpi/v1/events", headers=headers, timeout=5)
        if down.status_code == 503:
            break
        time.sleep(0.1)
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert "retry-after" in down.headers
    for name in ("catalogue", "training", "helpdesk"):
        response = httpx.get(f"{platform.gateway}/{name}/v1/me", headers=headers, timeout=5)
        assert response.status_code == 200, name
    health = httpx.get(f"{platform.gateway}/health", timeout=5)
    assert health.status_code == 503
    assert "kpi" in health.text
    # The launcher reports the death and keeps the rest running.
    assert platform.process.poll() is None


# Last: it stops the platform the tests above share.
def _port_free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_sigint_stops_every_process_and_frees_the_ports(platform):
    platform.process.send_signal(signal.SIGINT)
    # "Within a few seconds": the launcher gives each process 4 s before it kills it.
    platform.process.wait(timeout=10)
    assert platform.process.returncode == 0, platform.log.read_text()[-3000:]
    assert all(_port_free(port) for port in platform.ports.values())

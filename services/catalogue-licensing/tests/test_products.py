"""Products over HTTP: the four answers validated, vendors isolated from each other, the status
moves draft -> active -> retired only, SUSHI URLs never pointing inward (a fake resolver: no DNS)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from catalogue_factories import committed, create_product, create_vendor, product_payload, random_id
from catalogue_licensing.app import SPEC
from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.db import outbox
from catalogue_licensing.products.models import Product
from catalogue_licensing.products.sushi import host_resolver
from catalogue_licensing.settings import CatalogueSettings
from chassis.outbound import HostNotResolved


class FakeResolver:
    """Answers from a table; a host outside it does not resolve. Records what it was asked."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[tuple[str, int]] = []
        # A host named here answers only once its gate opens (a slow DNS server).
        self.gates: dict[str, asyncio.Event] = {}
        self.waiting = asyncio.Event()

    async def addresses(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        if host in self.gates:
            self.waiting.set()
            await self.gates[host].wait()
        if host not in self.table:
            raise HostNotResolved("unknown host")
        return self.table[host]


@pytest.fixture
async def products(catalogue):
    """(client, app, resolver, vendors): two vendors, and the fake resolver in place of DNS."""
    client, app = catalogue
    resolver = FakeResolver(
        {
            "sushi.public.example": ["93.184.216.34", "2606:2800:220:1::1"],
            "sushi.internal.example": ["10.0.0.5"],
            "sushi.mixed.example": ["93.184.216.34", "127.0.0.1"],
            "sushi.metadata.example": ["169.254.169.254"],
            "sushi.mapped.example": ["::ffff:192.168.1.1"],
            "sushi.nat64.example": ["64:ff9b::a00:5"],
            "sushi.sixtofour.example": ["2002:a9fe:a9fe::1"],
            "sushi.slow.example": ["93.184.216.34"],
        }
    )
    app.dependency_overrides[host_resolver] = lambda: resolver
    async with committed(app) as session:
        first = await create_vendor(session, name="Første AS")
        second = await create_vendor(session, name="Andre AS")
    yield client, app, resolver, (first, second)
    app.dependency_overrides.clear()


def _vendor_headers(issuer: Any, vendor: Any) -> dict[str, str]:
    return issuer.headers("vendor", vendor_id=str(vendor.id))


async def _count(app: Any) -> int:
    async with committed(app) as session:
        return int(await session.scalar(select(func.count()).select_from(Product)) or 0)


async def _event_types(app: Any) -> list[str]:
    async with committed(app) as session:
        return list((await session.scalars(select(outbox.c.type).order_by(outbox.c.seq))).all())


def _with_procurement(**changes: Any) -> dict[str, Any]:
    body = product_payload()
    body["procurement"] = body["procurement"] | changes
    return body


async def test_a_vendor_creates_a_draft_for_itself(products, issuer):
    client, app, _, (first, _second) = products
    created = await client.post(
        "/v1/products",
        json=product_payload(),
        headers=_vendor_headers(issuer, first) | {"Idempotency-Key": "p-1"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["vendor_id"], body["status"], body["version"]) == (str(first.id), "draft", 1)
    assert body["home_use"] == {"available": True, "terms": {"nb": "Overalt.", "en": "Anywhere."}}
    assert body["sharing"] == {"allowed": False, "terms": {}}
    assert body["contact"]["url"] == "https://support.example.no/"
    assert created.headers["Location"] == f"/v1/products/{body['id']}"
    assert await _event_types(app) == ["product.created"]


async def test_programme_admin_names_the_vendor_and_a_vendor_may_not(products, issuer):
    client, app, _, (first, second) = products
    admin = issuer.headers("programme_admin")
    missing = await client.post("/v1/products", json=product_payload(), headers=admin)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["location"] == "body.vendor_id"
    unknown = await client.post(
        "/v1/products", json=product_payload(vendor_id=random_id()), headers=admin
    )
    assert unknown.status_code == 422
    named = await client.post(
        "/v1/products", json=product_payload(vendor_id=str(second.id)), headers=admin
    )
    assert named.status_code == 201
    assert named.json()["vendor_id"] == str(second.id)
    for vendor_id in (second.id, first.id):
        smuggled = await client.post(
            "/v1/products",
            json=product_payload(vendor_id=str(vendor_id)),
            headers=_vendor_headers(issuer, first),
        )
        assert smuggled.status_code == 403
        assert smuggled.json()["errors"][0]["location"] == "body.vendor_id"
    unregistered = await client.post(
        "/v1/products",
        json=product_payload(),
        headers=issuer.headers("vendor", vendor_id=random_id()),
    )
    assert unregistered.status_code == 403
    assert await _count(app) == 1


@pytest.mark.parametrize(
    ("body", "location", "reason"),
    [
        (product_payload(category="games"), "body.category", "ebooks_audiobooks"),
        (product_payload(audiences=["students"]), "body.audiences.0", "residents"),
        (product_payload(audiences=["pupils", "pupils"]), "body.audiences", "only once"),
        (product_payload(name={}), "body.name", "at least 1"),
        (product_payload(name={"xx": "Navn"}), "body.name.xx.[key]", "'nb'"),
        (product_payload(access={"methods": [], "steps": {"nb": "x"}}), "body.access.methods", ""),
        (
            product_payload(access={"methods": ["telepathy"], "steps": {"nb": "x"}}),
            "body.access.methods.0",
            "",
        ),
        (product_payload(status="active"), "body.status", "not permitted"),
        (product_payload(version=5), "body.version", "not permitted"),
        (_with_procurement(wcag_level="AAAA"), "body.procurement.wcag_level", ""),
        (_with_procurement(counter_release="4"), "body.procurement.counter_release", ""),
        (
            _with_procurement(sushi_url="http://sushi.public.example/r5"),
            "body.procurement.sushi_url",
            "https",
        ),
        (
            _with_procurement(sushi_url="https://u:p@sushi.public.example/"),
            "body.procurement.sushi_url",
            "credentials",
        ),
        (
            _with_procurement(authentication_standards=["kerberos"]),
            "body.procurement.authentication_standards.0",
            "",
        ),
        (product_payload(contact={"name": "A", "email": "nope"}), "body.contact.email", ""),
    ],
)
async def test_bad_product_input_names_the_field_and_writes_nothing(
    products, issuer, body, location, reason
):
    client, app, resolver, (first, _second) = products
    answer = await client.post("/v1/products", json=body, headers=_vendor_headers(issuer, first))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    errors = {e["location"]: e["message"] for e in answer.json()["errors"]}
    assert location in errors, errors
    assert reason in errors[location]
    assert await _count(app) == 0
    assert await _event_types(app) == []
    assert resolver.asked == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://sushi.internal.example/r5", "private"),
        ("https://sushi.mixed.example/r5", "loopback"),
        ("https://sushi.metadata.example/r5", "link-local"),
        ("https://sushi.mapped.example/r5", "private"),
        ("https://127.0.0.1/r5", "loopback"),
        ("https://[::1]/r5", "loopback"),
        ("https://[fe80::1]/r5", "link-local"),
        ("https://sushi.nowhere.example/r5", "does not resolve"),
        # IPv6 addresses that carry an IPv4 one are judged by it (issue 15, point 5).
        ("https://[64:ff9b::7f00:1]/r5", "loopback"),
        ("https://[::7f00:1]/r5", "loopback"),
        ("https://sushi.nat64.example/r5", "10.0.0.5, a private"),
        ("https://sushi.sixtofour.example/r5", "169.254.169.254, a link-local"),
        ("https://[64:ff9b:1::5db8:d822]/r5", "local-use NAT64"),
        # Port 443 only unless configured (CATALOGUE_SUSHI_PORTS).
        ("https://sushi.public.example:8443/r5", "port 8443"),
        ("https://sushi.public.example:22/r5", "port 22"),
    ],
)
async def test_a_sushi_url_must_resolve_to_public_addresses_only(products, issuer, url, reason):
    client, app, _, (first, _second) = products
    answer = await client.post(
        "/v1/products",
        json=_with_procurement(sushi_url=url),
        headers=_vendor_headers(issuer, first),
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["location"] == "body.procurement.sushi_url"
    assert reason in error["message"]
    assert await _count(app) == 0


async def test_a_public_sushi_url_is_accepted_after_resolving_its_host(products, issuer):
    client, _app, resolver, (first, _second) = products
    answer = await client.post(
        "/v1/products",
        json=_with_procurement(sushi_url="https://sushi.public.example/r51"),
        headers=_vendor_headers(issuer, first),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["procurement"]["sushi_url"] == "https://sushi.public.example/r51"
    assert resolver.asked == [("sushi.public.example", 443)]
    # A change to the URL is checked again.
    product = answer.json()
    bad = await client.patch(
        f"/v1/products/{product['id']}",
        json={
            "procurement": product["procurement"] | {"sushi_url": "https://sushi.internal.example/"}
        },
        headers=_vendor_headers(issuer, first) | {"If-Match": '"1"'},
    )
    assert bad.status_code == 422
    # An unchanged URL is not refused, even when its host no longer resolves (it is looked up
    # before the transaction, when whether it changed is not yet known).
    resolver.table.pop("sushi.public.example")
    same = await client.patch(
        f"/v1/products/{product['id']}",
        json={"procurement": product["procurement"] | {"wcag_level": "AAA"}},
        headers=_vendor_headers(issuer, first) | {"If-Match": '"1"'},
    )
    assert same.status_code == 200, same.text


async def test_another_port_is_accepted_when_configured(service_client, issuer):
    async with service_client(SPEC, CatalogueSettings, sushi_ports=[443, 8443]) as (client, app):
        resolver = FakeResolver({"sushi.public.example": ["93.184.216.34"]})
        app.dependency_overrides[host_resolver] = lambda: resolver
        async with committed(app) as session:
            vendor = await create_vendor(session, name="Port AS")
        answer = await client.post(
            "/v1/products",
            json=_with_procurement(sushi_url="https://sushi.public.example:8443/r51"),
            headers=_vendor_headers(issuer, vendor),
        )
        assert answer.status_code == 201, answer.text
        assert resolver.asked == [("sushi.public.example", 8443)]


async def test_a_slow_sushi_lookup_holds_up_no_other_write(products, issuer):
    """Issue 15, point 4: the lookup runs before the request's transaction, so SQLite's write lock
    is not held while a slow DNS server thinks."""
    client, app, resolver, (first, second) = products
    gate = resolver.gates["sushi.slow.example"] = asyncio.Event()
    slow = asyncio.create_task(
        client.post(
            "/v1/products",
            json=_with_procurement(sushi_url="https://sushi.slow.example/r5"),
            headers=_vendor_headers(issuer, first),
        )
    )
    try:
        await asyncio.wait_for(resolver.waiting.wait(), 10)
        other = await asyncio.wait_for(
            client.post(
                "/v1/products", json=product_payload(), headers=_vendor_headers(issuer, second)
            ),
            3,
        )
        assert other.status_code == 201, other.text
    finally:
        gate.set()
        answer = await slow
    assert answer.status_code == 201, answer.text
    assert await _count(app) == 2


async def test_another_vendors_product_is_404_everywhere_and_never_listed(products, issuer):
    client, app, _, (first, second) = products
    async with committed(app) as session:
        mine = await create_product(session, first)
        theirs = await create_product(session, second, category="film")
    me = _vendor_headers(issuer, first)
    assert (await client.get(f"/v1/products/{mine.id}", headers=me)).status_code == 200
    with_match = me | {"If-Match": '"1"'}
    answers = [
        await client.get(f"/v1/products/{theirs.id}", headers=me),
        await client.patch(
            f"/v1/products/{theirs.id}", json={"category": "music"}, headers=with_match
        ),
        await client.post(f"/v1/products/{theirs.id}/activate", headers=with_match),
        await client.post(f"/v1/products/{theirs.id}/retire", headers=with_match),
        # Without If-Match too: the foreign product is not found before any precondition.
        await client.post(f"/v1/products/{theirs.id}/activate", headers=me),
    ]
    assert [a.status_code for a in answers] == [404] * 5
    for params in ({}, {"vendor": str(second.id)}, {"category": "film"}, {"status": "draft"}):
        listed = await client.get("/v1/products", params=params, headers=me)
        assert listed.status_code == 200
        assert {p["vendor_id"] for p in listed.json()["items"]} <= {str(first.id)}
    assert [p["id"] for p in (await client.get("/v1/products", headers=me)).json()["items"]] == [
        str(mine.id)
    ]
    admin_list = await client.get(
        "/v1/products", params={"vendor": str(second.id)}, headers=issuer.headers("programme_admin")
    )
    assert [p["id"] for p in admin_list.json()["items"]] == [str(theirs.id)]
    async with committed(app) as session:
        untouched = await session.get(Product, theirs.id)
    assert untouched is not None
    assert (untouched.category, untouched.status, untouched.version) == ("film", "draft", 1)
    assert await _event_types(app) == []


async def test_status_moves_draft_active_retired_only(products, issuer):
    client, app, _, (first, _second) = products
    async with committed(app) as session:
        product = await create_product(session, first)
    me = _vendor_headers(issuer, first)
    url = f"/v1/products/{product.id}"
    skip = await client.post(f"{url}/retire", headers=me | {"If-Match": '"1"'})
    assert skip.status_code == 409
    assert (skip.json()["current_status"], skip.json()["requested_status"]) == ("draft", "retired")
    assert (await client.post(f"{url}/activate", headers=me)).status_code == 428
    activated = await client.post(f"{url}/activate", headers=me | {"If-Match": '"1"'})
    assert activated.status_code == 200, activated.text
    assert (activated.json()["status"], activated.headers["ETag"]) == ("active", '"2"')
    again = await client.post(f"{url}/activate", headers=me | {"If-Match": '"2"'})
    assert again.status_code == 409
    assert again.json()["current_status"] == "active"
    stale = await client.post(f"{url}/retire", headers=me | {"If-Match": '"1"'})
    assert stale.status_code == 412
    retired = await client.post(f"{url}/retire", headers=me | {"If-Match": '"2"'})
    assert retired.json()["status"] == "retired"
    back = await client.post(f"{url}/activate", headers=me | {"If-Match": '"3"'})
    assert back.status_code == 409
    frozen = await client.patch(url, json={"category": "music"}, headers=me | {"If-Match": '"3"'})
    assert frozen.status_code == 409
    assert await _event_types(app) == ["product.activated", "product.retired"]


async def test_an_update_replaces_an_answer_and_is_audited_and_announced(products, issuer):
    client, app, _, (first, _second) = products
    async with committed(app) as session:
        product = await create_product(session, first)
    me = _vendor_headers(issuer, first)
    home_use = {
        "available": False,
        "terms": {"nb": "Bare i biblioteket.", "nn": "Berre i biblioteket."},
    }
    no_match = await client.patch(
        f"/v1/products/{product.id}", json={"home_use": home_use}, headers=me
    )
    assert no_match.status_code == 428
    changed = await client.patch(
        f"/v1/products/{product.id}",
        json={"home_use": home_use, "audiences": ["residents", "pupils"]},
        headers=me | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["home_use"] == home_use
    assert changed.headers["ETag"] == '"2"'
    for field in ("status", "vendor_id", "version"):
        refused = await client.patch(
            f"/v1/products/{product.id}", json={field: "x"}, headers=me | {"If-Match": '"2"'}
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["location"] == f"body.{field}"
    null = await client.patch(
        f"/v1/products/{product.id}", json={"access": None}, headers=me | {"If-Match": '"2"'}
    )
    assert null.status_code == 422
    unchanged = await client.patch(
        f"/v1/products/{product.id}", json={"home_use": home_use}, headers=me | {"If-Match": '"2"'}
    )
    assert unchanged.headers["ETag"] == '"2"'
    assert await _event_types(app) == ["product.updated"]
    async with committed(app) as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "product.updated")
        )
    assert entry is not None
    assert set(entry.changes) == {"home_use", "audiences"}
    assert entry.changes["audiences"] == {"old": ["residents"], "new": ["residents", "pupils"]}
    got = await client.get(f"/v1/products/{product.id}", headers=me)
    not_modified = await client.get(
        f"/v1/products/{product.id}", headers=me | {"If-None-Match": got.headers["ETag"]}
    )
    assert not_modified.status_code == 304


async def test_a_product_has_a_launch_url_and_a_logo_on_https(products, issuer):
    """Issue 15, point 14: what a library's website links patrons to, and shows."""
    client, _app, _, (first, _second) = products
    me = _vendor_headers(issuer, first)
    body = product_payload(logo_url="https://cdn.vendor.example/logo.svg")
    body["access"] = body["access"] | {"launch_url": "https://app.vendor.example/start"}
    created = await client.post("/v1/products", json=body, headers=me)
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["access"]["launch_url"] == "https://app.vendor.example/start"
    assert product["logo_url"] == "https://cdn.vendor.example/logo.svg"
    for location, bad in (
        (
            "body.access.launch_url",
            body | {"access": body["access"] | {"launch_url": "http://x.example/"}},
        ),
        ("body.logo_url", body | {"logo_url": "http://cdn.vendor.example/logo.svg"}),
        ("body.logo_url", body | {"logo_url": "javascript:alert(1)"}),
    ):
        refused = await client.post("/v1/products", json=bad, headers=me)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["location"] == location
    cleared = await client.patch(
        f"/v1/products/{product['id']}", json={"logo_url": None}, headers=me | {"If-Match": '"1"'}
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["logo_url"] is None
    plain = await client.post("/v1/products", json=product_payload(), headers=me)
    assert (plain.json()["access"]["launch_url"], plain.json()["logo_url"]) == (None, None)

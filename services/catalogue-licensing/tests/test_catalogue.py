"""The public catalogue: what reaches a library, in the reader's language, cached and revalidated
correctly, and invalidated by every change that alters it."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import insert, update

from catalogue_factories import agreement_payload, committed, product_payload, seed_agreement_world
from catalogue_licensing.app import SPEC
from catalogue_licensing.catalogue.cache import read_generation
from catalogue_licensing.catalogue.language import negotiate, pick
from catalogue_licensing.db import outbox
from catalogue_licensing.products.events import ProductRetired
from catalogue_licensing.products.models import Product
from catalogue_licensing.resources import CatalogueResources
from catalogue_licensing.settings import CatalogueSettings
from chassis.caching import GenerationCache
from chassis.compression import MIN_BYTES
from chassis.ids import uuid7
from chassis.outbox import record_event
from chassis.runtime import app_runtime, resources_of
from chassis.types import utcnow

DEICHMAN = "/v1/libraries/NO-2030000/catalogue"
GRUNERLOKKA = "/v1/libraries/NO-2030001/catalogue"
BERGEN = "/v1/libraries/NO-2120100/catalogue"

# ---------------------------------------------------------------- language, without HTTP


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "nb"),
        ("", "nb"),
        ("nn", "nn"),
        ("nn-NO,nn;q=0.9,en;q=0.8", "nn"),
        ("no", "nb"),
        ("nb-NO", "nb"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9", "en"),
        ("de, nn;q=0.5", "nn"),
        ("en;q=0.4, nb;q=0.8", "nb"),
        ("en;q=0.5, nn;q=0.5", "en"),
        ("*", "nb"),
        ("nb;q=0, *", "nn"),
        ("en, *;q=0.1", "en"),
        ("fr, en;q=0", "nb"),
        ("nb;q=0, nn;q=0, en;q=0", "nb"),
        ("en;q=2, nn", "nn"),
        ("en;q=abc, nn", "nn"),
        ("nb;level=1, en", "en"),
        ("!!!", "nb"),
        ("x" * 2000, "nb"),
    ],
)
def test_accept_language_picks_the_preferred_supported_language(header, language):
    assert negotiate(header) == language


def test_texts_fall_back_to_the_other_norwegian_before_english():
    assert pick({"nb": "bokmål", "en": "english"}, "nn") == "bokmål"
    assert pick({"nn": "nynorsk", "en": "english"}, "nb") == "nynorsk"
    assert pick({"nn": "nynorsk", "nb": "bokmål"}, "en") == "bokmål"
    assert pick({"se": "sámegiella"}, "en") == "sámegiella"
    assert pick({"nb": ""}, "nb") is None
    assert pick(None, "nb") is None


# ---------------------------------------------------------------- over HTTP


async def _world(client: Any, app: Any, issuer: Any) -> dict[str, Any]:
    """Audiobooks for Deichman; film for Deichman and Grünerløkka; Vestland takes part in nothing."""
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    admin = issuer.headers("programme_admin")
    for product, isils in (("audiobooks", ["NO-2030000"]), ("film", ["NO-2030000", "NO-2030001"])):
        created = await client.post(
            "/v1/agreements", json=agreement_payload(world[product].id), headers=admin
        )
        assert created.status_code == 201, created.text
        world[f"{product}_url"] = f"/v1/agreements/{created.json()['id']}"
        joined = await client.put(
            f"{world[f'{product}_url']}/participations/03", json={"libraries": isils}, headers=admin
        )
        assert joined.status_code == 201, joined.text
    world["admin"] = admin
    return world


def _names(answer: Any) -> list[str]:
    return [item["name"] for item in answer.json()["items"]]


async def _retire(app: Any, product_id: uuid.UUID) -> None:
    """What the product routes do on retirement: the status change and its event, one commit."""
    async with committed(app) as session:
        await session.execute(
            update(Product).where(Product.id == product_id).values(status="retired")
        )
        product = await session.get(Product, product_id)
        assert product is not None
        await record_event(
            session,
            outbox,
            ProductRetired(
                vendor_id=product.vendor_id,
                status="retired",
                previous_status="active",
                category=product.category,
            ),
            subject=str(product_id),
        )


async def test_a_library_sees_what_its_participation_brings_in_its_readers_language(
    catalogue, issuer
):
    client, app = catalogue
    await _world(client, app, issuer)
    answer = await client.get(DEICHMAN)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Language"] == "nb"
    assert answer.headers["Vary"] == "Accept-Language, Accept-Encoding"
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    body = answer.json()
    assert body["library"] == {"isil": "NO-2030000", "name": "Deichman"}
    assert body["language"] == "nb"
    assert _names(answer) == ["Filmtjenesten", "Lydbøker for alle"]
    audiobooks = body["items"][1]
    assert audiobooks["access"] == {
        "methods": ["library_card"],
        "steps": "Logg inn med lånekortet.",
        "launch_url": None,
    }
    assert audiobooks["home_use"] == {"available": True, "terms": "Overalt."}
    assert audiobooks["sharing"] == {"allowed": False, "terms": None}
    assert (
        audiobooks["contact"]["opening_hours"]
        == (product_payload()["contact"]["opening_hours"]["nb"])
    )
    assert audiobooks["vendor_name"] == "Lydbokforlaget AS"
    assert audiobooks["available_until"] == "2099-12-31"

    english = await client.get(DEICHMAN, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.headers["Content-Language"] == "en"
    assert _names(english) == ["Audiobooks for all", "The film service"]
    assert english.json()["items"][0]["access"]["steps"] == "Sign in with your library card."
    nynorsk = await client.get(DEICHMAN, headers={"Accept-Language": "nn"})
    # The film has a Nynorsk name; the audiobooks fall back to Bokmål, not to English.
    assert _names(nynorsk) == ["Filmtenesta", "Lydbøker for alle"]
    german = await client.get(DEICHMAN, headers={"Accept-Language": "de"})
    assert german.headers["Content-Language"] == "en"

    assert _names(await client.get(GRUNERLOKKA)) == ["Filmtjenesten"]
    bergen = await client.get(BERGEN)
    assert bergen.status_code == 200
    assert bergen.json()["items"] == []


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"category": "film"}, ["Filmtjenesten"]),
        ({"category": "music"}, []),
        ({"audience": "pupils"}, ["Filmtjenesten"]),
        ({"audience": "residents"}, ["Filmtjenesten", "Lydbøker for alle"]),
        ({"home_use": "true"}, ["Lydbøker for alle"]),
        ({"home_use": "false"}, ["Filmtjenesten"]),
        ({"home_use": "false", "audience": "residents", "_": "1700000000000"}, ["Filmtjenesten"]),
    ],
)
async def test_filters_narrow_the_catalogue_and_the_listing(catalogue, issuer, params, names):
    client, app = catalogue
    await _world(client, app, issuer)
    answer = await client.get(DEICHMAN, params=params)
    assert answer.status_code == 200, answer.text
    assert _names(answer) == names
    listing = await client.get("/v1/catalogue/products", params=params)
    assert listing.status_code == 200
    assert _names(listing) == names


async def test_bad_requests_are_problems(catalogue, issuer):
    client, app = catalogue
    await _world(client, app, issuer)
    unknown = await client.get("/v1/libraries/NO-9999999/catalogue")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "NO-9999999" in unknown.json()["detail"]
    for bad in ("NO2030000", "NO-2030000-and-far-too-long", "NO-20300%2A00"):
        shaped = await client.get(f"/v1/libraries/{bad}/catalogue")
        assert shaped.status_code == 422, bad
        assert shaped.json()["errors"][0]["location"] == "path.isil"
    for params in ({"audience": "aliens"}, {"home_use": "maybe"}, {"category": "Film!"}):
        assert (await client.get(DEICHMAN, params=params)).status_code == 422
    typo = await client.get(DEICHMAN, params={"categroy": "film"})
    assert typo.status_code == 400
    assert "categroy" in typo.json()["detail"]


async def test_etag_and_304_per_language(catalogue, issuer):
    client, app = catalogue
    await _world(client, app, issuer)
    first = await client.get(DEICHMAN)
    tag = first.headers["ETag"]
    assert tag.startswith('"')
    assert not tag.startswith("W/")
    again = await client.get(DEICHMAN, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == tag
    assert again.headers["Cache-Control"] == "public, max-age=60"
    english = await client.get(DEICHMAN, headers={"Accept-Language": "en", "If-None-Match": tag})
    assert english.status_code == 200
    assert english.headers["ETag"] != tag
    listing = await client.get("/v1/catalogue/products")
    assert (
        await client.get(
            "/v1/catalogue/products", headers={"If-None-Match": listing.headers["ETag"]}
        )
    ).status_code == 304


async def test_every_change_is_visible_on_the_next_read(catalogue, issuer):
    client, app = catalogue
    world = await _world(client, app, issuer)
    admin = world["admin"]
    first = await client.get(DEICHMAN)
    assert _names(first) == ["Filmtjenesten", "Lydbøker for alle"]
    listing = await client.get("/v1/catalogue/products")
    assert _names(listing) == ["Filmtjenesten", "Lydbøker for alle"]

    await _retire(app, world["film"].id)
    after_retire = await client.get(DEICHMAN, headers={"If-None-Match": first.headers["ETag"]})
    assert after_retire.status_code == 200
    assert _names(after_retire) == ["Lydbøker for alle"]
    assert _names(await client.get("/v1/catalogue/products")) == ["Lydbøker for alle"]

    withdrawn = await client.delete(
        f"{world['audiobooks_url']}/participations/03", headers=admin | {"If-Match": '"1"'}
    )
    assert withdrawn.status_code == 204
    assert _names(await client.get(DEICHMAN)) == []

    assert _names(await client.get(BERGEN)) == []
    created = await client.post(
        "/v1/agreements", json=agreement_payload(world["audiobooks"].id), headers=admin
    )
    joined = await client.put(
        f"/v1/agreements/{created.json()['id']}/participations/46",
        json={"libraries": ["NO-2120100"]},
        headers=admin,
    )
    assert joined.status_code == 201
    assert _names(await client.get(BERGEN)) == ["Lydbøker for alle"]

    moved = await client.patch(
        f"/v1/agreements/{created.json()['id']}",
        json={"period_start": "2020-01-01", "period_end": "2020-12-31"},
        headers=admin | {"If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert _names(await client.get(BERGEN)) == [], "an expired agreement brings nothing"


async def test_draft_products_and_future_agreements_bring_nothing(catalogue, issuer):
    client, app = catalogue
    world = await _world(client, app, issuer)
    admin = world["admin"]
    for product, period in (
        ("draft", ("2026-01-01", "2099-12-31")),
        ("audiobooks", ("2098-01-01", "2099-12-31")),
    ):
        created = await client.post(
            "/v1/agreements",
            json=agreement_payload(world[product].id, period_start=period[0], period_end=period[1]),
            headers=admin,
        )
        joined = await client.put(
            f"/v1/agreements/{created.json()['id']}/participations/46",
            json={"libraries": ["NO-2120100"]},
            headers=admin,
        )
        assert joined.status_code == 201
    assert _names(await client.get(BERGEN)) == []
    listed = await client.get("/v1/catalogue/products")
    assert len(listed.json()["items"]) == 2


async def test_another_replicas_change_shows_within_the_staleness_bound(service_client, issuer):
    """Two replicas on one database: B trusts its generation for at most the configured bound
    when the write happened elsewhere, then sees it."""
    async with (
        service_client(SPEC, CatalogueSettings) as (client_a, app_a),
        service_client(SPEC, CatalogueSettings) as (client_b, app_b),
    ):
        world = await _world(client_a, app_a, issuer)
        now = [1000.0]
        cache = GenerationCache(
            read_generation=read_generation,
            max_staleness=5.0,
            max_entries=100,
            clock=lambda: now[0],
        )
        runtime_b = app_runtime(app_b)
        runtime_b.resources = replace(resources_of(app_b, CatalogueResources), cache=cache)
        assert _names(await client_b.get(DEICHMAN)) == ["Filmtjenesten", "Lydbøker for alle"]
        reads = cache.generation_reads
        assert _names(await client_b.get(DEICHMAN)) == ["Filmtjenesten", "Lydbøker for alle"]
        assert cache.generation_reads == reads, "within the bound, no query for the generation"

        # Another process's write: straight through the engine, so no session of this process
        # sees it commit (as with a replica elsewhere).
        async with app_runtime(app_a).db.engine.begin() as conn:
            await conn.execute(
                update(Product).where(Product.id == world["film"].id).values(status="retired")
            )
            await conn.execute(
                insert(outbox).values(
                    id=uuid7(),
                    type="product.retired",
                    subject=str(world["film"].id),
                    data={},
                    occurred_at=utcnow(),
                )
            )
        now[0] += 4.9
        assert _names(await client_b.get(DEICHMAN)) == ["Filmtjenesten", "Lydbøker for alle"]
        now[0] += 0.2
        assert _names(await client_b.get(DEICHMAN)) == ["Lydbøker for alle"]


async def test_a_replica_sees_its_own_writes_at_once_whatever_the_bound(service_client, issuer):
    async with service_client(SPEC, CatalogueSettings, cache_max_staleness_seconds=60.0) as (
        client,
        app,
    ):
        world = await _world(client, app, issuer)
        assert _names(await client.get(DEICHMAN)) == ["Filmtjenesten", "Lydbøker for alle"]
        withdrawn = await client.delete(
            f"{world['film_url']}/participations/03",
            headers=world["admin"] | {"If-Match": '"1"'},
        )
        assert withdrawn.status_code == 204
        assert _names(await client.get(DEICHMAN)) == ["Lydbøker for alle"]
        cache = resources_of(app, CatalogueResources).cache
        assert cache.hits == 0
        assert _names(await client.get(DEICHMAN)) == ["Lydbøker for alle"]
        assert cache.hits == 1


# ---------------------------------------------------------------- the fast path


async def test_a_repeated_read_is_answered_before_routing_with_the_same_bytes(catalogue, issuer):
    client, app = catalogue
    await _world(client, app, issuer)
    headers = {"Accept-Language": "nn"}
    first = await client.get(DEICHMAN, params={"category": "film"}, headers=headers)
    signatures = resources_of(app, CatalogueResources).signatures
    hits = signatures.hits
    again = await client.get(DEICHMAN, params={"category": "film"}, headers=headers)
    assert signatures.hits == hits + 1
    assert again.status_code == 200
    assert again.content == first.content
    for name in ("etag", "cache-control", "vary", "content-language", "content-type"):
        assert again.headers[name] == first.headers[name], name
    assert again.headers["x-request-id"], "the edge still wraps the fast path"
    not_modified = await client.get(
        DEICHMAN,
        params={"category": "film"},
        headers=headers | {"If-None-Match": first.headers["etag"]},
    )
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert signatures.hits == hits + 2


async def test_a_browser_gets_the_catalogue_gzipped_from_the_route_and_the_fast_path_alike(
    catalogue, issuer
):
    client, app = catalogue
    await _world(client, app, issuer)
    gzip_ok = {"Accept-Language": "en", "Accept-Encoding": "gzip, br"}
    identity = {"Accept-Language": "en", "Accept-Encoding": "identity"}
    signatures = resources_of(app, CatalogueResources).signatures
    hits = signatures.hits
    routed = await client.get(DEICHMAN, headers=gzip_ok)
    fast = await client.get(DEICHMAN, headers=gzip_ok)
    plain = await client.get(DEICHMAN, headers=identity)
    assert signatures.hits == hits + 2
    assert len(plain.content) >= MIN_BYTES, "the answer is too small to be gzipped"
    assert "content-encoding" not in plain.headers
    for packed in (routed, fast):
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
        assert int(packed.headers["content-length"]) < len(plain.content)
        assert packed.content == plain.content
    for name in ("etag", "cache-control", "vary", "content-language", "content-type"):
        assert fast.headers[name] == routed.headers[name], name
    assert plain.headers["vary"] == "Accept-Language, Accept-Encoding"
    for headers, etag in ((gzip_ok, fast.headers["etag"]), (identity, plain.headers["etag"])):
        again = await client.get(DEICHMAN, headers=headers | {"If-None-Match": etag})
        assert again.status_code == 304
        assert again.headers["vary"] == "Accept-Language, Accept-Encoding"
    crossed = await client.get(DEICHMAN, headers=identity | {"If-None-Match": fast.headers["etag"]})
    assert crossed.status_code == 200
    assert "content-encoding" not in crossed.headers


async def test_the_fast_path_never_skips_a_token_check_or_a_refusal(catalogue, issuer):
    client, app = catalogue
    await _world(client, app, issuer)
    assert (await client.get(DEICHMAN)).status_code == 200
    hits = resources_of(app, CatalogueResources).signatures.hits
    damaged = await client.get(DEICHMAN, headers={"Authorization": "Bearer not-a-token"})
    assert damaged.status_code == 401
    unknown = await client.get(DEICHMAN, params={"sort": "name"})
    assert unknown.status_code == 400
    assert (await client.get(DEICHMAN, params={"category": "comics"})).status_code == 422
    assert resources_of(app, CatalogueResources).signatures.hits == hits


async def test_a_change_reaches_a_read_the_fast_path_would_answer(catalogue, issuer):
    client, app = catalogue
    world = await _world(client, app, issuer)
    await client.get(DEICHMAN)
    assert _names(await client.get(DEICHMAN)) == ["Filmtjenesten", "Lydbøker for alle"]
    await _retire(app, world["film"].id)
    assert _names(await client.get(DEICHMAN)) == ["Lydbøker for alle"]


async def test_the_catalogue_shows_a_products_launch_url_and_logo(catalogue, issuer):
    """Issue 15, point 14: a website builder links and shows a product without a table of its own."""
    client, app = catalogue
    world = await _world(client, app, issuer)
    admin = world["admin"]
    product = (await client.get(f"/v1/products/{world['audiobooks'].id}", headers=admin)).json()
    changed = await client.patch(
        f"/v1/products/{product['id']}",
        json={
            "access": product["access"] | {"launch_url": "https://lyd.example/start"},
            "logo_url": "https://lyd.example/logo.png",
        },
        headers=admin | {"If-Match": f'"{product["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    items = {item["name"]: item for item in (await client.get(DEICHMAN)).json()["items"]}
    audiobooks = items["Lydbøker for alle"]
    assert audiobooks["access"]["launch_url"] == "https://lyd.example/start"
    assert audiobooks["logo_url"] == "https://lyd.example/logo.png"
    assert items["Filmtjenesten"]["logo_url"] is None
    assert items["Filmtjenesten"]["access"]["launch_url"] is None

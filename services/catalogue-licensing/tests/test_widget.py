"""The catalogue for website builders: the codes' labels in four languages, the widget's script
(small, cached, every interface string in every language) and the plain page it links to."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from catalogue_factories import agreement_payload, committed, seed_agreement_world
from catalogue_licensing.catalogue import labels
from catalogue_licensing.catalogue.language import negotiate
from catalogue_licensing.demo.products import DEMO_PRODUCTS
from catalogue_licensing.products.schemas import AccessMethod, Audience, Category, TextLanguage
from catalogue_licensing.widget import service

PAGE = "/v1/libraries/NO-2030000/catalogue.html"
SCRIPT = "/v1/catalogue/widget.js"
# What the widget may weigh, uncompressed (decision 0052).
SCRIPT_BUDGET_BYTES = 16_000


# ---------------------------------------------------------------- data, without HTTP


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("category", get_args(Category)),
        ("audience", get_args(Audience)),
        ("access_method", get_args(AccessMethod)),
        ("content_language", get_args(TextLanguage)),
    ],
)
def test_every_code_has_a_label_in_every_language(kind, codes):
    table = labels.table()[kind]
    # Content languages are any ISO 639 code: the text languages and more are labelled.
    assert set(codes) <= set(table), kind
    if kind != "content_language":
        assert set(table) == set(codes), kind
    for code, texts in table.items():
        assert set(texts) == set(labels.LANGUAGES), (kind, code)
        assert all(text.strip() for text in texts.values()), (kind, code)


def test_every_content_language_of_the_demo_has_a_label():
    table = labels.table()["content_language"]
    for _, _, product in DEMO_PRODUCTS.values():
        assert set(product["content_languages"]) <= set(table), product["name"]


def test_the_label_kinds_are_the_shipped_ones():
    assert set(labels.table()) == set(labels.KINDS)


def test_every_interface_string_is_in_every_language():
    for key, texts in service.strings().items():
        assert set(texts) == set(labels.LANGUAGES), key
        # Each language fills in the same values.
        marks = {
            lang: sorted(part.split("}")[0] for part in text.split("{")[1:])
            for lang, text in texts.items()
        }
        assert len({tuple(m) for m in marks.values()}) == 1, (key, marks)


def test_the_script_carries_the_strings_and_stays_small():
    script = service.script()
    assert b"/*STRINGS*/" not in script.body
    assert "Slik får du tilgang".encode() in script.body
    assert len(script.body) < SCRIPT_BUDGET_BYTES, len(script.body)
    # No request to anyone else: no absolute URL in the code it runs.
    assert b"http://" not in script.body
    assert b"https://" not in script.body


def test_dutch_is_a_label_language_only():
    assert negotiate("nl-NL,nl;q=0.9", labels.LANGUAGES) == "nl"
    assert negotiate("nl-NL,nl;q=0.9") == "en"
    assert negotiate("nl;q=0.5, nn", labels.LANGUAGES) == "nn"


# ---------------------------------------------------------------- over HTTP


async def test_labels_in_the_asked_language_cached_and_revalidated(catalogue):
    client, _ = catalogue
    dutch = await client.get("/v1/catalogue/labels", params={"lang": "nl"})
    assert dutch.status_code == 200, dutch.text
    body = dutch.json()
    assert body["language"] == "nl"
    assert body["languages"] == ["nb", "nn", "en", "nl"]
    assert body["category"]["music"] == "Muziek"
    assert body["audience"]["pupils"] == "Leerlingen"
    assert body["access_method"]["library_card"] == "Bibliotheekpas"
    assert body["content_language"]["se"] == "Noord-Samisch"
    assert dutch.headers["Content-Language"] == "nl"
    assert dutch.headers["Cache-Control"] == "public, max-age=3600"
    # The language was named: the answer varies with the encoding only, not the header's language.
    assert dutch.headers["Vary"] == "Accept-Encoding"
    again = await client.get(
        "/v1/catalogue/labels?lang=nl", headers={"If-None-Match": dutch.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["ETag"] == dutch.headers["ETag"]

    chosen = await client.get("/v1/catalogue/labels", headers={"Accept-Language": "nn-NO"})
    assert chosen.json()["category"]["reference_databases"] == "Oppslagsverk og databasar"
    assert chosen.headers["Vary"].startswith("Accept-Language")
    assert (await client.get("/v1/catalogue/labels")).json()["language"] == "nb"
    foreign = await client.get("/v1/catalogue/labels", headers={"Accept-Language": "de"})
    assert foreign.json()["language"] == "en"
    assert foreign.headers["ETag"] != dutch.headers["ETag"]


async def test_an_unknown_label_language_is_a_problem(catalogue):
    client, _ = catalogue
    answer = await client.get("/v1/catalogue/labels", params={"lang": "de"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["location"] == "query.lang"


async def test_the_script_is_served_cached_and_revalidated(catalogue):
    client, _ = catalogue
    script = await client.get(SCRIPT)
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["Cache-Control"] == "public, max-age=3600"
    assert script.content == service.script().body
    assert "customElements.define" in script.text
    again = await client.get(SCRIPT, headers={"If-None-Match": script.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    # A browser gets it gzipped (a quarter of the bytes), under its own tag.
    packed = await client.get(SCRIPT, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == service.script().body
    assert int(packed.headers["content-length"]) < len(packed.content) / 2
    plain = await client.get(SCRIPT, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == packed.content
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    assert packed.headers["vary"] == "Accept-Encoding"
    again = await client.get(
        SCRIPT, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304


async def _world(client: Any, app: Any, issuer: Any) -> None:
    """Audiobooks (residents) and film (residents, pupils) for Deichman."""
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    admin = issuer.headers("programme_admin")
    for product in ("audiobooks", "film"):
        created = await client.post(
            "/v1/agreements", json=agreement_payload(world[product].id), headers=admin
        )
        assert created.status_code == 201, created.text
        joined = await client.put(
            f"/v1/agreements/{created.json()['id']}/participations/03",
            json={"libraries": ["NO-2030000"]},
            headers=admin,
        )
        assert joined.status_code == 201, joined.text


async def test_the_plain_page_shows_the_four_answers_in_the_readers_language(catalogue, issuer):
    client, app = catalogue
    await _world(client, app, issuer)
    page = await client.get(PAGE)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["Content-Language"] == "nb"
    assert page.headers["Cache-Control"] == "public, max-age=60"
    html = page.text
    assert '<html lang="nb">' in html
    assert "<h1>Digitale tjenester fra Deichman</h1>" in html
    assert html.index("Filmtjenesten") < html.index("Lydbøker for alle")
    for answer in ("Slik får du tilgang", "Hjemmefra", "Deling", "Kontakt ved problemer"):
        assert html.count(f"<dt>{answer}</dt>") == 2
    assert "Logg inn med lånekortet." in html
    assert "Lånekort" in html
    assert "Kan bare brukes i biblioteket." in html
    assert 'href="mailto:support@example.no"' in html
    again = await client.get(PAGE, headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304

    dutch = await client.get(PAGE, params={"lang": "nl"})
    assert '<html lang="nl">' in dutch.text
    assert "Zo krijgt u toegang" in dutch.text
    # The products' own texts have no Dutch: English.
    assert "Sign in with your library card." in dutch.text
    nynorsk = await client.get(PAGE, headers={"Accept-Language": "nn"})
    assert nynorsk.headers["Content-Language"] == "nn"
    assert "Filmtenesta" in nynorsk.text

    # As the page's own form sends it: an empty choice is "all".
    pupils = await client.get(PAGE, params={"category": "", "audience": "pupils", "lang": "en"})
    assert "The film service" in pupils.text
    assert "Audiobooks for all" not in pupils.text
    assert "Showing 1 of 2 services" in pupils.text
    assert '<option value="pupils" selected>Pupils</option>' in pupils.text


async def test_the_plain_page_escapes_what_vendors_wrote(catalogue, issuer):
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
        world["film"].name = {"nb": "<script>alert(1)</script>"}
    admin = issuer.headers("programme_admin")
    created = await client.post(
        "/v1/agreements", json=agreement_payload(world["film"].id), headers=admin
    )
    await client.put(
        f"/v1/agreements/{created.json()['id']}/participations/03",
        json={"libraries": ["NO-2030000"]},
        headers=admin,
    )
    html = (await client.get(PAGE)).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


async def test_the_plain_page_refuses_what_it_cannot_show(catalogue, issuer):
    client, app = catalogue
    await _world(client, app, issuer)
    unknown = await client.get("/v1/libraries/NO-9999999/catalogue.html")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "NO-9999999" in unknown.json()["detail"]
    for params in ({"lang": "xx"}, {"category": "toys"}, {"audience": "aliens"}):
        bad = await client.get(PAGE, params=params)
        assert bad.status_code == 422, params
        assert bad.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/libraries/NO2030000/catalogue.html")).status_code == 422


async def test_isil_is_matched_case_insensitively_on_the_page(catalogue, issuer):
    client, app = catalogue
    await _world(client, app, issuer)
    page = await client.get("/v1/libraries/no-2030000/catalogue.html")
    assert page.status_code == 200, page.text
    assert "Deichman" in page.text

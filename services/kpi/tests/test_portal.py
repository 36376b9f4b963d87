"""The data portal's pages on the demo: the drill-down from the country to a library, figures
and charts from the published public datasets only (suppressed as there), the language choice
that sticks, caching, the embeddable chart, and bad addresses."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from markupsafe import escape

from chassis.runtime import app_runtime
from kpi.demo import load_demo
from kpi.settings import KpiSettings

DEICHMAN = "/portal/NO/library/NO-2030000"
NARVIK = "/portal/NO/library/NO-2180500"


@pytest.fixture
async def portal(kpi: Any) -> Any:
    client, app = kpi
    settings = app_runtime(app).settings
    assert isinstance(settings, KpiSettings)
    await load_demo(settings)
    return client, app


async def _datasets(client: Any) -> dict[str, dict[str, Any]]:
    listed = await client.get("/v1/datasets", params={"limit": 100})
    return {d["name"]: d for d in listed.json()["items"]}


async def test_the_home_page_has_the_countrys_headline_figures_and_every_public_dataset(portal):
    client, _ = portal
    page = await client.get("/portal/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    text = page.text
    assert '<html lang="en">' in text
    assert '<a href="/portal/NO">Norge</a>' in text
    # Norway's headline: the yearly dataset's latest year, with the year before.
    assert "Latest figure" in text
    assert "A year before" in text
    datasets = await _datasets(client)
    assert len(datasets) == 3
    for dataset in datasets.values():
        assert str(escape(dataset["name"])) in text
        assert f'href="/kpi/v1/datasets/{dataset["id"]}/data.csv"' in text
        assert f'href="/kpi/v1/datasets/{dataset["id"]}/data.csv-metadata.json"' in text
        assert f'href="/kpi/v1/datasets/{dataset["id"]}/data"' in text


async def test_the_drill_down_goes_from_norway_to_deichman(portal):
    client, _ = portal
    steps = [
        ("/portal/NO", 'href="/portal/NO/county/03"'),
        ("/portal/NO/county/03", 'href="/portal/NO/municipality/0301"'),
        ("/portal/NO/municipality/0301", f'href="{DEICHMAN}"'),
    ]
    for path, link in steps:
        page = await client.get(path)
        assert page.status_code == 200, path
        assert link in page.text, path
    library = await client.get(DEICHMAN, headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    text = library.text
    assert "<h1>Deichmanske bibliotek</h1>" in text
    # The trail back up, each a link.
    for above in ('href="/portal/"', 'href="/portal/NO"', 'href="/portal/NO/county/03"'):
        assert above in text
    # A chart per indicator with data, with its title, and the figures under it as a table.
    titles = re.findall(r"<title id=\"kpi-[0-9a-f]+-title\">([^<]+)</title>", text)
    assert "Utlån, Deichmanske bibliotek" in titles
    assert len(titles) == 4 + 3  # yearly: 4 (no population of its own); monthly: 3
    assert "Median for sammenlignbare" in text


async def test_the_figures_are_the_public_datasets_cells(portal):
    client, _ = portal
    datasets = await _datasets(client)
    yearly = datasets["Norway's public libraries, year by year"]
    data = (await client.get(f"/v1/datasets/{yearly['id']}/data")).json()["items"]
    deichman = {
        (c["indicator"], c["period"]): c["value"]
        for c in data
        if c["organisation"] == "NO-2030000" and c["status"] == "shown"
    }
    page = (
        await client.get(
            DEICHMAN, params={"dataset": yearly["id"]}, headers={"Accept-Language": "en"}
        )
    ).text
    loans_2025 = deichman[("loans", "2025")]
    assert f"{loans_2025:,.0f}" in page


async def test_a_suppressed_cell_is_shown_as_suppressed_and_its_value_is_not_in_the_page(portal):
    client, _ = portal
    datasets = await _datasets(client)
    nordland = datasets["Nordland's libraries, month by month"]
    data = (await client.get(f"/v1/datasets/{nordland['id']}/data")).json()["items"]
    hidden = [c for c in data if c["organisation"] == "NO-2180500" and c["status"] == "suppressed"]
    assert hidden, "the demo hides Narvik's few participants"
    page = await client.get(
        NARVIK,
        params={"dataset": nordland["id"], "indicator": "training_participants"},
        headers={"Accept-Language": "en"},
    )
    text = page.text
    # Every hidden month says so in the table under the chart, and the note explains it.
    assert text.count('<span class="suppressed"') >= len(hidden)
    assert "hidden to protect privacy" in text
    assert "suppressed (small numbers)" in text  # the chart's own description says it too
    rows = re.findall(r'<tr><th scope="row">(\d{4}-\d{2})</th><td class="num">(.*?)</td>', text)
    shown_as = dict(rows)
    for cell in hidden:
        assert "Suppressed" in shown_as[cell["period"]]


async def test_the_language_comes_from_the_header_and_a_chosen_one_sticks(portal):
    client, _ = portal
    nynorsk = await client.get("/portal/NO", headers={"Accept-Language": "nn, en;q=0.5"})
    assert '<html lang="nn">' in nynorsk.text
    assert nynorsk.headers["content-language"] == "nn"
    assert nynorsk.headers["vary"] == "Accept-Language, Cookie, Accept-Encoding"
    chosen = await client.get("/portal/NO", params={"lang": "nl"})
    assert '<html lang="nl">' in chosen.text
    assert "portal_lang=nl" in chosen.headers["set-cookie"]
    assert chosen.headers["cache-control"] == "private, no-store"
    # The cookie beats the header on the next page.
    client.cookies.set("portal_lang", "nl")
    later = await client.get(DEICHMAN, headers={"Accept-Language": "nb"})
    assert '<html lang="nl">' in later.text
    assert "Uitleningen" in later.text
    assert "Utlån" not in later.text
    client.cookies.clear()
    # A header naming only other languages gets English; none at all, Bokmål.
    assert (
        '<html lang="en">' in (await client.get("/portal/", headers={"Accept-Language": "fr"})).text
    )
    assert '<html lang="nb">' in (await client.get("/portal/")).text


async def test_a_page_is_cacheable_and_answers_304(portal):
    client, _ = portal
    first = await client.get(DEICHMAN, headers={"Accept-Language": "en"})
    assert first.headers["cache-control"] == "public, max-age=300"
    assert "default-src 'none'" in first.headers["content-security-policy"]
    again = await client.get(
        DEICHMAN, headers={"Accept-Language": "en", "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


async def test_a_page_is_sent_gzipped_to_a_browser_that_accepts_it(portal):
    client, _ = portal
    plain = await client.get(DEICHMAN, headers={"Accept-Encoding": "identity"})
    packed = await client.get(DEICHMAN, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    # httpx unpacks it: the same page, in under a fifth of the bytes, under its own tag.
    assert packed.content == plain.content
    assert int(packed.headers["content-length"]) < len(plain.content) / 5
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    for response in (plain, packed):
        assert response.headers["vary"] == "Accept-Language, Cookie, Accept-Encoding"
    again = await client.get(
        DEICHMAN, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304
    script = await client.get("/portal/static/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    assert script.headers["content-encoding"] == "gzip"
    assert b'version:"2.0.' in script.content


async def test_the_filters_narrow_the_figures(portal):
    client, _ = portal
    page = (await client.get(DEICHMAN, params={"indicator": "loans"})).text
    titles = re.findall(r"<title id=\"kpi-[0-9a-f]+-title\">([^<]+)</title>", page)
    assert titles == ["Utlån, Deichmanske bibliotek"] * 2
    assert '<option value="loans" selected>' in page
    # Empty choices are "all" (the form's first options).
    everything = (await client.get(DEICHMAN, params={"indicator": "", "dataset": ""})).text
    assert len(re.findall(r"<title id=\"kpi-", everything)) == 7


async def test_the_embed_snippet_gives_the_same_chart(portal):
    client, _ = portal
    page = (await client.get(DEICHMAN, params={"indicator": "loans"})).text
    snippets = re.findall(r"<textarea[^>]*>([^<]+)</textarea>", page)
    assert len(snippets) == 2
    source = re.search(r'src="([^"]+)"', html.unescape(snippets[0]))
    assert source is not None
    url = re.fullmatch(r"http://[^/]+/kpi(/v1/datasets/[^?]+/chart\?.+)", source.group(1))
    assert url is not None, source.group(1)
    chart = await client.get(url.group(1))
    assert chart.status_code == 200
    assert chart.headers["content-type"] == "image/svg+xml"
    inline = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    assert chart.text.strip() == inline.strip()


async def test_only_published_public_datasets_reach_the_portal(portal, issuer):
    client, _ = portal
    analyst = issuer.headers("analyst")
    datasets = await _datasets(client)
    monthly = datasets["Norway's public libraries, month by month"]
    partners = await client.post(
        "/v1/datasets",
        json={
            "name": "For partners only",
            "audience": "partners",
            "indicators": ["loans"],
            "organisations": ["NO-2030000"],
            "periods": ["2025"],
        },
        headers=analyst,
    )
    assert partners.status_code == 201, partners.text
    published = await client.post(
        f"/v1/datasets/{partners.json()['id']}/publish",
        headers={**analyst, "If-Match": partners.headers["etag"]},
    )
    assert published.status_code == 200, published.text
    current = await client.get(f"/v1/datasets/{monthly['id']}")
    withdrawn = await client.post(
        f"/v1/datasets/{monthly['id']}/withdraw",
        headers={**analyst, "If-Match": current.headers["etag"]},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    home = (await client.get("/portal/")).text
    assert "For partners only" not in home
    assert "month by month" not in home.replace("Nordland&#39;s libraries, month by month", "")
    page = (await client.get(DEICHMAN)).text
    assert len(re.findall(r"<title id=\"kpi-", page)) == 4


async def test_bad_addresses_get_clear_answers(portal):
    client, _ = portal
    unknown = await client.get("/portal/NO/library/NO-9999999")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "text/html; charset=utf-8"
    assert 'href="/portal/"' in unknown.text
    # A Flemish library exists, but no public dataset holds it: no page.
    assert (await client.get("/portal/BE/library/BE-DEMO-GENT")).status_code == 404
    for path, params, field in (
        ("/portal/NO", {"lang": "xx"}, "lang"),
        ("/portal/no", {}, "country"),
        ("/portal/NO/parish/1", {}, "level"),
        (DEICHMAN, {"dataset": "not-a-uuid"}, "dataset"),
        (DEICHMAN, {"indicator": "<script>"}, "indicator"),
    ):
        answer = await client.get(path, params=params)
        assert answer.status_code == 422, path
        assert answer.headers["content-type"] == "application/problem+json"
        assert field in answer.text
    assert (await client.get("/portal")).headers["location"] == "/portal/"


async def test_the_assets_are_served_here_and_cached_for_good(portal):
    client, _ = portal
    page = (await client.get("/portal/")).text
    src = re.search(r'<script src="(/portal/static/htmx.min.js\?v=[0-9a-f]+)" defer>', page)
    assert src is not None
    script = await client.get(src.group(1))
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "immutable" in script.headers["cache-control"]
    assert b'version:"2.0.' in script.content
    css = await client.get("/portal/static/portal.css")
    assert "@media print" in css.text
    missing = await client.get("/portal/static/nothing.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"

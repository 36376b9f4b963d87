"""The catalogue widget as a library's web editor uses it: pasted into a page on another origin
with hostile CSS, in two languages, with the API down and with an unknown ISIL; the plain page
it links to. Every page passes axe-core (WCAG 2.1 AA) and leaves a screenshot."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from browser_pages import HostPages, check_accessibility, screenshot
from running_platform import Platform

pytestmark = [pytest.mark.processes, pytest.mark.browser]

DEICHMAN = "NO-2030000"
# A website's CSS that tries everything a careless theme does to elements it does not own.
HOSTILE_CSS = """
* { font-family: "Comic Sans MS", cursive !important; letter-spacing: 3px !important;
    text-transform: uppercase; color: #ff00ff !important; line-height: 3 !important; }
h2, h3, p, dl, dt, dd, select, button, label, ul, li, section, article, form {
    display: none !important; background: #000 !important; font-size: 40px !important; }
div { border: 12px dashed red !important; padding: 3em !important; }
library-catalogue { font-size: 30px; text-align: right; }
"""


def host_page(
    platform: Platform, *, title: str, lang: str, element: str, hostile: bool = False
) -> str:
    script = f"{platform.gateway}/catalogue/v1/catalogue/widget.js"
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>{HOSTILE_CSS if hostile else ""}</style>
<script src="{script}" type="module"></script></head>
<body><main><h1>{title}</h1><h2 id="own">The library's own heading</h2>
<div>{element}</div></main></body></html>"""


def snippet(platform: Platform, isil: str, lang: str) -> str:
    plain = f"{platform.gateway}/catalogue/v1/libraries/{isil}/catalogue.html?lang={lang}"
    return (
        f'<library-catalogue isil="{isil}" lang="{lang}">'
        f'<a href="{plain}">Digital services (plain page)</a></library-catalogue>'
    )


def requests_of(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def open_widget(page: Any, host: HostPages, path: str, html: str) -> Any:
    host.pages[path] = html
    page.goto(f"{host.origin}{path}")
    return page.locator("library-catalogue")


def assert_accessible(page: Any) -> None:
    assert check_accessibility(page) == []


def shadow_style(page: Any, selector: str, prop: str) -> str:
    return page.evaluate(
        """([selector, prop]) => {
            const el = document.querySelector('library-catalogue').shadowRoot.querySelector(selector);
            return getComputedStyle(el)[prop];
        }""",
        [selector, prop],
    )


def test_the_widget_shows_the_catalogue_in_bokmal_on_a_hostile_page(
    platform: Platform, host: HostPages, page: Any
) -> None:
    seen = requests_of(page)
    widget = open_widget(
        page,
        host,
        "/nb.html",
        host_page(
            platform,
            title="Biblioteket",
            lang="en",
            element=snippet(platform, DEICHMAN, "nb"),
            hostile=True,
        ),
    )
    heading = widget.locator("h2")
    heading.wait_for()
    assert heading.inner_text().startswith("Digitale tjenester fra Deichman")
    items = widget.locator("li.item")
    assert items.count() >= 1
    first = items.first
    for answer in ("Slik får du tilgang", "Hjemmefra", "Deling", "Kontakt ved problemer"):
        assert first.locator("dt", has_text=answer).count() == 1, answer
    status = widget.locator("p[role=status]")
    assert status.inner_text().endswith("tjenester vises")

    # The host's CSS does not reach inside: visible, the widget's own colours and fonts.
    assert heading.is_visible()
    assert shadow_style(page, "h2", "color") == "rgb(27, 27, 27)"
    assert shadow_style(page, "h2", "textTransform") == "none"
    assert shadow_style(page, "h2", "letterSpacing") == "normal"
    assert "Comic Sans" not in shadow_style(page, "h3", "fontFamily")
    assert shadow_style(page, ".root", "textAlign") == "left"
    # And the widget's CSS does not leak out: the host's own heading keeps the host's style.
    assert page.evaluate("getComputedStyle(document.getElementById('own')).display") == "none"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(255, 0, 255)"
    )

    # Filters: by audience, then by category, the list and the count follow.
    total = items.count()
    audience = widget.locator("select[name=audience]")
    options = audience.locator("option").all_inner_texts()
    assert options[0] == "Alle"
    assert set(options[1:]) <= {"Innbyggere", "Elever"}
    category = widget.locator("select[name=category]")
    categories = category.locator("option").evaluate_all("os => os.map(o => o.value)")[1:]
    category.select_option(categories[0])
    narrowed = items.count()
    assert 1 <= narrowed <= total
    assert status.inner_text().startswith(f"{narrowed} av {total}")
    category.select_option("")
    assert items.count() == total

    # The snippet's own link to the plain page is shown inside the element.
    plain = widget.get_by_role("link", name="Digital services (plain page)")
    assert plain.is_visible()

    # The widget is accessible; the host's magenta-on-white text (its link included) is the
    # host's own doing, outside the check.
    widget_only = {"include": [["library-catalogue"]], "exclude": [["library-catalogue > a"]]}
    assert check_accessibility(page, widget_only) == []
    screenshot(page, "widget-nb-hostile-host")
    # No third-party request: only the host page and the platform.
    origins = {f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in seen}
    assert origins == {host.origin, platform.gateway}, origins


def test_the_widget_in_english_follows_the_page_language_when_it_has_none(
    platform: Platform, host: HostPages, page: Any
) -> None:
    element = f'<library-catalogue isil="{DEICHMAN}"></library-catalogue>'
    widget = open_widget(
        page,
        host,
        "/en.html",
        host_page(platform, title="The library", lang="en-GB", element=element),
    )
    heading = widget.locator("h2")
    heading.wait_for()
    assert heading.inner_text().startswith("Digital services from Deichman")
    assert widget.locator("dt", has_text="How to get access").count() >= 1
    assert widget.locator("select[name=category] option").first.inner_text() == "All"
    # Changing the element's language redraws it.
    page.evaluate("document.querySelector('library-catalogue').setAttribute('lang', 'nl')")
    widget.locator("h2", has_text="Digitale diensten van Deichman").wait_for()
    assert widget.locator("dt", has_text="Zo krijgt u toegang").count() >= 1
    assert_accessible(page)
    screenshot(page, "widget-nl")
    page.evaluate("document.querySelector('library-catalogue').setAttribute('lang', 'en')")
    widget.locator("h2", has_text="Digital services from Deichman").wait_for()
    assert_accessible(page)
    screenshot(page, "widget-en")


def test_the_widget_says_clearly_when_the_api_is_down(
    platform: Platform, host: HostPages, page: Any
) -> None:
    # The script is loaded (a library's page has it cached); the catalogue's reads fail.
    page.route("**/catalogue/v1/libraries/**", lambda route: route.abort("connectionrefused"))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    widget = open_widget(
        page,
        host,
        "/down.html",
        host_page(
            platform, title="Biblioteket", lang="nb", element=snippet(platform, DEICHMAN, "nb")
        ),
    )
    alert = widget.locator("[role=alert]")
    alert.wait_for()
    assert alert.inner_text() == "Tjenestene kan ikke vises akkurat nå. Prøv igjen senere."
    assert widget.get_by_role("button", name="Prøv igjen").is_visible()
    # The rest of the page stands, and the plain page's link is still offered.
    assert page.locator("h1").inner_text() == "Biblioteket"
    assert widget.get_by_role("link", name="Digital services (plain page)").is_visible()
    assert errors == []
    assert_accessible(page)
    screenshot(page, "widget-api-down")

    # When the API is back, "try again" shows the catalogue.
    page.unroute("**/catalogue/v1/libraries/**")
    widget.get_by_role("button", name="Prøv igjen").click()
    widget.locator("h2", has_text="Deichman").wait_for()


def test_the_widget_names_an_unknown_isil(platform: Platform, host: HostPages, page: Any) -> None:
    widget = open_widget(
        page,
        host,
        "/unknown.html",
        host_page(
            platform, title="Biblioteket", lang="nb", element=snippet(platform, "NO-9999999", "nb")
        ),
    )
    alert = widget.locator("[role=alert]")
    alert.wait_for()
    assert alert.inner_text() == "Fant ikke noe bibliotek med ISIL NO-9999999."
    assert_accessible(page)
    screenshot(page, "widget-unknown-isil")


def test_the_plain_page_without_javascript(platform: Platform, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        url = f"{platform.gateway}/catalogue/v1/libraries/{DEICHMAN}/catalogue.html"
        answer = page.goto(f"{url}?lang=nb")
        assert answer is not None
        assert answer.status == 200
        assert page.locator("h1").inner_text().startswith("Digitale tjenester fra Deichman")
        assert page.locator("article").count() >= 1
        assert page.locator("dt", has_text="Slik får du tilgang").count() >= 1
        # The filter form works without JavaScript: a plain GET.
        page.select_option("#audience", "pupils")
        page.get_by_role("button", name="Vis").click()
        page.wait_for_url("**audience=pupils**")
        assert page.locator("#audience option[selected]").inner_text() == "Elever"
        # The language switch keeps the filter.
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**lang=en**")
        assert "audience=pupils" in page.url
        assert page.locator("h1").inner_text().startswith("Digital services from Deichman")
        assert_accessible_without_scripts(context, page.url)
        screenshot(page, "catalogue-page-en")
    finally:
        context.close()


def assert_accessible_without_scripts(context: Any, url: str) -> None:
    """axe-core runs as a script, so the no-JavaScript page is checked in a second context
    with scripts on (the page itself has none)."""
    checker = context.browser.new_context()
    try:
        page = checker.new_page()
        page.goto(url)
        assert page.locator("script").count() == 0
        assert_accessible(page)
    finally:
        checker.close()


def test_the_script_is_cached_and_readable_from_another_origin(platform: Platform) -> None:
    url = f"{platform.gateway}/catalogue/v1/catalogue/widget.js"
    script = httpx.get(url, headers={"Origin": "https://bibliotek.example"})
    assert script.status_code == 200
    assert script.headers["access-control-allow-origin"] == "*"
    assert script.headers["cache-control"] == "public, max-age=3600"
    assert script.headers["content-type"].startswith("text/javascript")
    again = httpx.get(url, headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304
    read = httpx.get(
        f"{platform.gateway}/catalogue/v1/libraries/{DEICHMAN}/catalogue",
        headers={"Origin": "https://bibliotek.example", "Accept-Language": "nb"},
    )
    assert read.status_code == 200
    assert read.headers["access-control-allow-origin"] == "*"
    assert read.headers["etag"]

"""The data portal as a reader uses it, in Chromium against the running platform (through the
gateway): from the landing page to Norway, Oslo and Deichman, a chart with its title, a CSV
downloaded, a suppressed figure shown as such, the language switch that sticks, the filters with
htmx and without JavaScript, and print. Every page passes axe-core (WCAG 2.1 AA) and leaves a
screenshot."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from browser_pages import check_accessibility, screenshot
from running_platform import Platform

pytestmark = [pytest.mark.processes, pytest.mark.browser]

CHART_TITLES = (
    "() => [...document.querySelectorAll('figure.chart svg title')].map(t => t.textContent)"
)


def _reader(browser: Any, *, locale: str = "nb-NO", javascript: bool = True) -> tuple[Any, Any]:
    context = browser.new_context(
        locale=locale, java_script_enabled=javascript, viewport={"width": 1100, "height": 900}
    )
    return context, context.new_page()


def _accessible(page: Any) -> None:
    assert check_accessibility(page) == []


def test_a_reader_drills_from_norway_to_deichman_and_downloads_a_csv(
    platform: Platform, browser: Any
) -> None:
    context, page = _reader(browser)
    try:
        seen: list[str] = []
        page.on("request", lambda request: seen.append(request.url))
        answer = page.goto(f"{platform.gateway}/")
        assert answer is not None
        assert answer.status == 200
        assert page.locator("html").get_attribute("lang") == "nb"
        assert page.locator("h1").inner_text() == "Bibliotekstatistikk"
        _accessible(page)
        screenshot(page, "portal-home")
        page.get_by_role("link", name="Norge", exact=True).first.click()
        page.wait_for_url(re.compile(r"/portal/NO$"))
        _accessible(page)
        screenshot(page, "portal-norway")
        page.get_by_role("link", name="Oslo", exact=True).first.click()
        page.wait_for_url(re.compile(r"/portal/NO/county/03$"))
        page.locator("section[aria-labelledby=below]").get_by_role("link", name="Oslo").click()
        page.wait_for_url(re.compile(r"/portal/NO/municipality/0301$"))
        _accessible(page)
        page.get_by_role("link", name="Deichmanske bibliotek").first.click()
        page.wait_for_url(re.compile(r"/portal/NO/library/NO-2030000$"))
        assert page.locator("h1").inner_text() == "Deichmanske bibliotek"
        titles = page.evaluate(CHART_TITLES)
        assert "Utlån, Deichmanske bibliotek" in titles
        # The chart is an image with a name a screen reader says.
        chart = page.locator("figure.chart svg[role=img]").first
        assert chart.is_visible()
        assert chart.get_attribute("aria-labelledby")
        _accessible(page)
        screenshot(page, "portal-deichman")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="CSV", exact=True).first.click()
        download = download_info.value
        text = Path(download.path()).read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows
        assert any(row["organisation"] == "NO-2030000" for row in rows)
        # Nothing came from anywhere but the platform.
        assert all(url.startswith(platform.gateway) for url in seen), seen
    finally:
        context.close()


def test_a_suppressed_figure_is_shown_as_suppressed(platform: Platform, browser: Any) -> None:
    context, page = _reader(browser, locale="en-GB")
    try:
        page.goto(
            f"{platform.gateway}/portal/NO/library/NO-2180500?indicator=training_participants"
        )
        hidden = page.locator("span.suppressed")
        assert hidden.count() > 0
        assert hidden.first.inner_text() == "Suppressed"
        assert "privacy" in (hidden.first.get_attribute("title") or "")
        # The table under the chart says it for each hidden month too.
        page.get_by_text("All figures for Training participation").first.click()
        assert page.locator("table.series span.suppressed").first.is_visible()
        _accessible(page)
        screenshot(page, "portal-narvik-suppressed")
    finally:
        context.close()


def test_the_language_switch_sticks_from_page_to_page(platform: Platform, browser: Any) -> None:
    context, page = _reader(browser, locale="nb-NO")
    try:
        page.goto(f"{platform.gateway}/portal/NO")
        assert page.locator("html").get_attribute("lang") == "nb"
        page.get_by_role("navigation", name="Språk").get_by_role("link", name="Nederlands").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.locator("h1").inner_text() == "Norge"
        # The next page, reached by a plain link, stays in Dutch (the choice is a cookie).
        page.get_by_role("link", name="Oslo", exact=True).first.click()
        page.wait_for_url(re.compile(r"/portal/NO/county/03$"))
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.get_by_role("navigation", name="Taal").is_visible()
        titles = page.evaluate(CHART_TITLES)
        assert "Uitleningen, Oslo" in titles
        _accessible(page)
        screenshot(page, "portal-oslo-nl")
        page.get_by_role("navigation", name="Taal").get_by_role(
            "link", name="Norsk nynorsk"
        ).click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "nn"
        _accessible(page)
    finally:
        context.close()


def test_the_filters_swap_the_figures_with_htmx(platform: Platform, browser: Any) -> None:
    context, page = _reader(browser, locale="en-GB")
    try:
        page.goto(f"{platform.gateway}/portal/NO/library/NO-2030000")
        assert len(page.evaluate(CHART_TITLES)) > 2
        loads: list[str] = []
        page.on("framenavigated", lambda frame: loads.append(frame.url))
        with page.expect_response(re.compile(r"indicator=loans")) as answered:
            page.get_by_label("Indicator").select_option("loans")
        assert answered.value.status == 200
        page.wait_for_function("() => document.querySelectorAll('figure.chart').length === 2")
        assert page.evaluate(CHART_TITLES) == ["Loans, Deichmanske bibliotek"] * 2
        # No full page load: htmx swapped the figures and put the choice in the address.
        assert "indicator=loans" in page.url
        assert not [url for url in loads if "indicator=loans" in url and url != page.url]
        _accessible(page)
    finally:
        context.close()


def test_the_portal_works_without_javascript(platform: Platform, browser: Any) -> None:
    context, page = _reader(browser, locale="en-GB", javascript=False)
    try:
        page.goto(f"{platform.gateway}/portal/NO/library/NO-2030000")
        page.get_by_label("Indicator").select_option("visits")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(re.compile(r"indicator=visits"))
        titles = page.locator("figure.chart svg title").all_text_contents()
        assert titles == ["Library visits, Deichmanske bibliotek"] * 2
        # The language switch is a plain link too.
        page.get_by_role("link", name="Nederlands").click()
        page.wait_for_url(re.compile(r"lang=nl"))
        assert page.locator("html").get_attribute("lang") == "nl"
    finally:
        context.close()


def test_a_page_prints_without_its_controls(platform: Platform, browser: Any) -> None:
    context, page = _reader(browser, locale="en-GB")
    try:
        page.goto(f"{platform.gateway}/portal/NO/library/NO-2030000?indicator=visits")
        page.emulate_media(media="print")
        assert not page.locator("form.filters").is_visible()
        assert not page.locator("nav.languages").is_visible()
        assert not page.locator("details.embed").first.is_visible()
        assert page.locator("figure.chart svg").first.is_visible()
        _accessible(page)
        screenshot(page, "portal-deichman-print")
    finally:
        context.close()

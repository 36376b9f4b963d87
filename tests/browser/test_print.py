"""Training's print pages in a real browser: a path prints with its headings in order and a
page break before each course after the first; a course prints on its own. axe-core on both."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from browser_pages import check_accessibility, screenshot
from running_platform import Platform

pytestmark = [pytest.mark.processes, pytest.mark.browser]


def _first(platform: Platform, what: str, token: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{platform.gateway}/training/v1/{what}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert items, f"the demo has no {what}"
    return dict(items[0])


def _open(browser: Any, url: str, token: str) -> tuple[Any, Any]:
    context = browser.new_context(extra_http_headers={"Authorization": f"Bearer {token}"})
    page = context.new_page()
    answer = page.goto(url)
    assert answer is not None, url
    assert answer.status == 200, url
    return context, page


HEADINGS = (
    """() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => Number(h.tagName[1]))"""
)
BREAKS = """() => [...document.querySelectorAll('section.course')]
    .map(s => getComputedStyle(s).breakBefore)"""


def _assert_headings_in_order(page: Any) -> None:
    levels = page.evaluate(HEADINGS)
    assert levels
    assert levels[0] == 1
    assert levels.count(1) == 1
    # Never a level skipped on the way down.
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels


def test_a_path_prints_a_page_per_course(platform: Platform, browser: Any) -> None:
    token = platform.token("trainer")
    path = _first(platform, "paths", token)
    context, page = _open(
        browser, f"{platform.gateway}/training/v1/paths/{path['id']}/print", token
    )
    try:
        page.emulate_media(media="print")
        _assert_headings_in_order(page)
        breaks = page.evaluate(BREAKS)
        assert breaks, "the path has no course"
        assert breaks[0] == "auto"
        assert all(b == "page" for b in breaks[1:]), breaks
        # The printed PDF has at least a page per course.
        pdf = page.pdf(format="A4")
        assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(
            b"/Type/Page"
        ) >= len(breaks)
        assert check_accessibility(page) == []
        screenshot(page, "training-path-print")
    finally:
        context.close()


def test_a_course_prints_with_its_headings(platform: Platform, browser: Any) -> None:
    token = platform.token("trainer")
    course = _first(platform, "courses", token)
    context, page = _open(
        browser, f"{platform.gateway}/training/v1/courses/{course['id']}/print", token
    )
    try:
        page.emulate_media(media="print")
        _assert_headings_in_order(page)
        assert page.locator("h1").inner_text() == course["title"]
        assert check_accessibility(page) == []
        screenshot(page, "training-course-print")
    finally:
        context.close()

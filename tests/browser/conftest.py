"""Fixtures of the browser tests: one chromium for the session and a host page server on another
origin (the running platform: running_platform.PLATFORM, shared with tests/processes)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

import browser_chromium
from browser_pages import HostPages
from running_platform import PLATFORM, Platform


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    """The running platform (running_platform.PLATFORM), started once for the session: the process
    tests ask for it too, and whichever asks first starts it."""
    PLATFORM.start()
    yield PLATFORM
    PLATFORM.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium per test module (launching takes about a second).

    Not per session: while Playwright's sync API is open it leaves its event loop set as the
    thread's running loop, so every later async test and asyncio.run() in the same session
    (tests/processes runs after this folder) would fail with "cannot be called from a running
    event loop". Closing it at the end of the module clears that."""
    path, reason = browser_chromium.ensure()
    if path is None:
        pytest.skip(f"browser tests need chromium: {reason}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path)
        yield launched
        launched.close()
    # What the tests after this folder rely on (see above).
    assert asyncio.events._get_running_loop() is None


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context (no cache, no cookies) and page per test."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def host() -> Iterator[HostPages]:
    served = HostPages()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served.pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session", autouse=True)
def _timed() -> Iterator[None]:
    """The browser tests' own time, for the report (pytest -s shows it)."""
    started = time.monotonic()
    yield
    print(f"\nbrowser tests: {time.monotonic() - started:.1f} s including the platform's start")

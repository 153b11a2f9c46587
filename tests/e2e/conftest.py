"""Fixtures for the browser tests: the app served on a real port, and Debian's Chromium via Playwright."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from ..support import missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 10_000  # fail fast: every page here answers in milliseconds


@pytest.fixture(scope="session")
def e2e_app(sqlite_app):
    """The app on SQLite with the real course content, migrations applied."""
    return sqlite_app


@pytest.fixture(scope="session")
def base_url(e2e_app):
    """The app served by werkzeug from a daemon thread on a free port."""
    server = make_server("127.0.0.1", 0, e2e_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing(f"Chromium ({CHROMIUM})")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            missing(f"Chromium (launch failed: {str(exc).splitlines()[0]})")
        yield chromium
        chromium.close()


@pytest.fixture()
def new_context(browser, base_url):
    """Make fresh browser contexts (own cookies) for one test; all are closed afterwards."""
    contexts = []

    def make(**options):
        options = {"base_url": base_url, "locale": "en-US", "color_scheme": "light", **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()

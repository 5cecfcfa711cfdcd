"""Fixtures of the browser tests: the app on a real loopback server, Debian's chromium, and the
screenshots' clinic."""

from __future__ import annotations

import functools
import threading

import pytest
from werkzeug.serving import make_server

from browser.signed_cases import reyes_and_greene

# As root in a container chromium needs --no-sandbox; the rest keep it off the closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(app):
    """The app on a real HTTP server in a thread (CSRF on), on a free loopback port."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def _chromium():
    """One chromium process per worker: starting it took a second or more of each test."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launch = functools.partial(
            playwright.chromium.launch, executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        chromium = [launch()]
        yield chromium, launch
        if chromium[0].is_connected():
            chromium[0].close()


@pytest.fixture
def browser(_chromium):
    """Debian's chromium through Playwright (never a downloaded browser build).

    Tests share the process, never a page: each opens its own browser contexts (their own
    cookies and storage), and every context a test opened is closed when it ends.
    """
    chromium, launch = _chromium
    if not chromium[0].is_connected():  # a crash ends only the test it happened in
        chromium[0] = launch()
    yield chromium[0]
    for context in chromium[0].contexts:
        context.close()


@pytest.fixture
def team(make_user):
    """Dana Reyes, PT and Dr. Samuel Greene (browser.signed_cases.reyes_and_greene)."""
    return reyes_and_greene(make_user)

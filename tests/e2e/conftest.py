"""Browser fixtures: the real server (``rag serve`` on the session's real index) and headless Chromium.

Chromium is Debian's (``apt-get install -y chromium``, which ``scripts/test`` does when it can), driven by
the ``playwright`` Python package; no browser is ever downloaded (never ``playwright install``). Without
Chromium or the package, the browser tests skip and say why.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            return response.status == 200 and json.loads(response.read())["passages"] > 0
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError, KeyError):
        return False


@pytest.fixture(scope="session")
def sync_api() -> Any:
    """The Playwright sync API, or a skip when the browser test tools are missing."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium; "
            "scripts/test does it when run as root or with sudo) to run the browser tests"
        )
    return pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[dev]'"
    )


@pytest.fixture(scope="session")
def page_server(real_index_settings, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """``rag serve`` on a free port over the session's real index; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("page-server") / "serve.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TQDM_DISABLE": "1"}
    command = [sys.executable, "-m", "rag_cli", "serve", "--port", str(port)]
    command += ["--index", str(real_index_settings.index.index_dir)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while not _healthy(base):
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "rag serve did not become healthy:\n" + log_path.read_text()
            time.sleep(0.25)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def playwright_api(sync_api) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """The session's one Playwright driver (a second sync_playwright() cannot start beside it)."""
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser_context(playwright_api, tmp_path_factory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """Headless Debian Chromium with a fresh profile, shared by the session's tests."""
    context = playwright_api.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=DESKTOP,
    )
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def browser(playwright_api) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """Headless Debian Chromium for tests that need contexts of their own (a locale, empty storage)."""
    chromium = playwright_api.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()


class PageErrors(list):
    """Uncaught exceptions of the page's scripts, collected while a test runs."""


@pytest.fixture
def page(browser_context, page_server) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A fresh tab at desktop size on the page, ready (filters loaded); fails on any script error."""
    tab = browser_context.new_page()
    tab.set_default_timeout(20_000)
    errors = PageErrors()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    tab.set_viewport_size(DESKTOP)
    tab.goto(page_server + "/")
    wait_until_started(tab)
    try:
        yield tab
        assert not errors, f"script errors on the page: {errors}"
    finally:
        tab.close()


def wait_until_started(tab: Any) -> None:
    """/documents has filled the document filter: the page has started.

    A locator wait, not wait_for_function: a string predicate is evaluated with eval, which the page's
    Content-Security-Policy (no 'unsafe-eval') refuses whenever the first check fails and it polls.
    """
    tab.locator("#ask-doc option").nth(1).wait_for(state="attached")


@pytest.fixture
def page_in(browser, page_server) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """Opens the page in a browser context of its own: a browser locale, a viewport, empty storage.

    ``page_in(locale="fr-FR", viewport=PHONE)`` gives a started tab; the test fails on any script error.
    """
    contexts: list[Any] = []
    errors = PageErrors()

    def open_page(locale: str = "en-US", viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(locale=locale, viewport=viewport)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto(page_server + "/")
        wait_until_started(tab)
        return tab

    try:
        yield open_page
        assert not errors, f"script errors on the page: {errors}"
    finally:
        for context in contexts:
            context.close()

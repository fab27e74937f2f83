"""The quiet notice while the interim index answers (issue 19), in a real browser against ``rag serve``.

The server's ``/healthz`` answers are passed through with ``index.interim`` set by the test, and the
page's clock is Playwright's, so the ten-second look at /healthz runs when the test says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import wait_until_started

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def watched(browser, page_server) -> Iterator[tuple[Any, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """A tab whose /healthz says what ``served["interim"]`` holds; ``served["looks"]`` counts its calls."""
    served: dict[str, Any] = {"interim": True, "looks": 0}
    context = browser.new_context(locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))

    def healthz(route: Any) -> None:
        served["looks"] += 1
        response = route.fetch()
        body = response.json()
        body["index"]["interim"] = served["interim"]
        route.fulfill(response=response, json=body)

    tab.clock.install()
    tab.route("**/healthz", healthz)
    tab.goto(page_server + "/")
    wait_until_started(tab)
    try:
        yield tab, served
        assert not errors, f"script errors on the page: {errors}"
    finally:
        context.close()


def _looks(tab: Any, served: dict[str, Any], wanted: int) -> int:
    """The page's looks at /healthz so far, once ``wanted`` have reached the route handler or 5 s have
    passed: the handler runs in this process only when Playwright next delivers its events, which a
    real-time wait does (the page's clock is the test's, this wait is not)."""
    for _ in range(100):
        if served["looks"] >= wanted:
            break
        tab.wait_for_timeout(50)
    return int(served["looks"])


def test_the_notice_shows_while_the_interim_index_answers_and_goes_when_the_full_one_is_in(watched):
    tab, served = watched
    notice = tab.locator("#index-notice")
    notice.wait_for(state="visible")
    assert tab.get_by_role("status").filter(has_text="quick first index").count() == 1
    tab.clock.run_for(10_500)  # still interim at the next look: it stays
    assert _looks(tab, served, 2) >= 2 and notice.is_visible()
    served["interim"] = False  # the background build's full index is swapped in
    tab.clock.run_for(10_500)
    notice.wait_for(state="hidden")
    looks = served["looks"]
    tab.clock.run_for(60_000)
    assert served["looks"] == looks  # no more looks once the full index serves


def test_the_notice_is_in_the_page_language_and_absent_on_a_full_index(watched):
    tab, served = watched
    tab.locator("#index-notice").wait_for(state="visible")
    tab.select_option("#language", "ar")
    assert "فهرس أولي" in tab.locator("#index-notice").inner_text()
    assert tab.evaluate("document.documentElement.dir") == "rtl"
    served["interim"] = False
    tab.reload()
    wait_until_started(tab)
    tab.clock.run_for(1_000)
    assert tab.locator("#index-notice").is_hidden()

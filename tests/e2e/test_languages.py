"""The page in the six official languages, in a real browser: default, switch, right to left, phone width.

Each test opens the page in a browser context of its own (``page_in``: its locale, its viewport, empty
storage), so a language kept in localStorage never leaks into the English tests of ``test_page.py``.
Screenshots (desktop 1280 px, phone 390 px) go to ``tests/screenshots/`` (gitignored).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.e2e.browser import DESKTOP, PHONE, screenshot
from tests.e2e.test_translations import TABLES

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

QUESTION = "What does Resolution 15 ask BDT to do about technology transfer handbooks?"
LOCALES = {"ar": "ar-EG", "zh": "zh-CN", "en": "en-GB", "fr": "fr-FR", "ru": "ru-RU", "es": "es-ES"}

# Lists every visible element that sticks out of the viewport sideways. scrollWidth alone misses what
# spills out on the left of a right-to-left page (that side does not scroll), so boxes are checked too.
OVERFLOWING = """() => [...document.body.querySelectorAll('*')]
  .filter((el) => !el.closest('.visually-hidden') && el.getClientRects().length)
  .filter((el) => { const r = el.getBoundingClientRect();
                    return r.width > 0 && (r.left < -0.5 || r.right > innerWidth + 0.5); })
  .map((el) => el.tagName + '.' + el.className + ' ' + JSON.stringify(el.getBoundingClientRect()))"""


def ask(tab: Any, question: str) -> Any:
    """Type a question and send it with Enter; wait for its turn's answer, empty state or error."""
    turns = tab.locator("#conversation > li")
    before = turns.count()
    tab.locator("#question").fill(question)
    tab.locator("#question").press("Enter")
    turn = turns.nth(before)
    turn.locator(".answer, .empty, .error").first.wait_for()
    return turn


def words(language: str, key: str) -> str:
    """The page's words for key in language, as app.js shows them (French no-break spaces included)."""
    text = TABLES[language][key]
    assert isinstance(text, str)
    return text


def box(tab: Any, selector: str) -> dict[str, float]:
    found = tab.locator(selector).first.bounding_box()
    assert found, f"{selector} is not on screen"
    return dict(found)


def centre(b: dict[str, float]) -> float:
    return b["x"] + b["width"] / 2


def assert_no_sideways_overflow(tab: Any, where: str) -> None:
    width = tab.evaluate("innerWidth")
    assert tab.evaluate("document.documentElement.scrollWidth") <= width, where
    assert tab.evaluate(OVERFLOWING) == [], where


def switch_to(tab: Any, language: str) -> None:
    tab.locator("#language").select_option(language)
    tab.locator(f'html[lang="{language}"]').wait_for(state="attached")


@pytest.mark.parametrize(
    ("locale", "language", "direction"),
    [("fr-FR", "fr", "ltr"), ("ar-EG", "ar", "rtl"), ("zh-CN", "zh", "ltr"), ("de-DE", "en", "ltr")],
)
def test_default_language_follows_the_browser_locale(page_in, locale, language, direction):
    tab = page_in(locale=locale)
    assert tab.evaluate("navigator.language") == locale
    assert tab.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        language,
        direction,
    ]
    assert tab.locator("#language").input_value() == language
    assert tab.locator("#tab-ask").inner_text() == words(language, "tabAsk")
    assert tab.locator("#tab-precedent").inner_text() == words(language, "tabPrecedent")
    assert tab.locator("#question").get_attribute("placeholder") == words(language, "questionPlaceholder")
    assert tab.locator("#ask-submit").inner_text() == words(language, "askButton")
    assert tab.locator("#ask-doc option").first.inner_text() == words(language, "allDocuments")
    assert tab.locator("#panel-close").get_attribute("aria-label") == words(language, "closePanel")
    assert tab.title() == words(language, "pageTitle")


def test_switch_changes_what_is_shown_and_is_kept_across_a_reload(page_in):
    tab = page_in(locale="en-US")
    turn = ask(tab, QUESTION)
    assert turn.locator(".answer-label").text_content() == "Answer, quoted from the texts"

    switch_to(tab, "fr")
    # the words already on screen are redrawn in French; the passages and citations stay English
    assert tab.locator("#tab-ask").inner_text() == "Poser une question"
    assert turn.locator(".answer-label").text_content() == words("fr", "answerQuoted")
    card = turn.locator("ol.cards > li.card").first
    assert card.get_by_role("button", name=re.compile("^Copier la référence")).inner_text() == (
        "Copier la référence"
    )
    assert card.get_by_role("button", name=re.compile("^Voir dans le contexte")).count() == 1
    assert "Resolution 15" in card.locator(".card-citation").inner_text()
    assert "handbooks" in card.locator(".card-text").inner_text()
    assert tab.evaluate("localStorage.getItem('itu-page-language')") == "fr"

    tab.reload()
    tab.locator("#ask-doc option").nth(1).wait_for(state="attached")
    assert tab.evaluate("document.documentElement.lang") == "fr"  # the browser still says en-US
    assert tab.locator("#tab-precedent").inner_text() == "Trouver des précédents"
    assert tab.locator(".welcome-title").inner_text() == "Interrogez les textes"

    switch_to(tab, "ru")
    tab.reload()
    tab.locator("#ask-doc option").nth(1).wait_for(state="attached")
    assert tab.locator("#tab-ask").inner_text() == "Задать вопрос"


def test_arabic_is_right_to_left_with_the_layout_mirrored(page_in):
    tab = page_in(locale="en-US", viewport=DESKTOP)
    middle = DESKTOP["width"] / 2
    assert centre(box(tab, ".brand")) < middle
    assert box(tab, "#ask-submit")["x"] > box(tab, "#question")["x"]
    assert box(tab, "#tab-ask")["x"] < box(tab, "#tab-precedent")["x"]

    switch_to(tab, "ar")
    assert tab.evaluate("document.documentElement.dir") == "rtl"
    assert centre(box(tab, ".brand")) > middle  # the title moves to the right, the switch to the left
    assert box(tab, ".language-switch")["x"] < box(tab, ".views")["x"]
    assert box(tab, "#ask-submit")["x"] < box(tab, "#question")["x"]
    assert box(tab, "#tab-ask")["x"] > box(tab, "#tab-precedent")["x"]
    # the arrow that points along the reading direction (left) goes to the next tab
    tab.locator("#tab-ask").focus()
    tab.keyboard.press("ArrowLeft")
    assert tab.locator("#tab-precedent").get_attribute("aria-selected") == "true"
    tab.keyboard.press("ArrowRight")
    assert tab.locator("#tab-ask").get_attribute("aria-selected") == "true"

    # a search in the Arabic page still finds and cites the (English) passages
    turn = ask(tab, QUESTION)
    assert turn.locator(".answer-label").text_content() == words("ar", "answerQuoted")
    assert turn.locator(".sources-title").text_content() == words("ar", "sources")
    cards = turn.locator("ol.cards > li.card")
    assert cards.count() >= 1
    card = cards.first
    assert "Resolution 15" in card.locator(".card-citation").inner_text()
    assert turn.locator(".answer a.marker").first.inner_text() == "1"
    # mirrored: the question on the left, the source number right of its citation, the bar on the right
    assert centre(box(tab, "#conversation h2.question")) < middle
    assert box(tab, "#conversation .card .card-n")["x"] > box(tab, "#conversation .card .card-citation")["x"]
    style = "el => [getComputedStyle(el).borderRightWidth, getComputedStyle(el).borderLeftWidth]"
    assert card.evaluate(style) == ["4px", "1px"]
    # ... while the English passage inside reads left to right
    assert card.locator(".card-text").evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert card.locator(".card-citation").evaluate("el => getComputedStyle(el).direction") == "ltr"
    turn.scroll_into_view_if_needed()
    screenshot(tab, "desktop-1280-arabic-answer")

    # the passage panel opens from the left
    card.get_by_role("button", name=re.compile("^" + words("ar", "showInContext"))).click()
    tab.locator("#panel .current").wait_for()
    assert box(tab, "#panel")["x"] == 0
    assert tab.locator("#panel-title").inner_text() == words("ar", "panelTitle")
    screenshot(tab, "desktop-1280-arabic-context")


@pytest.mark.parametrize("language", list(LOCALES))
def test_nothing_sticks_out_sideways_at_phone_width(page_in, language):
    tab = page_in(locale=LOCALES[language], viewport=PHONE)
    assert tab.evaluate("document.documentElement.lang") == language
    assert_no_sideways_overflow(tab, "welcome")
    turn = ask(tab, QUESTION)
    assert turn.locator("ol.cards > li.card").count() >= 1
    assert_no_sideways_overflow(tab, "answer")
    turn.scroll_into_view_if_needed()
    screenshot(tab, f"phone-390-{language}-answer")
    if language == "ar":
        assert box(tab, "#conversation .card .card-n")["x"] > PHONE["width"] / 2

    tab.get_by_role("tab", name=words(language, "tabPrecedent")).click()
    assert_no_sideways_overflow(tab, "precedents")
    button = box(tab, "#precedent-submit")
    assert button["x"] >= 0 and button["x"] + button["width"] <= PHONE["width"]
    screenshot(tab, f"phone-390-{language}-precedents")


def test_the_query_language_is_shown_only_when_the_api_gives_one_other_than_english(page_in):
    tab = page_in(locale="en-US")
    # this server gives no `lang` yet: nothing is said
    assert ask(tab, QUESTION).locator(".read-as").count() == 0

    detected: dict[str, str] = {}

    def with_lang(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        body["lang"] = detected["lang"]
        route.fulfill(response=response, body=json.dumps(body))

    tab.route("**/ask", with_lang)
    detected["lang"] = "fr"
    turn = ask(tab, QUESTION)
    assert turn.locator(".read-as").inner_text() == "Question read as French"
    switch_to(tab, "zh")
    assert turn.locator(".read-as").inner_text() == "问题语言：法文"
    detected["lang"] = "en"
    assert ask(tab, QUESTION).locator(".read-as").count() == 0


def test_errors_and_the_loading_notice_are_in_the_page_language(page_in):
    tab = page_in(locale="es-ES")
    held: list[Any] = []
    tab.route("**/ask", lambda route: held.append(route))
    tab.locator("#question").fill(QUESTION)
    tab.locator("#question").press("Enter")
    loading = tab.locator("#conversation .loading")
    loading.wait_for()
    assert loading.inner_text() == "Buscando en los textos…"
    held[0].fulfill(
        status=429,
        content_type="application/json",
        body=json.dumps({"error": {"code": "rate_limited", "message": "too many requests", "hint": ""}}),
    )
    alert = tab.locator("#conversation").get_by_role("alert")
    alert.wait_for()
    text = alert.inner_text()
    assert "Demasiadas solicitudes a la vez." in text
    assert "Too many requests." in text  # the API's own words follow, as it gave them
    assert "Espere un momento y vuelva a intentarlo." in text  # the page's hint, the API having none
    assert alert.get_by_role("button").inner_text() == "Reintentar"

    tab.unroute("**/ask")
    tab.route("**/ask", lambda route: route.abort())
    network = ask(tab, QUESTION).get_by_role("alert").inner_text()
    assert "No se ha podido conectar con el servidor." in network
    assert "Compruebe la conexión de red y vuelva a intentarlo." in network

    tab.unroute("**/ask")
    tab.route("**/ask", lambda route: route.fulfill(status=500, body="Internal Server Error"))
    server = ask(tab, QUESTION).get_by_role("alert").inner_text()
    assert "Se ha producido un error en el servidor." in server
    assert "avise a los organizadores" in server

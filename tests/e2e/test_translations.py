"""The page's words in the six official languages (``api/static/i18n.js``): complete, consistent, used.

Fast: reads the static files only. The browser tests of the languages are in ``test_languages.py``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from api.routes.pages import STATIC_DIR

LANGUAGES = ["ar", "zh", "en", "fr", "ru", "es"]
OWN_NAMES = {
    "ar": "العربية",
    "zh": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}
# The plural categories (CLDR, as Intl.PluralRules gives them) each language's counted phrases must have;
# "many" is optional in French and Spanish (millions), where "other" serves.
PLURALS_NEEDED = {
    "ar": {"zero", "one", "two", "few", "many", "other"},
    "zh": {"other"},
    "en": {"one", "other"},
    "fr": {"one", "other"},
    "ru": {"one", "few", "many", "other"},
    "es": {"one", "other"},
}
PLURAL_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}
# Keys that app.js builds rather than spells out (t(direction + "Of"), languageName()).
KEYS_BUILT_IN_CODE = {"previousOf", "nextOf", "languages"}


def load_tables() -> dict[str, dict[str, Any]]:
    text = (STATIC_DIR / "i18n.js").read_text(encoding="utf-8")
    found = re.search(r"^window\.PAGE_STRINGS = (\{.*\});\s*\Z", text, flags=re.S | re.M)
    assert found, "i18n.js must be a comment, then window.PAGE_STRINGS = {strict JSON};"
    tables: dict[str, dict[str, Any]] = json.loads(found.group(1))
    return tables


TABLES = load_tables()
ENGLISH = TABLES["en"]


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_there_is_one_table_for_each_official_language():
    assert list(TABLES) == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_key_and_no_other(language: str):
    table = TABLES[language]
    assert sorted(set(ENGLISH) - set(table)) == [], "missing"
    assert sorted(set(table) - set(ENGLISH)) == [], "not in the English table"
    assert set(table["languages"]) == set(LANGUAGES)
    assert all(isinstance(name, str) and name.strip() for name in table["languages"].values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_entry_keeps_the_english_placeholders(language: str):
    for key, english in ENGLISH.items():
        value = TABLES[language][key]
        if key == "languages":
            continue
        if isinstance(english, dict):
            assert isinstance(value, dict), key
            assert PLURALS_NEEDED[language] <= set(value) <= PLURAL_CATEGORIES, key
            wanted = placeholders(english["other"])
            # "one", "two" and "zero" may spell the number out ("une", "فقرتان"); "other" names everything
            assert placeholders(value["other"]) == wanted, key
            for form, text in value.items():
                assert text.strip() and placeholders(text) <= wanted, (key, form)
        else:
            assert isinstance(value, str) and value.strip(), key
            assert placeholders(value) == placeholders(english), key


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_sentences_are_translated_not_copied(language: str):
    copied = [
        key
        for key, english in ENGLISH.items()
        if isinstance(english, str) and len(english) > 20 and TABLES[language][key] == english
    ]
    assert copied == []


def test_every_key_is_used_by_the_page_and_every_key_used_exists():
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    in_html = set(re.findall(r'data-i18n(?:-[a-z-]+)?="(\w+)"', html))
    called = set(re.findall(r"\b(?:t|tn|tNodes)\(\s*\"(\w+)\"", script))
    assert sorted((in_html | called) - set(ENGLISH)) == []
    unused = [
        key
        for key in ENGLISH
        if key not in in_html and f'"{key}"' not in script and key not in KEYS_BUILT_IN_CODE
    ]
    assert unused == []


def test_language_switch_names_each_language_in_itself():
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    switch = re.search(r'<select id="language"[^>]*>(.*?)</select>', html, flags=re.S)
    assert switch
    options = re.findall(r'<option value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</option>', switch.group(1))
    assert [(value, name) for value, _, name in options] == list(OWN_NAMES.items())
    assert all(value == lang for value, lang, _ in options)
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    listed = re.search(r"const LANGUAGES = \[(.*?)\];", script)
    assert listed and re.findall(r'"(\w+)"', listed.group(1)) == LANGUAGES

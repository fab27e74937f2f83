"""The language a query is written in: one of the Union's six official languages, English when unsure.

A delegate may ask in Arabic, Chinese, English, French, Russian or Spanish; the pipeline reads the
question in its language (reference words, spelling, the multilingual dense leg) and answers from the
English texts. ``detect_language`` decides in two steps:

1. the script, which is exact and free: any Arabic letter is Arabic, any Han character Chinese, any
   Cyrillic letter Russian (where two of these scripts mix, the one with the most characters wins);
2. for Latin text, lingua (``lingua-language-detector``) restricted to the six languages tells
   English, French and Spanish apart. When its two likeliest languages are within ``MIN_DISTANCE``
   of each other it is unsure, and the query is English: the documents' language and the default
   pipeline. A query without a word of lower-case letters ("AMS4 Q2/1", "7.9.6", "WSIS C7",
   "CMDT-25") is English without asking lingua: codes, numbers and acronyms carry no language (and
   lingua is unsure of "Res. 66" by itself).

Measured on eval/gold/lang-dev.jsonl and the English dev questions (bench/language.py): accuracy
1.000 on both, 0.996 on a probe of 254 short queries, p50 0.06 ms a call. lingua loads the n-gram
models of the languages it needs on its first call (~0.6 s for English, French and Spanish; preloading
them at build costs as much); ``warm_up`` lets a server pay that at start.

Example:
    >>> detect_language("Quelle est la longueur maximale d'une contribution ?"), detect_language("Res. 66")
    ('fr', 'en')
    >>> check_language("fr-FR")
    'fr'
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

from rag.errors import ConfigError

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = ["LANGUAGES", "MIN_DISTANCE", "check_language", "detect_language", "warm_up"]

LANGUAGES: tuple[str, ...] = ("ar", "en", "es", "fr", "ru", "zh")
DEFAULT_LANGUAGE = "en"
# lingua's minimum relative distance between the two likeliest languages, under which it is unsure.
# Chosen on lang-dev and a probe of short queries (bench/multilingual.py): 0.1 sends short English
# keyword queries to French, 0.3 sends more three-word French and Spanish queries to English.
MIN_DISTANCE = 0.2
_LINGUA_NAMES = ("ARABIC", "ENGLISH", "SPANISH", "FRENCH", "RUSSIAN", "CHINESE")

# Letters of each non-Latin script (Arabic letters without the Arabic-Indic digits, Han ideographs
# with their extension A and compatibility block, Cyrillic with its supplement).
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "ar",
        re.compile(
            r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]"
        ),
    ),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("ru", re.compile(r"[\u0400-\u04ff\u0500-\u052f]")),
)
_TOKEN = re.compile(r"[^\W_]+")
_ALIASES = {
    # ISO 639-2 (T and B) and 639-3 codes of the six
    "ara": "ar",
    "eng": "en",
    "spa": "es",
    "fra": "fr",
    "fre": "fr",
    "rus": "ru",
    "zho": "zh",
    "chi": "zh",
    "cmn": "zh",
}

_lock = threading.Lock()
_detector: LanguageDetector | None = None


def detect_language(text: str) -> str:
    """The two-letter code of the language ``text`` is written in (``LANGUAGES``); English when unsure."""
    counts = [(len(pattern.findall(text)), code) for code, pattern in _SCRIPTS]
    most, code = max(counts)
    if most:
        return code
    if not any(_is_word(t) for t in _TOKEN.findall(text)):
        return DEFAULT_LANGUAGE
    found = _lingua().detect_language_of(text)
    if found is None:
        return DEFAULT_LANGUAGE
    return found.iso_code_639_1.name.lower()


def _is_word(token: str) -> bool:
    """A token that may carry a language: letters, one lower-case, no digit ("Q2", "ITU", "7" are not)."""
    return not any(c.isdigit() for c in token) and any(c.islower() for c in token)


def check_language(code: str) -> str:
    """``code`` as one of ``LANGUAGES``: case, region and script subtags ("fr-FR", "zh_Hans") and the
    three-letter ISO codes ("fra", "zho") are accepted.

    Raises:
        ConfigError: not one of the six official languages (the hint names them).
    """
    given = code.strip().lower().replace("_", "-") if isinstance(code, str) else ""
    primary = given.split("-", 1)[0]
    primary = _ALIASES.get(primary, primary)
    if primary in LANGUAGES:
        return primary
    raise ConfigError(
        f"unknown language {code!r}",
        hint=f"use one of the six official languages' codes: {', '.join(LANGUAGES)}",
    )


def warm_up() -> None:
    """Build the detector and load its Latin-script models now (~0.6 s) rather than on the first query."""
    _lingua().detect_language_of("the language models load on a first call")


def _lingua() -> LanguageDetector:
    """The lingua detector over the six languages, built once (thread-safe) on first use."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                six = [getattr(Language, name) for name in _LINGUA_NAMES]
                builder = LanguageDetectorBuilder.from_languages(*six)
                _detector = builder.with_minimum_relative_distance(MIN_DISTANCE).build()
    return _detector

"""Reference words of the six official languages, as one table, and their English reference forms.

A delegate asking in French writes "Résolution 66", in Russian "Резолюции 66", in Arabic "القرار 66",
in Chinese "第66号决议"; the references module and the query parser read the English forms
("Resolution 66"). ``english_forms`` rewrites a text's reference words into those forms and keeps a map
of every character back to the text as written, so spans found in the rewritten text point into the
original. ``REFERENCE_WORDS`` is the table, one row per English form:

- a type word (Resolution, Recommendation, Draft Opinion, Opinion, Question, Decision, paragraph,
  Annex) is rewritten only where an identifier follows ("Résolution 66", "Recommandation UIT-T A.8",
  "пункт 7.9.6", "附件2"), so "la résolution de la CMDT" stays as written; its inflections ("Резолюцию",
  "резолюций") and Arabic's attached article and prepositions ("القرار", "بالقرار", "للقرار") are
  read too, and a number sign after it ("n°", "№", "رقم") is dropped. Chinese also writes the number
  first ("第66号决议", "7.9.6段"): that order is rewritten to "Resolution 66", "paragraph 7.9.6";
- a name (the sectors "UIT-T", "МСЭ-R"; "Rév.", "Пересм." of a revision) is rewritten wherever it is;
- the citing verbs of reference questions ("rappellent", "ссылаются на", "引用") only when asked for
  (``verbs=True``: ``rag.query.analysis.cited_keys``), since they are not part of a reference.

Words spelt as in English (French "Question", "annexes", "cite"; Spanish "decision" without its
accent) have no row, so English text is returned as it is: no form matches an English word
(``tests/citator/test_reference_words.py`` holds every English gold question to that).

Example:
    >>> english_forms("第66号决议 et Résolution n° 73 (Rév. Kigali, 2022)").text
    'Resolution 66 et Resolution 73 (Rev. Kigali, 2022)'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["REFERENCE_WORDS", "ReferenceWord", "Rewritten", "english_forms"]

# Arabic's attached conjunction, preposition and article before a noun: "و", "ب", "ل", "ك", "ال"
_AR = r"(?:[وف]?(?:[بلك]?ال|لل)|[وفبلك])?"


@dataclass(frozen=True, slots=True)
class ReferenceWord:
    """One English reference form and how each language writes it (a regex per language code).

    ``kind``: "type" (rewritten before an identifier, or after it in Chinese), "name" (everywhere),
    "verb" (a citing verb, only for reference questions).
    """

    english: str
    forms: Mapping[str, str]
    kind: str = "type"


REFERENCE_WORDS: tuple[ReferenceWord, ...] = (
    ReferenceWord(
        "Draft Opinion",
        {
            "fr": r"projets?\s+d['’]\s*avis",
            "es": r"proyectos?\s+de\s+opini[oó]n",
            "ru": r"проект(?:а|е|ом|ы)?\s+мнени[еяюи]",
            "ar": _AR + r"مشروع\s+الرأي",
            "zh": r"意见草案",
        },
    ),
    ReferenceWord(
        "Resolution",
        {
            "fr": r"résolutions?",
            "es": r"resoluci(?:ón|on|ones)",
            "ru": r"резолюци(?:я|и|ю|ей|й|ям|ями|ях)",
            "ar": _AR + r"قرار(?:ات)?",
            "zh": r"决议",
        },
    ),
    ReferenceWord(
        "Recommendation",
        {
            "fr": r"recommandations?",
            "es": r"recomendaci(?:ón|on|ones)",
            "ru": r"рекомендаци(?:я|и|ю|ей|й|ям|ями|ях)",
            "ar": _AR + r"توصي(?:ة|ات)",
            "zh": r"建议书|建议",
        },
    ),
    ReferenceWord(
        "Opinion",
        {
            "fr": r"avis",
            "es": r"opini(?:ón|ones)",  # "opinion" is English
            "ru": r"мнени(?:е|я|ю|ем|и|й|ях)",
            "ar": _AR + r"(?:رأي|آراء)",
            "zh": r"意见",
        },
    ),
    ReferenceWord(
        "Question",
        {
            "es": r"cuesti(?:ón|on|ones)",
            "ru": r"вопрос(?:а|у|ом|е|ы|ов|ам|ами|ах)?",
            "ar": _AR + r"مسأل(?:ة|تان|ات)",
            "zh": r"研究课题|课题|问题",
        },
    ),
    ReferenceWord(
        "Decision",
        {
            "fr": r"décisions?",
            "es": r"decisi(?:ón|ones)",  # "decision" is English
            "ru": r"решени(?:е|я|ю|ем|и|й|ях)",
            "ar": _AR + r"مقرر(?:ات)?",
            "zh": r"决定",
        },
    ),
    ReferenceWord(
        "paragraph",
        {
            "fr": r"paragraphes?",
            "es": r"p[aá]rrafos?",
            "ru": r"пункт(?:а|у|ом|е|ы|ов|ах)?|параграф(?:а|у|ом|е|ы)?",
            "ar": _AR + r"فقر(?:ة|تان|ات)",
            "zh": r"段落|段",
        },
    ),
    ReferenceWord(
        "Annex",
        {
            "fr": r"annexe",  # "annexes" is English
            "es": r"anexos?",
            "ru": r"приложени(?:е|я|ю|ем|и|й|ях)",
            "ar": _AR + r"ملح(?:ق|قات)",
            "zh": r"附件",
        },
    ),
    ReferenceWord("ITU-T", {"fr": r"UIT-T", "ru": r"МСЭ-[TТ]"}, kind="name"),
    ReferenceWord("ITU-R", {"fr": r"UIT-R", "ru": r"МСЭ-[RР]"}, kind="name"),
    ReferenceWord("ITU-D", {"fr": r"UIT-D", "ru": r"МСЭ-D"}, kind="name"),  # es writes UIT-x as fr
    ReferenceWord("Rev.", {"fr": r"Rév\.", "ru": r"Пересм\."}, kind="name"),
    ReferenceWord(
        "recall",
        {
            "fr": r"rappel(?:le|lent|ant|ée?s?)",
            "es": r"recuerda(?:n)?|recordando",
            "ru": r"напомина(?:ет|ют|ющие|ющих)",
            "zh": r"回顾",
        },
        kind="verb",
    ),
    ReferenceWord(
        "cite",
        {
            "fr": r"cit(?:ent|ant)|mentionn(?:e|ent|ant)",  # "cite" is English
            "es": r"cita(?:n)?|citando|menciona(?:n)?|mencionando",
            "ru": r"цитиру(?:ет|ют|ющие|ющих)|упомина(?:ет|ют|ющие|ющих)",
            "ar": r"[تي]ستشهد(?:ان)?\s+ب|[تي]ذكر(?:ان)?",
            "zh": r"援引|引用|提及|提到",
        },
        kind="verb",
    ),
    ReferenceWord(
        "refer to",
        {
            "fr": r"(?:font|fait|faisant)\s+référence\s+(?:à|aux?)|renvoi(?:e|ent)\s+(?:à|aux?)"
            r"|(?:se|s['’])\s*réf[èé]r(?:e|ent|ant)\s+(?:à|aux?)",
            "es": r"hace(?:n)?\s+referencia\s+(?:a|al)|se\s+refiere(?:n)?\s+(?:a|al)",
            "ru": r"ссыла(?:ется|ются|ющиеся|ющихся)\s+на",
            "ar": r"[تي]شير(?:ان)?\s+إلى",
        },
        kind="verb",
    ),
)

# What may follow a type word as its identifier: a number (Arabic-Indic digits are made ASCII first), a
# sector ("UIT-T A.8"), a code with a digit ("E.119", "ARB4")
_ID_AHEAD = r"(?=\d|(?:UIT|ITU|МСЭ)-|[A-Za-z]{1,3}\.?\d)"
# Between a type word and its identifier: spaces and at most one line break, a number sign ("n°", "№")
_GAP = r"[^\S\n]*\n?[^\S\n]*"
_NUMBER_SIGN = rf"(?:{_GAP}(?:n[°ºo]\.?|№|رقم))?"
# Chinese order: an identifier, then the type word ("第66号决议", "ITU-T A.8建议书", "7.9.6段")
_ZH_ID = r"(?:(?:ITU|UIT)-[TRD][^\S\n]*)?(?:[A-Za-z]{1,3}\.?)?\d+(?:[./]\d+)*"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True, slots=True)
class Rewritten:
    """A text with its reference words in English forms, and where each character came from.

    ``sources[i]`` is the (start, end) in the original of the character ``text[i]``: one character for
    a character kept, the whole rewritten word for one put in its place. ``None``: nothing rewritten.
    """

    text: str
    original: str
    sources: tuple[tuple[int, int], ...] | None = field(default=None, repr=False)

    @property
    def changed(self) -> bool:
        return self.sources is not None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original that ``text[start:end]`` was written from."""
        if self.sources is None:
            return start, end
        if start >= len(self.text):
            return len(self.original), len(self.original)
        first = self.sources[start][0]
        last = self.sources[end - 1][1] if end > start else first
        return first, max(first, last)


def english_forms(text: str, *, verbs: bool = False) -> Rewritten:
    """``text`` with the reference words of ``REFERENCE_WORDS`` written in English (citing verbs too
    with ``verbs``); the text itself, unchanged, when it has none.

    About 0.2 s for the 1.4 million characters of the seed passages, which it leaves unchanged.
    """
    ascii_digits = text.translate(_DIGITS)  # one character for one: offsets stay
    words, chinese = _patterns(verbs)
    found = list(words.finditer(ascii_digits))
    if _HAN.search(text):
        found = _without_overlaps([*chinese.finditer(ascii_digits), *found])
    if not found and ascii_digits == text:
        return Rewritten(text, text)
    out: list[str] = []
    sources: list[tuple[int, int]] = []
    pos = 0
    for m in found:
        out.append(ascii_digits[pos : m.start()])
        sources.extend((i, i + 1) for i in range(pos, m.start()))
        replacement = _spaced(_replacement(m), ascii_digits, m.start(), m.end())
        out.append(replacement)
        sources.extend([m.span()] * len(replacement))
        pos = m.end()
    out.append(ascii_digits[pos:])
    sources.extend((i, i + 1) for i in range(pos, len(text)))
    return Rewritten("".join(out), text, tuple(sources))


def _without_overlaps(found: list[re.Match[str]]) -> list[re.Match[str]]:
    """The matches in text order, the longer one where two overlap ("ITU-T A.8建议书" over "ITU-T")."""
    kept: list[re.Match[str]] = []
    for m in sorted(found, key=lambda m: (m.start(), -m.end())):
        if not kept or m.start() >= kept[-1].end():
            kept.append(m)
    return kept


def _replacement(m: re.Match[str]) -> str:
    row = next(name for name, value in m.groupdict().items() if value is not None and name[1:].isdigit())
    word = REFERENCE_WORDS[int(row[1:])]
    if row[0] == "z":  # Chinese order: the identifier first
        return f"{word.english} {m.group('zid')}"
    if word.kind == "type":  # the word and what separates it from the identifier
        return f"{word.english} "
    return word.english


def _spaced(replacement: str, text: str, start: int, end: int) -> str:
    """A space where the replacement would touch a letter or digit ("的Resolution 188关于"): Chinese
    writes no spaces, and the English forms are read as words."""
    if start and text[start - 1].isalnum() and replacement[0].isalnum():
        replacement = " " + replacement
    if end < len(text) and text[end].isalnum() and replacement[-1].isalnum():
        replacement += " "
    return replacement


def _alternatives(word: ReferenceWord, chinese: bool) -> str:
    forms = [form for language, form in word.forms.items() if (language == "zh") == chinese]
    return "|".join(forms)


@lru_cache(maxsize=2)
def _patterns(verbs: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two regexes over every row: one for the words between spaces, one for Chinese (no spaces, and
    the identifier may come first). Group ``w<i>`` is row i in place, ``z<i>`` row i after its
    identifier; one word boundary before all the words' forms lets the search skip the inside of words.
    """
    rows = [(i, w) for i, w in enumerate(REFERENCE_WORDS) if verbs or w.kind != "verb"]
    in_place, chinese = [], []
    for i, word in rows:
        tail = rf"{_NUMBER_SIGN}{_GAP}{_ID_AHEAD}" if word.kind == "type" else ""
        if forms := _alternatives(word, chinese=False):
            in_place.append(rf"(?P<w{i}>(?:{forms})(?!\w){tail})")
        if forms := _alternatives(word, chinese=True):
            chinese.append(rf"(?P<w{i}>(?:{forms}){tail})")
    zh_types = [(i, w) for i, w in rows if w.kind == "type" and "zh" in w.forms]
    zh_words = "|".join(rf"(?P<z{i}>{_alternatives(w, chinese=True)})" for i, w in zh_types)
    zh_order = rf"(?:第\s*)?(?P<zid>{_ZH_ID})\s*号?\s*(?:{zh_words})"
    words = re.compile(rf"(?<!\w)(?:{'|'.join(in_place)})", re.IGNORECASE)
    return words, re.compile("|".join((zh_order, *chinese)), re.IGNORECASE)

"""Query translation by glossary: a non-English question read as an English gloss of its key terms.

The corpus is English and so are the strong legs (BM25 and the fine-tuned MiniLM encoder): "Quelle
est la longueur maximale d'une contribution soumise à une commission d'études de l'UIT-D ?" shares
no word with the clause it asks about. Its gloss, "maximum length contribution submitted study group
ITU-D", does. The glossaries (``glossary/{lang}.tsv``: source term TAB English term) hold the general
vocabulary of ITU telecommunication and development policy texts as an ITU terminologist writes it,
not the wording of any test question.

Matching, per language:

- French, Spanish, Russian, Arabic: words are lower-cased and stemmed (Snowball) on both sides, so
  "pays les moins avancés" also matches "des pays moins avancés"; the longest run of stems that a
  glossary key spells wins. Articles and prepositions listed in ``glossary/{lang}.stop`` are left
  out of the match on both sides and are no content words. Accents are folded for French and Spanish
  (after stemming: the stemmers read accents). Arabic is normalised (diacritics, tatweel, alef and
  ya forms, ta marbuta) and a word whose stem the glossary does not know is tried without its
  proclitics (و ف, then ب ل ك, then the article).
- Chinese: the longest glossary key found at each position of the text (no segmentation).
- Numbers, codes and Latin-script acronyms ("WSIS", "IMT-2020", "Q2/1", "§4.1.3") pass through.

A language without a glossary (English) is returned as typed. Glossing a question takes well under
a millisecond once the glossary is loaded (``bench/gloss_latency.py``).

Example:
    >>> gloss("renforcement des capacités dans les PMA", "fr").english
    'capacity building LDC'
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import snowballstemmer  # type: ignore[import-untyped]
from snowballstemmer.basestemmer import BaseStemmer  # type: ignore[import-untyped]

GLOSSARY_DIR = Path(__file__).parent / "glossary"
STEMMED_LANGUAGES = MappingProxyType({"fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"})
LANGUAGES = (*STEMMED_LANGUAGES, "zh")

# A raw word: letters/digits joined by the separators of codes ("IMT-2020", "Q2/1", "§4.1.3", "30%").
# Combining marks (Arabic harakat, tatweel, decomposed accents) belong to their word.
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
_RAW_WORD = re.compile(rf"§?[\w{_MARKS}]+(?:[-/.:][\w{_MARKS}]+)*%?")
_PART = re.compile(rf"(?:[^\W_]|[{_MARKS}])+")
_LATIN = re.compile(r"[A-Za-z0-9]")
_ARABIC_MARKS = re.compile(f"[{_MARKS}]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ئ": "ي", "ؤ": "و"})
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CODE_SEPARATORS = frozenset("-/.:")


@dataclass(frozen=True, slots=True)
class Gloss:
    """A question's English gloss: the English terms in query order and what they came from.

    ``coverage`` is the share of the question's content words (not in the language's stop list)
    that reached the gloss, as a glossary term or passed through as a number or code; 1.0 for a
    question with no content word or a language without a glossary.
    """

    english: str
    matched: tuple[tuple[str, str], ...]
    coverage: float


@dataclass(frozen=True, slots=True)
class _Token:
    """One word part of the question: its span, its text, its matching key, and what it is."""

    start: int
    end: int
    text: str
    key: str
    stop: bool
    code: bool


@dataclass(frozen=True, slots=True)
class _Glossary:
    """One language's glossary: keys (stem tuples, or strings for Chinese) to English."""

    terms: MappingProxyType[tuple[str, ...] | str, str]
    vocabulary: frozenset[str]
    stopwords: frozenset[str]
    longest: int


_LOCK = threading.Lock()
_GLOSSARIES: dict[str, _Glossary] = {}


def gloss(text: str, lang: str) -> Gloss:
    """Gloss ``text`` (written in ``lang``, an ISO 639-1 code) in English; other languages unchanged."""
    lang = (lang or "en").lower()
    if lang not in LANGUAGES:
        return Gloss(english=text, matched=(), coverage=1.0)
    glossary = load_glossary(lang)
    if lang == "zh":
        return _gloss_chinese(text, glossary)
    return _gloss_words(text, lang, glossary)


def load_glossary(lang: str) -> _Glossary:
    """The glossary of ``lang``, read once per process (thread-safe)."""
    found = _GLOSSARIES.get(lang)
    if found is not None:
        return found
    with _LOCK:
        if lang not in _GLOSSARIES:
            _GLOSSARIES[lang] = _build_glossary(lang)
        return _GLOSSARIES[lang]


def read_tsv(path: Path) -> list[tuple[str, str]]:
    """The (source, English) pairs of a glossary file; a line starting with ``#`` is a comment.

    Raises:
        ValueError: a line without a tab or with an empty side (the message names the line).
    """
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        source, sep, english = line.partition("\t")
        source, english = source.strip(), english.strip()
        if not sep or not source or not english:
            raise ValueError(f"{path.name}:{number}: expected 'source TAB English', got {line!r}")
        pairs.append((source, english))
    return pairs


def _build_glossary(lang: str) -> _Glossary:
    pairs = read_tsv(GLOSSARY_DIR / f"{lang}.tsv")
    stop_path = GLOSSARY_DIR / f"{lang}.stop"
    stop_lines = stop_path.read_text(encoding="utf-8").splitlines() if stop_path.exists() else []
    stop_words = [word for line in stop_lines if not line.startswith("#") for word in line.split()]
    if lang == "zh":
        terms: dict[tuple[str, ...] | str, str] = {}
        for source, english in pairs:
            terms.setdefault(source, english)
        longest = max(len(str(key)) for key in terms)
        return _Glossary(MappingProxyType(terms), frozenset(), frozenset(stop_words), longest)
    stopwords = frozenset(_plain(lang, word) for word in stop_words)
    plain_keys = [(tuple(_plain_stems(source, lang, stopwords)), english) for source, english in pairs]
    vocabulary = frozenset(stem for key, _ in plain_keys for stem in key)
    terms = {}
    for source, english in pairs:
        key = tuple(t.key for t in _tokens(source, lang, stopwords, vocabulary) if not t.stop)
        if key:
            terms.setdefault(key, english)
    longest = max(len(key) for key in terms)
    return _Glossary(MappingProxyType(terms), vocabulary, stopwords, longest)


def _plain_stems(source: str, lang: str, stopwords: frozenset[str]) -> list[str]:
    parts = (_plain(lang, m.group()) for m in _PART.finditer(source))
    return [_stem(lang, part) for part in parts if part not in stopwords]


def _plain(lang: str, word: str) -> str:
    """Lower case, and the script's normal form (Arabic marks and letter variants, Russian ё)."""
    word = unicodedata.normalize("NFC", word.lower())
    if lang == "ar":
        return _ARABIC_MARKS.sub("", word).translate(_ALEF)
    if lang == "ru":
        return word.replace("ё", "е")
    return word


@lru_cache(maxsize=65536)
def _stem(lang: str, word: str) -> str:
    stem = _stemmer(lang).stemWord(word)
    if lang in ("fr", "es"):
        return _fold(stem)
    if lang == "ar":
        if word.endswith("ات") and stem.endswith("ا") and len(stem) > 3:
            stem = stem[:-1]  # the stemmer leaves the alef of some plurals in -ات
        return stem.replace("ة", "ه")
    return stem


@lru_cache(maxsize=8)
def _stemmer(lang: str) -> BaseStemmer:
    return snowballstemmer.stemmer(STEMMED_LANGUAGES[lang])


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _arabic_key(word: str, vocabulary: frozenset[str]) -> str:
    """The stem of ``word``, or of ``word`` without proclitics when only that one is known."""
    stem = _stem("ar", word)
    if stem in vocabulary:
        return stem
    for candidate in _without_proclitics(word):
        other = _stem("ar", candidate)
        if other in vocabulary:
            return other
    return stem


def _without_proclitics(word: str) -> list[str]:
    """``word`` with و/ف, then ب/ل/ك, then the article taken off, each step a candidate."""
    candidates = []
    if len(word) > 3 and word[0] in "وف":
        word = word[1:]
        candidates.append(word)
    if len(word) > 3 and word.startswith("لل"):
        word = "ال" + word[2:]
        candidates.append(word)
    elif len(word) > 3 and word[0] in "بلك":
        word = word[1:]
        candidates.append(word)
    if len(word) > 4 and word.startswith("ال"):
        candidates.append(word[2:])
    return candidates


def _tokens(text: str, lang: str, stopwords: frozenset[str], vocabulary: frozenset[str]) -> list[_Token]:
    tokens = []
    for raw in _RAW_WORD.finditer(text):
        code = _is_code(raw.group(), lang)
        for part in _PART.finditer(raw.group()):
            word = _plain(lang, part.group())
            start = raw.start() + part.start()
            key = _arabic_key(word, vocabulary) if lang == "ar" else _stem(lang, word)
            stop = word in stopwords and not code
            tokens.append(_Token(start, raw.start() + part.end(), part.group(), key, stop, code))
    return tokens


def _is_code(raw: str, lang: str) -> bool:
    """A number, reference or Latin-script acronym: passed through as typed when no term holds it."""
    if any(c.isdigit() for c in raw):
        return True
    if not _LATIN.search(raw):
        return False
    if lang in ("ru", "ar"):
        return True
    return sum(c.isupper() for c in raw) >= 2


def _gloss_words(text: str, lang: str, glossary: _Glossary) -> Gloss:
    tokens = _tokens(text, lang, glossary.stopwords, glossary.vocabulary)
    content = [i for i, t in enumerate(tokens) if not t.stop]
    pieces: list[tuple[int, int, str]] = []
    matched: list[tuple[str, str]] = []
    covered: set[int] = set()
    position = 0
    while position < len(content):
        for length in range(min(glossary.longest, len(content) - position), 0, -1):
            span = content[position : position + length]
            english = glossary.terms.get(tuple(tokens[i].key for i in span))
            if english is not None:
                start, end = tokens[span[0]].start, tokens[span[-1]].end
                pieces.append((start, end, english))
                matched.append((text[start:end], english))
                covered.update(span)
                position += length
                break
        else:
            position += 1
    pieces.extend(_passed_through(text, tokens, covered))
    coverage = len(covered | {i for i in content if tokens[i].code}) / len(content) if content else 1.0
    return Gloss(_join(text, pieces), tuple(matched), coverage)


def _passed_through(text: str, tokens: list[_Token], covered: set[int]) -> list[tuple[int, int, str]]:
    """Codes and numbers no glossary term took, as typed: whole raw words when untouched."""
    pieces = []
    for raw in _RAW_WORD.finditer(text):
        inside = [i for i, t in enumerate(tokens) if raw.start() <= t.start < raw.end()]
        if not inside or not tokens[inside[0]].code:
            continue
        if not covered.intersection(inside):
            pieces.append((raw.start(), raw.end(), raw.group()))
            continue
        for i in inside:
            if i not in covered and (tokens[i].text.isdigit() or _LATIN.match(tokens[i].text)):
                pieces.append((tokens[i].start, tokens[i].end, tokens[i].text))
    return pieces


def _gloss_chinese(text: str, glossary: _Glossary) -> Gloss:
    pieces: list[tuple[int, int, str]] = []
    matched: list[tuple[str, str]] = []
    covered = 0
    position = 0
    while position < len(text):
        for length in range(min(glossary.longest, len(text) - position), 0, -1):
            english = glossary.terms.get(text[position : position + length])
            if english is not None:
                pieces.append((position, position + length, english))
                matched.append((text[position : position + length], english))
                covered += sum(1 for c in text[position : position + length] if _content_char(c, glossary))
                position += length
                break
        else:
            position += 1
    for raw in _RAW_WORD.finditer(text):
        code = _CJK.sub(" ", raw.group())
        for part in re.finditer(r"\S+", code):
            start = raw.start() + part.start()
            if not any(p[0] <= start < p[1] for p in pieces):
                pieces.append((start, start + len(part.group()), part.group()))
    content = sum(1 for c in text if _content_char(c, glossary))
    return Gloss(_join(text, pieces), tuple(matched), covered / content if content else 1.0)


def _content_char(char: str, glossary: _Glossary) -> bool:
    return bool(_CJK.match(char)) and char not in glossary.stopwords


def _join(text: str, pieces: list[tuple[int, int, str]]) -> str:
    """The pieces in query order; two pieces of one code keep its separator ("CMDT-25" -> "WTDC-25")."""
    out: list[str] = []
    seen: set[str] = set()
    previous_end = None
    for start, end, english in sorted(pieces):
        between = text[previous_end:start] if previous_end is not None else " "
        if out and len(between) == 1 and between in _CODE_SEPARATORS:
            out[-1] += between + english
        elif english.lower() not in seen:
            out.append(english)
        seen.add(english.lower())
        previous_end = end
    return " ".join(out)

"""What a document is, read from its text: symbol, title, body or event, date, language, id.

``rag add FILE`` with no flags must cite the document correctly, so everything ``documents.json``
needs is read from the converted text, in this order of trust: what the text prints (a UN symbol at
the top, an instrument heading and its title, the enacting formula naming the body and place, an
adoption or approval date), then what the file's own properties say (``Converted.metadata``), then
the file name. Flags given to ``rag add`` override any of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePath

from rag.ingest.base import Converted
from rag.parse import parse_document
from rag.parse.names import masthead_symbol, symbol_slug
from rag.types import DocumentMeta, ParsedDocument

_MONTHS = {
    **{m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                   "august", "september", "october", "november", "december"], 1)},
    **{m: i for i, m in enumerate(["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
                                   "août", "septembre", "octobre", "novembre", "décembre"], 1)},
    **{m: i for i, m in enumerate(["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
                                   "agosto", "septiembre", "octubre", "noviembre", "diciembre"], 1)},
}  # fmt: skip
_DAY_MONTH_YEAR = re.compile(
    r"\b(?P<d>\d{1,2})(?:er|º)?\s+(?:de\s+)?(?P<m>"
    + "|".join(_MONTHS)
    + r")\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
# A deliverable's designation where there is no symbol: "FG-AI4H DEL01", "FG-DPM TR 1.2".
_DESIGNATION = re.compile(
    r"\b((?:FG|JCA|TSAG|SG\d{1,2})-?[A-Z0-9]*(?:-[A-Z0-9]+)*\s+(?:DEL|TR|TS|D)\s?\d{1,3}(?:\.\d{1,2})*)\b"
)
_UN_NUMBER = re.compile(r"^\d{2,3}/\d{1,4}\.\s*")
_TRAILING_PAREN = re.compile(r"\s*\((?:\d{2}/)?(?:19|20)\d\d(?:[-–/](?:19|20)\d\d)*\)\s*$")
_MONTH_YEAR = re.compile(r"\((?P<m>\d{2})/(?P<y>(?:19|20)\d\d)\)")
_ADOPTED = re.compile(r"\b(?:adopted|approved|adoptée?|aprobada?|approuvée?)\b", re.IGNORECASE)
_PLACE_YEAR = re.compile(r"\((?:Rev\.|Rév\.)?\s*(?P<place>[^\W\d][^(),]{1,40}),\s*(?P<y>(?:19|20)\d\d)\)")
# Bodies named in an enacting formula or heading, and how their events are called ("WTSA-16").
_BODY_NAMES: list[tuple[str, str]] = [
    (r"Plenipotentiary\s+Conference|Conférence\s+de\s+plénipotentiaires"
     r"|Conferencia\s+de\s+Plenipotenciarios", "PP"),
    (r"World\s+Telecommunication\s+Standardization\s+Assembly|Assemblée\s+mondiale\s+de\s+normalisation"
     r"|Asamblea\s+Mundial\s+de\s+Normalización", "WTSA"),
    (r"World\s+Telecommunication\s+Development\s+Conference|Conférence\s+mondiale\s+de\s+développement"
     r"|Conferencia\s+Mundial\s+de\s+Desarrollo", "WTDC"),
    (r"World\s+Radiocommunication\s+Conference|Conférence\s+mondiale\s+des\s+radiocommunications", "WRC"),
    (r"Radiocommunication\s+Assembly|Assemblée\s+des\s+radiocommunications", "RA"),
    (r"Telecommunication/ICT\s+Policy\s+Forum|Policy\s+Forum", "WTPF"),
    (r"World\s+Summit\s+on\s+the\s+Information\s+Society", "WSIS"),
    (r"\bThe\s+Council\b|Conseil\s+de\s+l['’]UIT|ITU\s+Council", "ITU Council"),
    (r"General\s+Assembly|Assemblée\s+générale|Asamblea\s+General", "UNGA"),
    (r"\bITU-T\b|\bUIT-T\b", "ITU-T"),
    (r"\bITU-R\b|\bUIT-R\b", "ITU-R"),
    (r"\bITU-D\b|\bUIT-D\b", "ITU-D"),
]  # fmt: skip
_BODIES = [(re.compile(pattern, re.IGNORECASE), body) for pattern, body in _BODY_NAMES]
_STOPWORDS = {
    "en": {"the", "of", "and", "to", "in", "that", "for", "is", "on", "with", "as", "by", "be", "are"},
    "fr": {"le", "la", "les", "de", "des", "et", "du", "que", "dans", "pour", "est", "une", "sur", "au"},
    "es": {"el", "la", "los", "las", "de", "del", "y", "que", "en", "para", "por", "una", "con", "se"},
}


@dataclass(frozen=True, slots=True)
class DetectedMeta:
    """Metadata read from a document; every field may be empty when nothing was found."""

    symbol: str = ""
    title: str = ""
    short_title: str = ""
    event: str = ""
    date: str = ""
    lang: str = ""


def detect_metadata(converted: Converted, name: str) -> DetectedMeta:
    """Read a document's metadata from its converted text and the file's own properties."""
    text = converted.text
    hints = converted.metadata
    printed = masthead_symbol(text) or hints.get("symbol", "")
    parsed = parse_document(_provisional(name, printed), text, quiet=True)
    instruments = _instruments(parsed)
    symbol = printed or (instruments[0] if len(instruments) == 1 else "")
    if len(instruments) > 1:  # a collection (Final Acts): its own title, not its first instrument's
        title = hints.get("title", "") or _first_line(text)
    else:
        title = _title(parsed, instruments) or hints.get("title", "") or _first_line(text)
    hinted = " ".join(hints.get("title", "").split()).rstrip(" :")
    if hinted.lower().startswith(title.lower()) and len(hinted) > len(title):
        title = hinted  # the text's title was cut short (a page header ran into it); the file's is whole
    title = _capitalised(_TRAILING_PAREN.sub("", title or PurePath(name).stem))
    event = _event(text, symbol, title)
    designation = _DESIGNATION.search(text[:60000])
    short = (
        symbol
        or (designation.group(1) if designation else "")
        or _short_title(title, event, len(instruments))
    )
    return DetectedMeta(
        symbol=symbol,
        title=title,
        short_title=short,
        event=event,
        date=_date(text) or hints.get("date", ""),
        lang=detect_language(text) or hints.get("lang", ""),
    )


def document_id(meta: DetectedMeta, name: str, taken: set[str]) -> str:
    """An id from the symbol, the short title or the file name, unique among ``taken``."""
    base = symbol_slug(meta.symbol) if meta.symbol else _slug(meta.short_title) or _slug(PurePath(name).stem)
    base = base[:60].strip("-") or "document"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, by script and common words ("" when unsure)."""
    sample = text[:20000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return ""
    scripts = {
        "ar": sum("\u0600" <= c <= "\u06ff" for c in letters),
        "ru": sum("\u0400" <= c <= "\u04ff" for c in letters),
        "zh": sum("\u4e00" <= c <= "\u9fff" for c in letters),
    }
    script, count = max(scripts.items(), key=lambda kv: kv[1])
    if count > 0.3 * len(letters):
        return script
    words = re.findall(r"[^\W\d_]+", sample.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 5 else ""


def _provisional(name: str, symbol: str) -> DocumentMeta:
    return DocumentMeta(
        id="new", file=PurePath(name).name, title="", short_title=symbol, event="", date="", kind="auto",
        symbol=symbol,
    )  # fmt: skip


def _instruments(parsed: ParsedDocument) -> list[str]:
    """The instruments in document order, annexed ones ("... (A/RES/80/3, annex)") left out."""
    seen: list[str] = []
    for p in parsed.passages:
        if p.instrument and not p.instrument.endswith(", annex)") and p.instrument not in seen:
            seen.append(p.instrument)
    return seen


def _title(parsed: ParsedDocument, instruments: list[str]) -> str:
    for p in parsed.passages:
        if p.kind == "title" and p.instrument == (instruments[0] if instruments else p.instrument):
            return _UN_NUMBER.sub("", p.text)[:300]
    return ""


def _first_line(text: str) -> str:
    for line in text.splitlines():
        words = line.lstrip("# ").strip()
        if len(words) >= 8 and any(c.isalpha() for c in words):
            return words[:200]
    return ""


def _event(text: str, symbol: str, title: str) -> str:
    """The body or event: a UN symbol's session ("UNGA-80"), else the body named first near the top,
    with the year of its place when printed ("(Dubai, 2018)": "PP-18")."""
    un = re.match(r"A/(?:[A-Z0-9.]+/)*?(?P<session>\d{2,3})/", symbol)
    if un:
        return f"UNGA-{un.group('session')}"
    head = text[:6000]
    found = [(m.start(), m, body) for pattern, body in _BODIES if (m := pattern.search(head))]
    if not found:
        return ""
    _, m, body = min(found, key=lambda f: f[0])
    where = _PLACE_YEAR.search(head, m.end(), m.end() + 120)
    if where and body in ("PP", "WTSA", "WTDC", "WRC", "RA", "WTPF"):
        return f"{body}-{where.group('y')[2:]}"
    return body


def _capitalised(title: str) -> str:
    """Words printed in capitals read as a title: "FINAL ACTS of the ..." -> "Final Acts of the ..."."""
    words = title.split()
    if sum(w.isupper() and len(w) > 2 for w in words) < 2:
        return " ".join(words)
    return " ".join(w.capitalize() if w.isupper() and len(w) > 2 and w.isalpha() else w for w in words)


def _short_title(title: str, event: str, instruments: int) -> str:
    if instruments > 1 and event and re.search(r"final\s+acts", title, re.I):
        return f"{event} Final Acts"
    words = title.split()
    return " ".join(words[:8]) + (" ..." if len(words) > 8 else "")


def _date(text: str) -> str:
    """The adoption or approval date near the top, else any date there, else "(10/2016)", else a year."""
    return _date_in(text[:2500]) or _date_in(text[:8000])


def _date_in(head: str) -> str:
    found: list[tuple[int, int, str]] = []
    for m in _DAY_MONTH_YEAR.finditer(head):
        iso = _iso(int(m.group("y")), _MONTHS[m.group("m").lower()], int(m.group("d")))
        if iso:
            adopted = _ADOPTED.search(head, max(0, m.start() - 120), m.start())
            found.append((0 if adopted else 1, m.start(), iso))
    if found:
        return min(found)[2]
    m = _MONTH_YEAR.search(head)
    if m and 1 <= int(m.group("m")) <= 12:
        return f"{m.group('y')}-{m.group('m')}"
    m = _PLACE_YEAR.search(head)
    return m.group("y") if m else ""


def _iso(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def with_overrides(meta: DetectedMeta, **overrides: str | None) -> DetectedMeta:
    """``meta`` with every override that was given (not None) in place of what was detected."""
    return replace(meta, **{k: v for k, v in overrides.items() if v is not None})

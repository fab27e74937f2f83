"""Instrument headings and the names a reader cites them by.

A paragraph that is nothing but an instrument's designation opens that instrument:

- ITU and other numbered instruments, in English, French and Spanish, with an optional revision or
  place in brackets: "RESOLUTION 1 (Rev. Hammamet, 2016)", "DECISION 5 (REV. DUBAI, 2018)",
  "Resolution ITU-R 1-8", "DRAFT OPINION 4: Space connectivity", "Decision 641",
  "RECOMMENDATION ITU-R S.354-2*", "Recommandation UIT-T E.119", "Recomendación UIT-T E.119";
- a UN resolution's number line "79/277." (its title may follow on the same line);
- a named instrument, short and with no sentence end: "BAKU DECLARATION", "Awaza Political
  Declaration", "Tunis Agenda for the Information Society", "Plan of Action".

Names are cited in title case whatever the printing: "RESOLUTION 2 (REV. DUBAI, 2018)" is cited
"Resolution 2 (Rev. Dubai, 2018)". UN documents are named by their symbol ("A/RES/79/277").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.parse.spans import clean_text

_TYPES: dict[str, tuple[str, str]] = {
    # printed word (lower case) -> (cited word, id slug prefix)
    "resolution": ("Resolution", "res"),
    "résolution": ("Résolution", "res"),
    "resolución": ("Resolución", "res"),
    "decision": ("Decision", "dec"),
    "décision": ("Décision", "dec"),
    "decisión": ("Decisión", "dec"),
    "recommendation": ("Recommendation", "rec"),
    "recommandation": ("Recommandation", "rec"),
    "recomendación": ("Recomendación", "rec"),
    "opinion": ("Opinion", "opinion"),
    "avis": ("Avis", "opinion"),
    "opinión": ("Opinión", "opinion"),
    "declaration": ("Declaration", "decl"),
    "déclaration": ("Déclaration", "decl"),
    "declaración": ("Declaración", "decl"),
    "question": ("Question", "question"),
}
_DRAFT = {"draft": "Draft", "projet de": "Projet de", "proyecto de": "Proyecto de"}
_SECTOR = r"(?:ITU|UIT)[-‑ ](?:R|T|D)"
_NUMBER = r"(?:[A-Z]{1,3}\.)?\d{1,4}(?:[-./]\d{1,4})*(?:\s?bis|\s?ter)?"
_HEADING = re.compile(
    r"(?P<draft>draft\s+|projet\s+de\s+|proyecto\s+de\s+)?"
    rf"(?P<type>{'|'.join(_TYPES)})\s+"
    rf"(?:(?P<sector>{_SECTOR})\s+)?"
    rf"(?P<number>{_NUMBER})"
    r"(?:\s*(?P<paren>\((?:[^()]|\([^()]*\))*\)))?"
    r"(?:\s*[:–—-]\s*(?P<title>\S.*?))?"
    r"[\s*†‡]*(?:\[\^[^\]]+\])*\s*",
    re.IGNORECASE,
)
_UN_NUMBER = re.compile(r"(?P<session>\d{2,3})/(?P<number>\d{1,4})\.\s*(?P<title>\S.*)?")
_UN_SYMBOL = re.compile(
    r"\b(?P<symbol>(?:A|E|S|UNEP|TD)(?:/[A-Z][A-Z0-9.]{0,8})*/(?:RES/)?\d{1,3}/(?:[A-Z]\.)?\d{1,4}"
    r"(?:/(?:Rev|Add|Corr)\.\d{1,3})*)\b"
)
_NAMED_WORDS = (
    r"Declaration|Déclaration|Declaración|Commitment|Agenda|Plan\s+of\s+Action|Action\s+Plan"
    r"|Programme\s+of\s+Action|Charter|Compact|Pact|Consensus|Statement|Communiqué|Outcome\s+Document"
)
_NAMED = re.compile(
    rf"(?P<name>(?:[\w'’.-]+\s+){{0,6}}(?:{_NAMED_WORDS})(?:\s+(?:of|on|for|de|sur|para|sobre)\s+[^.;:]{{3,80}})?)"
    r"\s*(?:\[\^[^\]]+\])*",
    re.IGNORECASE,
)
_SMALL_WORDS = {
    "of",
    "on",
    "for",
    "the",
    "and",
    "in",
    "to",
    "de",
    "du",
    "des",
    "la",
    "le",
    "et",
    "sur",
    "para",
    "y",
}


@dataclass(frozen=True, slots=True)
class InstrumentName:
    """How an instrument heading is cited and identified.

    Args:
        name: the citation form, "Resolution 2 (Rev. Dubai, 2018)", "A/RES/79/277".
        slug: its id segment, "res-2", "rec-itu-t-a.1", "a-res-79-277".
        title: a title printed on the heading's own line ("DRAFT OPINION 4: Space connectivity").
        named: a named instrument ("Awaza Political Declaration") rather than a numbered one.
    """

    name: str
    slug: str
    title: str | None = None
    named: bool = False


def numbered_heading(text: str) -> InstrumentName | None:
    """The instrument a heading paragraph designates ("RESOLUTION 2 (REV. DUBAI, 2018)"), or None.

    Example:
        >>> numbered_heading("RESOLUTION 2 (REV. DUBAI, 2018)").name
        'Resolution 2 (Rev. Dubai, 2018)'
        >>> numbered_heading("RECOMMENDATION  ITU-R  S.354-2*").name
        'Recommendation ITU-R S.354-2'
        >>> numbered_heading("Resolution 70/1 of the General Assembly is recalled.") is None
        True
    """
    text = clean_text(text)
    if len(text) > 200:
        return None
    m = _HEADING.fullmatch(text)
    if not m or (m.group("title") and len(m.group("title")) > 150):
        return None
    word, prefix = _TYPES[m.group("type").lower()]
    draft = m.group("draft")
    parts = [_DRAFT[" ".join(draft.lower().split())] if draft else "", word]
    if m.group("sector"):
        parts.append(m.group("sector").upper().replace("‑", "-").replace(" ", "-"))
    number = m.group("number").replace(" ", "")
    parts.append(number)
    paren = m.group("paren")
    if paren:
        parts.append(_cited_case(paren))
    name = " ".join(p for p in parts if p)
    slug_parts = (["draft"] if draft else []) + [prefix]
    if m.group("sector"):
        slug_parts.append(m.group("sector").lower().replace("‑", "-").replace(" ", "-"))
    slug_parts.append(number.lower().replace("/", "-"))
    return InstrumentName(name=name, slug="-".join(slug_parts), title=m.group("title"))


def un_number_heading(text: str, body: str = "A/RES") -> InstrumentName | None:
    """A UN resolution's number line ("79/277." or "80/3. Awaza Political Declaration"), or None.

    Example:
        >>> un_number_heading("80/3. Awaza Political Declaration")
        InstrumentName(name='A/RES/80/3', slug='a-res-80-3', title='Awaza Political Declaration', named=False)
    """
    m = _UN_NUMBER.fullmatch(clean_text(text))
    if not m:
        return None
    symbol = f"{body}/{m.group('session')}/{m.group('number')}"
    return InstrumentName(name=symbol, slug=symbol_slug(symbol), title=m.group("title"))


def named_heading(text: str) -> InstrumentName | None:
    """A named instrument's heading ("BAKU DECLARATION", "Tunis Agenda for the Information Society").

    Only a short line in capitals or title case counts: a sentence mentioning a declaration does not.

    Example:
        >>> named_heading("AWAZA POLITICAL DECLARATION").name
        'Awaza Political Declaration'
        >>> named_heading("The Declaration was adopted by acclamation.") is None
        True
    """
    text = clean_text(text)
    if not 3 <= len(text) <= 120 or text.endswith((".", ";", ",", ":")):
        return None
    m = _NAMED.fullmatch(text)
    if not m:
        return None
    words = [w for w in re.findall(r"[^\W\d_]+", m.group("name"))]
    if not all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words):
        return None
    name = _title_case(m.group("name")) if m.group("name").isupper() else m.group("name").strip()
    return InstrumentName(name=name, slug=_slug(name), named=True)


def document_symbol(text: str) -> str | None:
    """The first UN document symbol in ``text`` ("A/RES/80/118", "A/C.2/80/L.17"), or None."""
    m = _UN_SYMBOL.search(text)
    return m.group("symbol") if m else None


def masthead_symbol(text: str, *, lines: int = 40) -> str | None:
    """The UN symbol printed alone on a line near the top ("A/RES/79/277"): the document's own."""
    for line in text.splitlines()[:lines]:
        words = clean_text(line.lstrip("#"))
        m = _UN_SYMBOL.fullmatch(words)
        if m:
            return m.group("symbol")
    return None


def symbol_slug(symbol: str) -> str:
    """``A/C.2/80/L.17`` -> ``a-c2-80-l17``: a symbol as an id segment."""
    return _slug(symbol.replace(".", ""))


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:60] or "x"


def _cited_case(paren: str) -> str:
    """``(REV. DUBAI, 2018)`` -> ``(Rev. Dubai, 2018)``; mixed case is left as printed."""
    inner = paren[1:-1]
    if not any(c.islower() for c in inner):
        inner = " ".join(
            w.capitalize() if w.isalpha() or w.rstrip(".,").isalpha() else w for w in inner.split()
        )
    return f"({' '.join(inner.split())})"


def _title_case(text: str) -> str:
    words = text.split()
    return " ".join(
        w.lower() if i and w.lower() in _SMALL_WORDS else w.capitalize() for i, w in enumerate(words)
    )

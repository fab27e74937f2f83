"""References to other instruments: find them in text and give each one a canonical key.

A drafter asks "which texts recall Resolution 70/1?" however the texts write it: "Resolution 70/1 of
the United Nations General Assembly", "UNGA Resolution 70/1", "Resolutions 68/235 and 70/1". This
module finds such references (ITU resolutions and decisions, Recommendations, Constitution and
Convention provisions, Radio Regulations, UN resolutions, WSIS documents and action lines, SDGs,
regional initiatives, study Questions, WTPF opinions) and maps every one to a key that does not depend
on the wording, the revision or the whitespace (the WTDC report puts NBSP inside "Resolution 64").

Key formats (lower case, ``/``-separated, usable in URLs)::

    itu/pp/res/64  itu/wtdc/res/37  itu/wtsa/res/44  itu/ra/res/75  itu/wrc/res/22  itu/wcit/res/1
    itu/res/37                       an ITU resolution whose body the text does not tell
    itu/council/res/1282  itu/council/dec/641  itu/pp/dec/5  itu/dec/12 (body unknown)
    itu-t/rec/l.1470  itu-r/rec/sm.1139  itu-d/rec/19
    itu/cs/art/44  itu/cs/no/19  itu/cv/art/17a  itu/cv/no/213a  itu/gr/no/49  (General Rules)
    itu/rr/art/18  itu/rr/no/1.66a  itu/rr/ch/vii  itu/itrs/art/5
    un/ga/res/70/1  un/ecosoc/res/2025/18  un/hrc/res/20/8
    wsis/geneva-declaration  wsis/geneva-plan-of-action  wsis/tunis-commitment  wsis/tunis-agenda
    wsis/al/c5  un/sdg/9  itu-d/ri/afr1  itu-d/question/1/1  itu-t/question/4/17
    itu/wtpf-26/opinion/4  itu/wtpf/opinion/4 (forum unknown)
    itu/wtdc-25/action-plan  itu/wtdc-25/declaration  un/gdc

The revision ("Rev. Dubai, 2018") is an attribute, not part of the key, so every edition of an
instrument shares one key; a paragraph of a WSIS document ("§ 96 of the Tunis Agenda") is a
``pinpoint`` on the document's key. Spans cover the designation as printed, with a body written before
it ("WTDC Resolution 37") and a revision right after it ("(Rev. Kigali, 2022)"), but not a trailing
"of the Plenipotentiary Conference". In a list ("Resolutions 71, 130 and 140 (Rev. Bucharest, 2022)")
the first reference spans "Resolutions 71" and the others their own numbers.

The body of an ITU resolution comes, in this order, from words before it ("WTDC", "PP-14",
"ITU-R"), words after the list ("of the Plenipotentiary Conference", "of this conference"), its
revision's place and year ("Bucharest, 2022" is PP-22, "Kigali, 2022" WTDC-22), its number's shape
(``70/1`` is a UN resolution, four digits a Council one), a body named earlier on the line ("Several
WTDC resolutions ... (Res. 37, Res. 40)") and lastly the document's event: inside the WTDC-25 report
a bare "Resolution 15" is a WTDC resolution. Where nothing tells, the key says so (``itu/res/15``);
:func:`key_matches` lets such a key meet the keys with a body. Mentions include an instrument's own
heading ("RESOLUTION 15 (Rev. Kigali, 2022)"); drop self-references by comparing with
:func:`instrument_key` of the passage.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from rag.citator.reference_words import Rewritten, english_forms
from rag.parse.spans import single_spaced
from rag.types import _ChoiceEnum

__all__ = [
    "RefKind",
    "Reference",
    "canonical_key",
    "describe",
    "extract_references",
    "instrument_key",
    "key_matches",
]


# Whitespace inside a reference: spaces, tabs, NBSP and at most one line break (a blank line ends it).
_W = r"[^\S\n]*\n?[^\S\n]*"
_W1 = r"(?:[^\S\n]+\n?[^\S\n]*|\n[^\S\n]*)"
# Between the items of a list: no tab (a tab ends a table cell) and at most one line break.
_H = r"[^\S\t\n]"
_LIST_SEP = rf"(?:{_H}*,{_H}*\n?{_H}*(?:and{_H}+)?|{_H}+and{_H}+)"


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile with every ``\\s+`` / ``\\s*`` limited to one line break, so no reference spans paragraphs."""
    pattern = pattern.replace(r"\s+", _W1).replace(r"\s*", _W)
    return re.compile(pattern, flags)


class RefKind(_ChoiceEnum):
    """What sort of instrument a reference points to."""

    ITU_RESOLUTION = "itu-resolution"  # PP, WTDC, WTSA, RA, WRC, WCIT resolutions
    ITU_DECISION = "itu-decision"  # decisions of the Plenipotentiary Conference
    COUNCIL_DECISION = "council-decision"  # acts of the ITU Council: decisions and Council resolutions
    ITU_RECOMMENDATION = "itu-recommendation"
    CONSTITUTION = "constitution"
    CONVENTION = "convention"  # includes the General Rules of conferences, assemblies and meetings
    RADIO_REGULATIONS = "radio-regulations"
    ITRS = "itrs"  # International Telecommunication Regulations
    UNGA_RESOLUTION = "unga-resolution"
    UN_RESOLUTION = "un-resolution"  # ECOSOC and Human Rights Council resolutions
    WSIS = "wsis"  # WSIS outcome documents
    WSIS_ACTION_LINE = "wsis-action-line"
    SDG = "sdg"
    REGIONAL_INITIATIVE = "regional-initiative"
    STUDY_QUESTION = "study-question"
    WTPF_OPINION = "wtpf-opinion"
    OTHER_INSTRUMENT = "other-instrument"  # action plans and declarations of WTDC, Global Digital Compact


@dataclass(frozen=True, slots=True)
class Reference:
    """One reference found in a text.

    Attributes:
        key: canonical key of the instrument (see the module docstring), the same however written.
        start: offset of the reference in the text given to :func:`extract_references`.
        end: offset just after it; ``text[start:end] == surface``.
        surface: the words as printed, NBSP and line breaks included.
        kind: the sort of instrument.
        revision: the edition as printed, whitespace normalised ("Rev. Dubai, 2018", "C17, last
            amended C25", "version 2; Dubai, 2023"), or None.
        pinpoint: a part of the instrument the text points at ("§ 96", "§§ 113–118"), or None.
    """

    key: str
    start: int
    end: int
    surface: str
    kind: RefKind
    revision: str | None = None
    pinpoint: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end or self.end - self.start != len(self.surface):
            raise ValueError(
                f"reference span {self.start}:{self.end} does not fit its surface {self.surface!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reference:
        return cls(**{**data, "kind": RefKind.from_str(data["kind"])})


# --------------------------------------------------------------------------------------------------
# Meetings: which body met where and when, so that "(Rev. Bucharest, 2022)" tells the body.

# (place, year) -> body. Places where two bodies met in the same year (Dubai 2012: WTSA-12 and WCIT-12;
# Dubai 2023 and Sharm el-Sheikh 2019: RA and WRC; Geneva for RA/WRC) are left out: they tell nothing.
_MEETINGS: dict[tuple[str, int], str] = {
    ("nice", 1989): "pp",
    ("kyoto", 1994): "pp",
    ("minneapolis", 1998): "pp",
    ("marrakesh", 2002): "pp",
    ("antalya", 2006): "pp",
    ("guadalajara", 2010): "pp",
    ("busan", 2014): "pp",
    ("dubai", 2018): "pp",
    ("bucharest", 2022): "pp",
    ("doha", 2026): "pp",
    ("buenos aires", 1994): "wtdc",
    ("valletta", 1998): "wtdc",
    ("istanbul", 2002): "wtdc",
    ("doha", 2006): "wtdc",
    ("hyderabad", 2010): "wtdc",
    ("dubai", 2014): "wtdc",
    ("buenos aires", 2017): "wtdc",
    ("kigali", 2022): "wtdc",
    ("baku", 2025): "wtdc",
    ("helsinki", 1993): "wtsa",
    ("geneva", 1996): "wtsa",
    ("montreal", 2000): "wtsa",
    ("florianópolis", 2004): "wtsa",
    ("johannesburg", 2008): "wtsa",
    ("hammamet", 2016): "wtsa",
    ("geneva", 2022): "wtsa",  # WTSA-20, postponed to 2022
    ("new delhi", 2024): "wtsa",
}

# WTPF editions by year and by the ordinal the opinions use ("the sixth World Telecommunication/ICT
# Policy Forum").
_WTPF_YEARS = {1996: "96", 1998: "98", 2001: "01", 2009: "09", 2013: "13", 2021: "21", 2026: "26"}
_WTPF_ORDINALS = {
    "first": "96",
    "second": "98",
    "third": "01",
    "fourth": "09",
    "fifth": "13",
    "sixth": "21",
    "seventh": "26",
}

# WTDC action plans and declarations by the conference's place.
_WTDC_PLACES = {"baku": "25", "kigali": "22", "buenos aires": "17", "dubai": "14", "hyderabad": "10"}

_BODY_NAMES = {
    "pp": "the Plenipotentiary Conference",
    "wtdc": "WTDC",
    "wtsa": "WTSA",
    "ra": "the Radiocommunication Assembly",
    "wrc": "WRC",
    "wcit": "WCIT",
    "council": "the ITU Council",
}


def _event_parts(event: str | None) -> tuple[str | None, str | None]:
    """Split a document event such as "WTDC-25" into its body ("wtdc") and edition ("25")."""
    if not event:
        return None, None
    m = re.fullmatch(r"\s*([A-Za-z]+)[- ]?(\d{2})?\s*", event)
    if not m:
        return None, None
    return m.group(1).lower(), m.group(2)


# --------------------------------------------------------------------------------------------------
# Numbered ITU and UN instruments: Resolution(s), Res., Decision(s).

_PREFIX_WINDOW = 60
# A body written before the label. Searched at the end of the preceding text; the leftmost match wins,
# so "Human Rights Council" beats "Council" and "United Nations General Assembly" beats "General ...".
_BODY_BEFORE = _rx(
    r"""(?<![\w-])(?:
        (?P<ga>UNGA|(?:United\s+Nations|UN)\s+General\s+Assembly|General\s+Assembly)
      | (?P<hrc>(?:United\s+Nations\s+)?Human\s+Rights\s+Council)
      | (?P<ecosoc>ECOSOC)
      | (?P<council>(?:ITU\s+)?Council)
      | (?P<ra>(?:ITU\s+)?Radiocommunication\s+Assembly|RA(?:-\d{2})?|ITU-R)
      | (?P<wrc>WRC(?:-\d{2})?)
      | (?P<wtdc>WTDC(?:-\d{2})?)
      | (?P<wtsa>WTSAs?(?:-\d{2})?)
      | (?P<pp>(?:ITU\s+)?PP(?:-\d{2})?-?)
    )[^\S\n]*\n?[^\S\n]*(?:<[a-z]{1,6}>)?$""",
    re.X,
)
# A body written after the list: "of the Plenipotentiary Conference", "of this conference".
_BODY_AFTER = _rx(
    r"""[^\S\n]*\n?[^\S\n]*(?:of|by|adopted\s+by)\s+(?:the\s+)?(?:(?:ITU|UN|United\s+Nations)\s+)?(?:
        (?P<pp>Plenipotentiary(?:\s+Conference)?|PP)
      | (?P<wtdc>World\s+Telecommunication\s+Development\s+Conference|WTDC)
      | (?P<wtsa>World\s+Telecommunication\s+Standardization\s+Assembly|WTSA)
      | (?P<ra>Radiocommunication\s+Assembly|RA)
      | (?P<wrc>World\s+Radiocommunication\s+Conference|WRC)
      | (?P<wcit>World\s+Conference\s+on\s+International\s+Telecommunications|WCIT)
      | (?P<ga>General\s+Assembly|UNGA)
      | (?P<ecosoc>Economic\s+and\s+Social\s+Council|ECOSOC)
      | (?P<hrc>Human\s+Rights\s+Council)
      | (?P<council>Council)
      | (?P<this>this\s+[Cc]onference)
    )\b""",
    re.X,
)
_NUMBERED_LABEL = _rx(
    r"\b(?:(?P<res>[Rr]esolutions?|RESOLUTIONS?)\b|(?P<resabbr>Res\.)|(?P<dec>Decisions?|DECISIONS?)\b)"
)
# "Several WTDC resolutions refer to ... (Res. 37, Res. 40, ...)": a body named earlier on the line.
_BODY_CONTEXT = _rx(
    r"\b(?:(?P<wtdc>WTDC)|(?P<wtsa>WTSA)|(?P<pp>PP|Plenipotentiary\s+Conference)|(?P<ra>RA)|(?P<wrc>WRC))\s+resolutions\b"
)
_CONTEXT_WINDOW = 250
_SECTOR_AFTER_LABEL = _rx(_W1 + r"ITU-(?P<sector>[RT])\b")
# An item number; ITU-R resolutions add a version ("Resolution ITU-R 69-2"), elsewhere "1-5" is a range.
_NUM = r"(?P<num>\d{1,4}(?:/\d{1,4})?)"
_VER = r"(?P<ver>-\d{1,2})?"
_NUM_END = r"(?![\d/]|[.,]\d)"
_ITEM_SEP = rf"(?P<sep>{_LIST_SEP}|{_H}+to{_H}+|{_H}*[–-]{_H}*)"
_FIRST_ITEM = {v: _rx(rf"(?P<gap>{_W}){_NUM}{_VER if v else ''}{_NUM_END}") for v in (True, False)}
_NEXT_ITEM = {v: _rx(rf"{_ITEM_SEP}{_NUM}{_VER if v else ''}{_NUM_END}") for v in (True, False)}
_PAREN = _rx(r"[^\S\t\n]*\((?P<inner>[^()\n]{1,60}(?:\n[^()\n]{1,60})?)\)")  # one line break at most
_REVISION_LIKE = _rx(r"\b(?:19|20)\d\d\b|\bWRC-\d\d\b|\bC\d\d\b|\bCouncil\b")
_PLACE_YEAR = _rx(r"(?:Rev\.?\s*)?(?P<place>[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ .'-]*?)\s*,?\s*(?P<year>(?:19|20)\d\d)\b")


def _body_from_revision(inner: str) -> str | None:
    """The body a revision string names or implies: "Rev. Bucharest, 2022" -> pp, "C17" -> council."""
    if re.search(r"\bWRC-\d\d\b", inner):
        return "wrc"
    if re.search(r"\bC\d\d\b|\bCouncil\b", inner):
        return "council"
    m = _PLACE_YEAR.search(single_spaced(inner))  # "New\u00a0Delhi"
    if m:
        place = single_spaced(m.group("place")).lower().removeprefix("rev.").strip()
        return _MEETINGS.get((place, int(m.group("year"))))
    return None


@dataclass
class _Item:
    num: str
    ver: str | None
    start: int
    end: int
    revision: str | None = None  # the item's own parenthetical
    paren_body: str | None = None


def _numbered_items(text: str, pos: int, *, versioned: bool) -> tuple[list[_Item], int]:
    """Read "71, 130 and 140 (Rev. Bucharest, 2022)" from ``pos``; return the items and the end."""
    m = _FIRST_ITEM[versioned].match(text, pos)
    if not m or ("\n" in m.group("gap") and text[m.end() : m.end() + 1] == "\t"):
        return [], pos  # a label ending a line, and the next line's item number: no reference
    items: list[_Item] = []
    cur = m
    sep = ""
    while True:
        item = _Item(cur.group("num"), cur.groupdict().get("ver"), cur.start("num"), cur.end())
        paren = _PAREN.match(text, item.end)
        if paren and _REVISION_LIKE.search(paren.group("inner")):
            item.revision = single_spaced(paren.group("inner"))
            item.paren_body = _body_from_revision(paren.group("inner"))
            item.end = paren.end()
        if sep.strip() in {"to", "–", "-"} and items:
            items.extend(_expand_range(items[-1], item))
        items.append(item)
        nxt = _NEXT_ITEM[versioned].match(text, item.end)
        if not nxt:
            break
        num = nxt.group("num")
        # "Resolution 2 (Rev. Bucharest, 2022), 2021 ..." : a year is no list item.
        if "/" not in num and re.fullmatch(r"(?:19|20)\d\d", num) and len(items) and "/" not in items[0].num:
            break
        sep = nxt.group("sep")
        cur = nxt
    return items, items[-1].end


def _expand_range(first: _Item, last: _Item) -> list[_Item]:
    """The items strictly between the ends of "Resolutions 1 to 5", spanning the whole range."""
    if not (first.num.isdigit() and last.num.isdigit()):
        return []
    lo, hi = int(first.num), int(last.num)
    if not 0 < hi - lo <= 50:
        return []
    return [_Item(str(n), None, first.start, last.start + len(last.num)) for n in range(lo + 1, hi)]


def _numbered_refs(text: str, event: str | None) -> Iterator[Reference]:
    event_body, _ = _event_parts(event)
    for label in _NUMBERED_LABEL.finditer(text):
        is_decision = label.group("dec") is not None
        pos = label.end()
        sector = None
        if not is_decision and (sm := _SECTOR_AFTER_LABEL.match(text, pos)):
            sector = sm.group("sector")
            pos = sm.end()
        before = _BODY_BEFORE.search(text, max(0, label.start() - _PREFIX_WINDOW), label.start())
        body_before = before.lastgroup if before else None
        if sector:
            body_before = "ra" if sector == "R" else "wtsa"
        items, end = _numbered_items(text, pos, versioned=body_before == "ra")
        if not items:
            continue
        after = _BODY_AFTER.match(text, end)
        body_after = after.lastgroup if after else None
        if body_after == "this":
            body_after = event_body
        line_start = text.rfind("\n", 0, label.start()) + 1
        context = list(
            _BODY_CONTEXT.finditer(text, max(line_start, label.start() - _CONTEXT_WINDOW), label.start())
        )
        default_body = context[-1].lastgroup if context else event_body
        group_revision = None
        group_body = None
        for item in reversed(items):  # a revision after the list applies to the items before it
            if item.revision:
                group_revision, group_body = item.revision, item.paren_body
            else:
                item.revision, item.paren_body = group_revision, group_body
        start = before.start() if before else label.start()
        for i, item in enumerate(items):
            key, kind = _numbered_key(item, is_decision, body_before, body_after, default_body)
            if key is None:
                continue
            span_start = start if i == 0 else item.start
            revision = item.revision
            if item.ver:
                version = f"version {item.ver[1:]}"
                revision = f"{version}; {revision}" if revision else version
            yield Reference(
                key=key,
                start=span_start,
                end=item.end,
                surface=text[span_start : item.end],
                kind=kind,
                revision=revision,
            )


_UN_BODIES = {"ga", "ecosoc", "hrc"}


def _numbered_key(
    item: _Item, is_decision: bool, before: str | None, after: str | None, default_body: str | None
) -> tuple[str | None, RefKind]:
    """Key and kind of one numbered item; ``default_body`` is the body named earlier on the line or
    the document's (used only when nothing closer tells)."""
    num = item.num
    if "/" in num:  # UN numbering: session/number, or year/number for ECOSOC
        if is_decision:
            return None, RefKind.UN_RESOLUTION
        body = next((b for b in (before, after) if b in _UN_BODIES), None)
        if body is None and "council" in (before, after):
            body = "hrc"  # "Council Resolution 20/8": ITU Council resolutions have no slash
        if body is None:
            body = "ecosoc" if len(num.split("/")[0]) == 4 else "ga"
        kind = RefKind.UNGA_RESOLUTION if body == "ga" else RefKind.UN_RESOLUTION
        return f"un/{body}/res/{num}", kind
    itu_before = before if before not in _UN_BODIES else None
    itu_after = after if after not in _UN_BODIES else None
    body = itu_before or itu_after or item.paren_body
    if body is None and int(num) >= 1000:
        body = "council"  # Council resolutions are numbered from 1000 on
    if is_decision:
        if body is None and int(num) >= 100:
            body = "council"  # PP decisions are few and low-numbered; Council ones run in the 500s+
        if body is None or body not in {"council", "pp"}:
            return (f"itu/dec/{num}" if body is None else f"itu/{body}/dec/{num}"), RefKind.ITU_DECISION
        kind = RefKind.COUNCIL_DECISION if body == "council" else RefKind.ITU_DECISION
        return f"itu/{body}/dec/{num}", kind
    if body is None:
        body = default_body if default_body in _BODY_NAMES else None
    if body is None:
        return f"itu/res/{num}", RefKind.ITU_RESOLUTION
    kind = RefKind.COUNCIL_DECISION if body == "council" else RefKind.ITU_RESOLUTION
    return f"itu/{body}/res/{num}", kind


_A_RES = _rx(r"\bA/RES/(\d{1,3})/(\d{1,4})\b")


def _a_res_refs(text: str) -> Iterator[Reference]:
    for m in _A_RES.finditer(text):
        yield Reference(
            f"un/ga/res/{m.group(1)}/{m.group(2)}", m.start(), m.end(), m.group(), RefKind.UNGA_RESOLUTION
        )


# --------------------------------------------------------------------------------------------------
# Recommendations: "Recommendation ITU-T L.1470", "ITU-D Recommendation 19", lists of designations.

_REC_ID = r"(?P<id>[A-Z]{1,3}\.\d{1,4}(?:\.\d{1,2})?|\d{1,3}(?:\.\d{1,2})?)(?![\w.]\w)"
_REC_LABEL_FIRST = _rx(
    rf"(?:\b(?P<wtdc>WTDC){_W1})?\b(?:Recommendations?|RECOMMENDATIONS?){_W1}ITU-(?P<sector>[RTD]){_W}"
    + _REC_ID
)
_REC_SECTOR_FIRST = _rx(rf"\bITU-(?P<sector>[RTD]){_W1}Recommendations?{_W1}" + _REC_ID)
_REC_NEXT = _rx(rf"{_LIST_SEP}(?P<pfx>ITU-(?P<sector>[RTD]){_W})?" + _REC_ID)


def _recommendation_refs(text: str) -> Iterator[Reference]:
    for first_re in (_REC_LABEL_FIRST, _REC_SECTOR_FIRST):
        for m in first_re.finditer(text):
            sector = m.group("sector")
            start, end = m.start(), m.end()
            rec_id = m.group("id")
            while True:
                paren = _PAREN.match(text, end)
                revision = None
                if paren and _REVISION_LIKE.search(paren.group("inner")):
                    revision, end = single_spaced(paren.group("inner")), paren.end()
                if _valid_rec_id(sector, rec_id):
                    yield Reference(
                        f"itu-{sector.lower()}/rec/{rec_id.lower()}",
                        start,
                        end,
                        text[start:end],
                        RefKind.ITU_RECOMMENDATION,
                        revision=revision,
                    )
                nxt = _REC_NEXT.match(text, end)
                if not nxt:
                    break
                # "ITU-T D.50 and ITU-T D.52": a bare number continues only a list of ITU-D numbers.
                if nxt.group("sector") is None and (sector != "D") == rec_id[0].isdigit():
                    break
                sector = nxt.group("sector") or sector
                rec_id = nxt.group("id")
                start = nxt.start("pfx") if nxt.group("pfx") else nxt.start("id")
                end = nxt.end()


def _valid_rec_id(sector: str, rec_id: str) -> bool:
    """ITU-D Recommendations are numbered; ITU-T and ITU-R ones carry a series letter (E.164, SM.1139)."""
    return rec_id[0].isdigit() == (sector == "D")


# --------------------------------------------------------------------------------------------------
# ITU-D (and ITU-T/ITU-R) study Questions: "Question 1/1", "Questions 3/1 and 5/2", "Q1/1".

_QUESTION = _rx(
    rf"\b(?:(?:Study{_W1})?(?:Questions?|QUESTIONS?){_W1}|Q(?=\d))(?P<q>\d{{1,3}}(?:-\d)?)/(?P<sg>\d{{1,2}})\b"
)
_QUESTION_NEXT = _rx(rf"{_LIST_SEP}(?P<q>\d{{1,3}}(?:-\d)?)/(?P<sg>\d{{1,2}})\b")
_QUESTION_SECTOR = _rx(r"\bITU-(?P<sector>[RTD])(?:\s+Study\s+Group\s+\d{1,2})?\s+$")
_SECTOR_NEAR = _rx(r"\bITU-(?P<sector>[RT])\b")


def _question_sector(text: str, m: re.Match[str]) -> str:
    """ITU-D has study groups 1 and 2 only: "Question 3/5" is another Sector's, named shortly before."""
    before = _QUESTION_SECTOR.search(text, max(0, m.start() - 30), m.start())
    if before:
        return before.group("sector").lower()
    if int(m.group("sg")) <= 2:
        return "d"
    near = list(_SECTOR_NEAR.finditer(text, max(0, m.start() - 80), m.start()))
    return near[-1].group("sector").lower() if near else "t"


def _question_refs(text: str) -> Iterator[Reference]:
    for m in _QUESTION.finditer(text):
        sector = _question_sector(text, m)
        before = _QUESTION_SECTOR.search(text, max(0, m.start() - 30), m.start())
        start = before.start() if before and "Study" not in before.group() else m.start()
        cur = m
        while True:
            yield Reference(
                f"itu-{sector}/question/{cur.group('q')}/{cur.group('sg')}",
                start,
                cur.end(),
                text[start : cur.end()],
                RefKind.STUDY_QUESTION,
            )
            nxt = _QUESTION_NEXT.match(text, cur.end())
            if not nxt:
                break
            cur, start = nxt, nxt.start("q")


# --------------------------------------------------------------------------------------------------
# WTPF opinions: "Opinion 1 of the sixth World Telecommunication/ICT Policy Forum", "DRAFT OPINION 4".

_OPINION = _rx(
    r"(?:\b(?P<wtpf>WTPF-(?P<ed>\d{2}))\s+)?\b(?:(?:[Dd]raft|DRAFT)\s+)?(?:Opinion|OPINION)\s+(?P<num>\d{1,2})\b"
)
_OPINION_AFTER = _rx(
    r"\s*(?:\((?P<place>[^()\d]*?),?\s*(?P<year>(?:19|20)\d\d)\)\s*)?"
    r"(?:of\s+the\s+(?P<ord>first|second|third|fourth|fifth|sixth|seventh)\b[^.;]{0,80}?Policy\s+Forum"
    r"(?:\s*\((?P<place2>[^()\d]*?),?\s*(?P<year2>(?:19|20)\d\d)\))?)?",
    re.I,
)


def _opinion_refs(text: str, event: str | None) -> Iterator[Reference]:
    body, edition = _event_parts(event)
    default = edition if body == "wtpf" else None
    for m in _OPINION.finditer(text):
        after = _OPINION_AFTER.match(text, m.end())
        ed = m.group("ed")
        end = m.end()
        if not ed and after:
            if after.group("year"):
                ed = _WTPF_YEARS.get(int(after.group("year")))
                end = after.end("year") + 1  # "Opinion 1 (Geneva, 2013)": the parenthesis is its edition
            elif after.group("ord"):
                ed = _WTPF_ORDINALS.get(after.group("ord").lower())
            elif after.group("year2"):
                ed = _WTPF_YEARS.get(int(after.group("year2")))
        ed = ed or default
        key = f"itu/wtpf-{ed}/opinion/{m.group('num')}" if ed else f"itu/wtpf/opinion/{m.group('num')}"
        yield Reference(key, m.start(), end, text[m.start() : end], RefKind.WTPF_OPINION)


# --------------------------------------------------------------------------------------------------
# Regional initiatives (AFR1 ... EUR5), SDGs, WSIS action lines.

_INITIATIVE = _rx(r"(?<![\w-])(?P<code>AFR|AMS|ARB|ASP|CIS|EUR)\u00a0?(?P<n>[1-9])(?!\d)\b")
_INITIATIVE_PREFIX = _rx(r"\bRegional[^\S\n]+initiative[^\S\n]*\n?[^\S\n]*$", re.I)


def _initiative_refs(text: str) -> Iterator[Reference]:
    for m in _INITIATIVE.finditer(text):
        before = _INITIATIVE_PREFIX.search(text, max(0, m.start() - 25), m.start())
        start = before.start() if before else m.start()
        key = f"itu-d/ri/{m.group('code').lower()}{m.group('n')}"
        yield Reference(key, start, m.end(), text[start : m.end()], RefKind.REGIONAL_INITIATIVE)


_SDG = _rx(
    rf"\b(?:SDGs?[^\S\n]?|Sustainable{_W1}Development{_W1}Goals?(?:{_W1}\(SDGs?\))?{_W1})"
    r"(?P<n>\d{1,2})(?![\d.]\d|\.[a-z]\b)"
)
# "Goals 8, on Decent Work and Economic Growth, and 9, on ...": a short title may separate two goals.
_SDG_NEXT = _rx(
    rf"(?:,{_H}+on{_H}[^,;()\n]{{1,60}}(?=,))?{_LIST_SEP}(?P<n>\d{{1,2}})(?![\d.]\d|\.[a-z]\b|{_H}*%)"
)
_SDG_GOAL_OF = _rx(
    rf"\b(?P<goal>Goal{_W1}(?P<n>\d{{1,2}})){_W1}of{_W1}the{_W1}Sustainable{_W1}Development{_W1}Goals\b"
)


def _sdg_refs(text: str) -> Iterator[Reference]:
    for m in _SDG.finditer(text):
        start, cur = m.start(), m
        while 1 <= int(cur.group("n")) <= 17:
            yield Reference(
                f"un/sdg/{int(cur.group('n'))}", start, cur.end(), text[start : cur.end()], RefKind.SDG
            )
            nxt = _SDG_NEXT.match(text, cur.end())
            if not nxt:
                break
            cur, start = nxt, nxt.start("n")
    for m in _SDG_GOAL_OF.finditer(text):
        n = int(m.group("n"))
        if 1 <= n <= 17:
            yield Reference(f"un/sdg/{n}", m.start(), m.end("goal"), m.group("goal"), RefKind.SDG)


_ACTION_LINE = _rx(
    rf"(?:\bWSIS{_W1})?\b(?:Action{_W1}Lines?{_W1}(?:Roadmaps?{_W1}(?:for{_W1})?)?|AL(?:{_W1}|-))"
    r"(?P<c>C(?:[1-9]|1[01]))\b(?![-/])"
    r"|§[^\S\n]*(?P<c2>C(?:[1-9]|1[01]))\b"
)
# Between two action lines: a separator, possibly after the previous one's title in parentheses, and
# possibly a repeated label ("C4 (Capacity Building), Action Line C5 (...)").
_ACTION_LINE_NEXT = _rx(
    rf"(?:{_H}*\([^()\n]{{1,120}}\))?{_LIST_SEP}"
    rf"(?:(?:WSIS{_W1})?Action{_W1}Lines?{_W1})?(?P<c>C(?:[1-9]|1[01]))\b(?![-/])"
)
# A list of two or more action lines without a label: a table cell "C1, C5, C11", "(C2, C4, C5 and C6)".
_ACTION_LINE_BARE = _rx(rf"(?<![\w-])C(?:[1-9]|1[01])(?:{_LIST_SEP}C(?:[1-9]|1[01]))+\b(?![-/])")
_C_CODE = _rx(r"C(?:[1-9]|1[01])\b")


def _action_line_refs(text: str) -> Iterator[Reference]:
    for m in _ACTION_LINE.finditer(text):
        start = m.start()
        code, end = m.group("c") or m.group("c2"), m.end()
        while True:
            yield Reference(f"wsis/al/{code.lower()}", start, end, text[start:end], RefKind.WSIS_ACTION_LINE)
            nxt = _ACTION_LINE_NEXT.match(text, end)
            if not nxt:
                break
            code, start, end = nxt.group("c"), nxt.start("c"), nxt.end()
    for m in _ACTION_LINE_BARE.finditer(text):
        for c in _C_CODE.finditer(m.group()):
            s = m.start() + c.start()
            yield Reference(
                f"wsis/al/{c.group().lower()}", s, s + len(c.group()), c.group(), RefKind.WSIS_ACTION_LINE
            )


# --------------------------------------------------------------------------------------------------
# WSIS outcome documents and other named instruments.

_WSIS_DOCS = _rx(
    r"(?:\bWSIS\s+)?\b(?:"
    r"(?P<geneva_declaration>Geneva\s+Declaration\s+of\s+Principles)"
    r"|(?P<geneva_plan>Geneva\s+Plan\s+of\s+Action|(?<=Declaration\sof\sPrinciples\sand\s)Plan\s+of\s+Action)"
    r"|(?P<tunis_commitment>Tunis\s+Commitment)"
    r"|(?P<tunis_agenda>Tunis\s+Agenda(?:\s+for\s+the\s+Information\s+Society)?)"
    r")"
)
_WSIS_KEYS = {
    "geneva_declaration": "wsis/geneva-declaration",
    "geneva_plan": "wsis/geneva-plan-of-action",
    "tunis_commitment": "wsis/tunis-commitment",
    "tunis_agenda": "wsis/tunis-agenda",
}
_PARAGRAPHS_BEFORE = _rx(r"(?P<pin>§§?\s*[\dA-Za-z][\w–\-\s,)]*?)\s+(?:of|in)\s+(?:the\s+)?(?:WSIS\s+)?$")
_NAMED = _rx(
    r"\b(?P<place>Baku|Kigali|Buenos\s+Aires|Dubai|Hyderabad)\s+(?P<what>Action\s+Plan|Declaration)\b"
    r"|\b(?P<gdc>Global\s+Digital\s+Compact)(?![A-Za-z])"  # "Compact3": a footnote mark glued on
)


def _named_refs(text: str) -> Iterator[Reference]:
    for m in _WSIS_DOCS.finditer(text):
        name = m.lastgroup or ""
        before = _PARAGRAPHS_BEFORE.search(text, max(0, m.start() - 40), m.start())
        pinpoint = single_spaced(before.group("pin")) if before else None
        yield Reference(_WSIS_KEYS[name], m.start(), m.end(), m.group(), RefKind.WSIS, pinpoint=pinpoint)
    for m in _NAMED.finditer(text):
        if m.group("gdc"):
            key = "un/gdc"
        else:
            place = single_spaced(m.group("place")).lower()
            what = "action-plan" if m.group("what").startswith("Action") else "declaration"
            key = f"itu/wtdc-{_WTDC_PLACES[place]}/{what}"
        yield Reference(key, m.start(), m.end(), m.group(), RefKind.OTHER_INSTRUMENT)


# --------------------------------------------------------------------------------------------------
# Provisions of the basic texts: Constitution, Convention, General Rules, Radio Regulations, ITRs.

_DESIGNATION = _rx(
    r"\b(?P<label>Articles?|Nos?\.|Chapter)\s*"
    r"(?P<items>(?:\d{1,3}[A-Z]{0,2}(?:\.\d{1,3}[A-Z]{0,2})?|[IVXL]{1,6}\b)"
    rf"(?:(?:{_LIST_SEP}|{_H}*[–-]{_H}*)"
    r"\d{1,3}[A-Z]{0,2}(?:\.\d{1,3}[A-Z]{0,2})?(?![\d.]))*)"
    r"(?P<sub>\s+[a-z]\))?"
)
_DESIGNATION_ITEM = _rx(r"\d{1,3}[A-Z]{0,2}(?:\.\d{1,3}[A-Z]{0,2})?|[IVXL]{1,6}\b")
# What may stand between designations of one chain: "No. 19 in Article 1", "Article 43 (No. 194)",
# "Nos. 151–154 (relating to ITU-R), No. 193".
_CHAIN_GAP = _rx(
    r"(?:\s*\((?:relating\s+to\s+[^()]{1,20})\))?\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+in\s+|\s*\(\s*)"
)
_ANCHOR = _rx(
    r"\)?\s*(?:of|in|under)\s+(?:the\s+)?(?:(?:ITU|WSIS)\s+)?(?:"
    r"(?P<cs>Constitution)\b"
    r"|(?P<cv>Convention)\b(?!\s+(?:on|of|against|for|relating)\b)"
    r"|(?P<rr>Radio\s+Regulations?)\b"
    r"|(?P<itrs>International\s+Telecommunication\s+Regulations|ITRs)\b"
    r"|(?P<gr>General\s+Rules)\b"
    r"|(?!(?:Articles?|Nos?\.|Chapter)\b)(?P<other>[A-Z][\w-]*|aforementioned|above-mentioned|said|same|present|this)"
    r")"
)
_ANCHOR_BEFORE = _rx(r"\b(?P<gr>General\s+Rules),?\s*\(?$")
_INSTRUMENT_KINDS = {
    "cs": RefKind.CONSTITUTION,
    "cv": RefKind.CONVENTION,
    "gr": RefKind.CONVENTION,
    "rr": RefKind.RADIO_REGULATIONS,
    "itrs": RefKind.ITRS,
}
_CARRY_WINDOW = 200


@dataclass
class _Designation:
    label: str  # art, no, ch
    value: str
    start: int
    end: int
    pinpoint: str | None = None


def _designations(text: str, m: re.Match[str]) -> list[_Designation]:
    label = m.group("label")
    kind = "art" if label.startswith("Article") else "ch" if label == "Chapter" else "no"
    items_start = m.start("items")
    found = []
    prev: re.Match[str] | None = None
    for i, item in enumerate(_DESIGNATION_ITEM.finditer(m.group("items"))):
        if kind != "ch" and not item.group()[0].isdigit():
            continue
        s, e = items_start + item.start(), items_start + item.end()
        start = m.start() if i == 0 else s
        end = m.end() if (m.group("sub") and e == m.end("items")) else e
        pinpoint = single_spaced(m.group("sub")) if m.group("sub") and e == m.end("items") else None
        gap = text[items_start + prev.end() : s] if prev else ""
        if prev and re.fullmatch(r"\s*[–-]\s*", gap) and prev.group().isdigit() and item.group().isdigit():
            lo, hi = int(prev.group()), int(item.group())
            if 0 < hi - lo <= 50:
                found.extend(
                    _Designation(kind, str(n), items_start + prev.start(), e) for n in range(lo + 1, hi)
                )
        found.append(_Designation(kind, item.group(), start, end, pinpoint))
        prev = item
    return found


def _provision_refs(text: str) -> Iterator[Reference]:
    last_anchor: tuple[str, int] | None = None
    pos = 0
    while m := _DESIGNATION.search(text, pos):
        chain = _designations(text, m)
        end = m.end()
        instrument: str | None = None
        explicit_other = False
        before = _ANCHOR_BEFORE.search(text, max(0, m.start() - 20), m.start())
        if before:
            instrument = "gr"
        while instrument is None and not explicit_other:
            anchor = _ANCHOR.match(text, end)
            if anchor:
                if anchor.lastgroup == "other":
                    explicit_other = True
                else:
                    instrument = anchor.lastgroup
                end = anchor.end()
                break
            gap = _CHAIN_GAP.match(text, end)
            nxt = _DESIGNATION.match(text, gap.end()) if gap else None
            if not nxt:
                break
            chain.extend(_designations(text, nxt))
            end = nxt.end()
        if instrument is None and not explicit_other and last_anchor is not None:
            name, anchor_end = last_anchor
            # "No. 19 in Article 1 of the ITU Constitution, ..., and No. 124 in Article 21": same instrument
            if 0 <= m.start() - anchor_end <= _CARRY_WINDOW and "\n" not in text[anchor_end : m.start()]:
                instrument = name
        if instrument is not None:
            last_anchor = (instrument, end)
            for d in chain:
                if instrument in {"itrs", "gr"} and d.label == "ch":
                    continue
                yield Reference(
                    f"itu/{instrument}/{d.label}/{d.value.lower()}",
                    d.start,
                    d.end,
                    text[d.start : d.end],
                    _INSTRUMENT_KINDS[instrument],
                    pinpoint=d.pinpoint,
                )
        pos = max(end, m.end())


# --------------------------------------------------------------------------------------------------
# Public API.


def extract_references(text: str, *, event: str | None = None) -> list[Reference]:
    """Find every reference to an instrument in ``text``, in order of position.

    A text in another official language is read through the English forms of its reference words
    (``rag.citator.reference_words``): "Recommandation UIT-T Y.2001" in the French E.119 is
    ``itu-t/rec/y.2001``; offsets and surfaces stay those of ``text``.

    Args:
        text: any text: a passage's text or a whole source file (HTML fragments and NBSP allowed).
        event: the event of the document the text comes from ("WTDC-25", "WTPF-26"); it tells the
            body of a bare "Resolution 15" (WTDC inside the WTDC report), of "this conference", and
            the forum of a bare "Draft Opinion 4".

    Returns:
        The references, sorted by start then end; a reference written once yields one entry, a list
        or range one entry per instrument.

    Example:
        >>> [r.key for r in extract_references("Resolutions 25 and 123 (Rev. Bucharest, 2022)")]
        ['itu/pp/res/25', 'itu/pp/res/123']
    """
    english = english_forms(text)  # "Résolution 66", "第66号决议": the English forms, offsets kept
    if english.changed:
        return [_in_original(ref, english) for ref in _english_references(english.text, event)]
    return _english_references(text, event)


def _in_original(ref: Reference, english: Rewritten) -> Reference:
    start, end = english.span(ref.start, ref.end)
    return dataclasses.replace(ref, start=start, end=end, surface=english.original[start:end])


def _english_references(text: str, event: str | None) -> list[Reference]:
    found: list[Reference] = [
        *_numbered_refs(text, event),
        *_a_res_refs(text),
        *_recommendation_refs(text),
        *_question_refs(text),
        *_opinion_refs(text, event),
        *_initiative_refs(text),
        *_sdg_refs(text),
        *_action_line_refs(text),
        *_named_refs(text),
        *_provision_refs(text),
    ]
    return _dedupe(found)


def _dedupe(found: list[Reference]) -> list[Reference]:
    """Keep one reference per key and place: the longest of those that overlap."""
    found.sort(key=lambda r: (r.start, -(r.end - r.start)))
    kept: list[Reference] = []
    for ref in found:
        if any(k.key == ref.key and k.start < ref.end and ref.start < k.end for k in kept[-8:]):
            continue
        kept.append(ref)
    kept.sort(key=lambda r: (r.start, r.end))
    return kept


_KEY = _rx(
    r"(?:itu/(?:(?:pp|wtdc|wtsa|ra|wrc|wcit|council)/)?(?:res|dec)/\d+"
    r"|itu-[rtd]/rec/[a-z0-9.]+|itu/(?:cs|cv|gr|rr|itrs)/(?:art|no|ch)/[a-z0-9.]+"
    r"|un/(?:ga|ecosoc|hrc)/res/\d+/\d+|wsis/(?:geneva-declaration|geneva-plan-of-action|tunis-commitment"
    r"|tunis-agenda|al/c\d+)|un/sdg/\d+|un/gdc|itu-d/ri/[a-z]{3}\d|itu-[rtd]/question/[\d-]+/\d+"
    r"|itu/wtpf(?:-\d\d)?/opinion/\d+|itu/wtdc-\d\d/(?:action-plan|declaration))"
)
_SHORTHAND = _rx(
    r"^(?P<body>UNGA|UN\s*GA|UN|GA|ECOSOC|HRC|PP(?:-\d\d)?|WTDC(?:-\d\d)?|WTSA(?:-\d\d)?|RA(?:-\d\d)?|WRC(?:-\d\d)?"
    r"|Council|ITU-R)"
    r"\s*(?:Res(?:olution)?\.?\s*)?(?P<rest>\d.*)$",
    re.I,
)


def canonical_key(surface: str, *, event: str | None = None) -> str | None:
    """Normalise a user's reference string to a canonical key, or None if it names no instrument.

    Accepts what people type as well as what texts print: "Resolution 70/1", "UNGA 70/1",
    "A/RES/70/1", "PP Res. 64", "WTDC-25 Resolution 15", "Res 64 (Rev. Dubai, 2018)", "SDG9",
    "Q1/1", "AFR1", "Action Line C5", and keys themselves ("itu/pp/res/64").

    Example:
        >>> canonical_key("PP Res. 64")
        'itu/pp/res/64'
    """
    text = single_spaced(surface)
    if not text:
        return None
    if _KEY.fullmatch(text.lower()):
        return text.lower()
    m = _SHORTHAND.match(text)
    if m:
        body = re.sub(r"\s+", "", m.group("body").upper())
        body = {"UN": "UNGA", "GA": "UNGA", "UNGA": "UNGA", "HRC": "Human Rights Council"}.get(body, body)
        rest = m.group("rest")
        text = f"Resolution ITU-R {rest}" if body == "ITU-R" else f"{body} Resolution {rest}"
    text = re.sub(r"\bRes\b\.?\s*(?=\d)", "Resolution ", text, flags=re.I)
    text = re.sub(r"\bRec\b\.?\s*(?=ITU)", "Recommendation ", text, flags=re.I)
    text = re.sub(r"^ITU-([RT])\s+(?=[A-Z]{1,3}\.\d)", r"Recommendation ITU-\1 ", text)
    text = re.sub(r"\bArt\.\s*", "Article ", text)
    text = re.sub(r"^(?:CS|Constitution)\s+(Article|No\.)\s*(\S+)$", r"\1 \2 of the Constitution", text)
    text = re.sub(r"^(?:CV|Convention)\s+(Article|No\.)\s*(\S+)$", r"\1 \2 of the Convention", text)
    text = re.sub(r"^(?:RR)\s+(Article|No\.)\s*(\S+)$", r"\1 \2 of the Radio Regulations", text)
    text = re.sub(r"^(?:WSIS\s+)?(C(?:[1-9]|1[01]))$", r"Action Line \1", text, flags=re.I)
    refs = extract_references(text, event=event)
    return refs[0].key if refs else None


def instrument_key(instrument: str, doc_event: str | None) -> str | None:
    """The key of an instrument of the corpus, from a passage's ``instrument`` field and document event.

    Inside a conference's own report every resolution is that conference's, whatever its revision
    says ("Resolution 20 (Rev. Buenos Aires, 2017)" in the WTDC-25 report is WTDC Resolution 20).

    Example:
        >>> instrument_key("Resolution 15 (Rev. Kigali, 2022)", "WTDC-25")
        'itu/wtdc/res/15'
        >>> instrument_key("Draft Opinion 4", "WTPF-26")
        'itu/wtpf-26/opinion/4'
    """
    text = single_spaced(instrument)
    if not text:
        return None
    # "Recommandation UIT-T E.119", "Resolución 1": an added text in another language names its
    # instrument in its own words; the key is the same as the English name's (``extract_references``)
    refs = extract_references(text, event=doc_event)
    if not refs:
        return None
    ref = refs[0]
    body, _ = _event_parts(doc_event)
    m = re.fullmatch(r"itu/(?:[a-z]+/)?res/(\d+)", ref.key)
    if m and body in _BODY_NAMES:
        return f"itu/{body}/res/{m.group(1)}"
    return ref.key


def key_matches(target: str, key: str) -> bool:
    """Whether a reference ``key`` answers a query for ``target``.

    Equal keys match; a document key matches its parts (``wsis/tunis-agenda`` matches a pinpointed
    reference, ``itu/cs`` every Constitution provision); and a key whose body is unknown
    (``itu/res/37``) matches the keys with a body and the reverse.
    """
    if key == target or key.startswith(target.rstrip("/") + "/"):
        return True
    loose = re.compile(r"itu/(?:[a-z]+/)?(res|dec)/(\d+)")
    a, b = loose.fullmatch(target), loose.fullmatch(key)
    if a and b and a.groups() == b.groups():
        return target.count("/") == 2 or key.count("/") == 2
    return False


_SDG_NAMES = {
    1: "No Poverty",
    2: "Zero Hunger",
    3: "Good Health and Well-being",
    4: "Quality Education",
    5: "Gender Equality",
    6: "Clean Water and Sanitation",
    7: "Affordable and Clean Energy",
    8: "Decent Work and Economic Growth",
    9: "Industry, Innovation and Infrastructure",
    10: "Reduced Inequalities",
    11: "Sustainable Cities and Communities",
    12: "Responsible Consumption and Production",
    13: "Climate Action",
    14: "Life Below Water",
    15: "Life on Land",
    16: "Peace, Justice and Strong Institutions",
    17: "Partnerships for the Goals",
}
_WSIS_NAMES = {
    "wsis/geneva-declaration": "WSIS Geneva Declaration of Principles",
    "wsis/geneva-plan-of-action": "WSIS Geneva Plan of Action",
    "wsis/tunis-commitment": "WSIS Tunis Commitment",
    "wsis/tunis-agenda": "WSIS Tunis Agenda for the Information Society",
}
_BASIC_TEXTS = {
    "cs": "ITU Constitution",
    "cv": "ITU Convention",
    "gr": "General Rules of conferences, assemblies and meetings of the Union",
    "rr": "Radio Regulations",
    "itrs": "International Telecommunication Regulations",
}
_UN_BODY_NAMES = {"ga": "UNGA", "ecosoc": "ECOSOC", "hrc": "Human Rights Council"}
_PLACE_NAMES = {v: k.title() for k, v in _WTDC_PLACES.items()}


def describe(key: str) -> str:
    """A human label for a key: "WTDC Resolution 37", "ITU Constitution, No. 19", "SDG 9 (...)".

    Raises:
        ValueError: the key has none of the formats in the module docstring.
    """
    parts = key.split("/")
    if m := re.fullmatch(r"itu/(?:(?P<body>[a-z]+)/)?(?P<what>res|dec)/(?P<n>\d+)", key):
        what = "Resolution" if m.group("what") == "res" else "Decision"
        body = m.group("body")
        if body is None:
            return f"{what} {m.group('n')} (ITU, body not stated)"
        if body == "council":
            return f"Council {what} {m.group('n')}"
        if body in {"pp", "ra"}:
            return f"{what} {m.group('n')} of {_BODY_NAMES[body]}"
        return f"{_BODY_NAMES[body]} {what} {m.group('n')}"
    if m := re.fullmatch(r"itu-(?P<s>[rtd])/rec/(?P<id>.+)", key):
        return f"Recommendation ITU-{m.group('s').upper()} {m.group('id').upper()}"
    if m := re.fullmatch(r"itu/(?P<i>cs|cv|gr|rr|itrs)/(?P<l>art|no|ch)/(?P<v>.+)", key):
        label = {"art": "Article", "no": "No.", "ch": "Chapter"}[m.group("l")]
        return f"{_BASIC_TEXTS[m.group('i')]}, {label} {m.group('v').upper()}"
    if m := re.fullmatch(r"un/(?P<b>ga|ecosoc|hrc)/res/(?P<n>\d+/\d+)", key):
        return f"{_UN_BODY_NAMES[m.group('b')]} Resolution {m.group('n')}"
    if key in _WSIS_NAMES:
        return _WSIS_NAMES[key]
    if m := re.fullmatch(r"wsis/al/c(?P<n>\d+)", key):
        return f"WSIS Action Line C{m.group('n')}"
    if m := re.fullmatch(r"un/sdg/(?P<n>\d+)", key):
        n = int(m.group("n"))
        return f"SDG {n}" + (f" ({_SDG_NAMES[n]})" if n in _SDG_NAMES else "")
    if key == "un/gdc":
        return "Global Digital Compact"
    if m := re.fullmatch(r"itu-d/ri/(?P<c>[a-z]{3}\d)", key):
        return f"Regional initiative {m.group('c').upper()}"
    if m := re.fullmatch(r"itu-(?P<s>[rtd])/question/(?P<q>[\d-]+/\d+)", key):
        return f"ITU-{m.group('s').upper()} Question {m.group('q')}"
    if m := re.fullmatch(r"itu/wtpf(?:-(?P<ed>\d\d))?/opinion/(?P<n>\d+)", key):
        forum = f"WTPF-{m.group('ed')}" if m.group("ed") else "WTPF"
        return f"{forum} Opinion {m.group('n')}"
    if m := re.fullmatch(r"itu/wtdc-(?P<ed>\d\d)/(?P<what>action-plan|declaration)", key):
        place = _PLACE_NAMES.get(m.group("ed"), f"WTDC-{m.group('ed')}")
        return f"{place} {'Action Plan' if m.group('what') == 'action-plan' else 'Declaration'}"
    raise ValueError(
        f"not a reference key: {key!r} ({len(parts)} parts); see rag.citator.references for the formats"
    )

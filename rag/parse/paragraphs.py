"""Paragraphs of a reading text (``rag.ingest.reading``), each with its label, heading level or note mark.

The reading text holds one paragraph per line; a table is a run of ``|`` lines. Texts that were not
converted (a ``.txt`` put in ``corpus/`` by hand) may wrap a paragraph over several lines: a line that
neither opens with a label nor follows a blank line then continues the paragraph above it, unless
the paragraph above looks finished (ends a sentence or is a heading).

A label is the number or letter an item opens with. After a TAB anything label-shaped counts
("8\\t...", "b)bis\\t..."); after a space only forms that cannot open an ordinary sentence ("1.", "a)",
"(iv)", "1.3.2"), so "2030 Agenda ..." stays a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.parse.layout import FOOTNOTE_DEFINITION, HEADING_MARKS, TABLE_ROW, TABLE_RULE
from rag.parse.spans import Line, clean_text

# Label shapes. Decimal numbers may carry "bis"/"ter" ("1bis.5"); annex numbering "A.1.2", "I.3".
_NUM = r"\d{1,3}(?:bis|ter|quater)?"
_DECIMAL = rf"{_NUM}(?:\.{_NUM})+\.?|[A-Z]\.\d{{1,3}}(?:\.\d{{1,3}})*"
_ROMAN_LOWER = r"[ivxl]{1,6}"
_ROMAN_UPPER = r"[IVXL]{1,6}"
_BULLETS = "–—−•·▪◦○■□➢►✓*-"
_LABEL_ANY = (
    rf"(?:{_DECIMAL}|{_NUM}[.)]?|\({_NUM}\)|[a-z]{{1,2}}\)(?:bis|ter)?|\([a-z]{{1,2}}\)|[a-z]\."
    rf"|{_ROMAN_LOWER}[.)]|\({_ROMAN_LOWER}\)|[A-Z][.)]|\([A-Z]\)|{_ROMAN_UPPER}[.)]|[{_BULLETS}])"
)
# Before a TAB every label shape; before a space only the unambiguous ones (no bare number or letter).
_LABEL_TAB = re.compile(rf"(?P<label>{_LABEL_ANY})\t+(?=\S)")
_LABEL_SPACE = re.compile(
    rf"(?P<label>(?:{_DECIMAL})(?=[ \u00a0]+[A-Z(\"“‘'])|{_NUM}[.)]|\({_NUM}\)|[a-z]{{1,2}}\)(?:bis|ter)?"
    rf"|\([a-z]{{1,2}}\)|{_ROMAN_LOWER}\)|\({_ROMAN_LOWER}\)|\([A-Z]\)|{_ROMAN_UPPER}\."
    rf"|[A-Z]\.(?=[ \u00a0]+[A-Z])"
    rf"|[–—•▪➢►])[ \u00a0]+(?=\S)"
)
_LONE_LABEL = re.compile(rf"(?:{_LABEL_ANY})")
_ENDS_SENTENCE = re.compile(r"[.;:!?][\"”’)\]]*(?:\[\^[^\]]+\])*\s*$")
_ENDS_CLOSED = re.compile(r"[.;:,!?][\"”’)\]]*(?:\[\^[^\]]+\])*\s*$")


@dataclass(slots=True)
class Para:
    """One paragraph of the text: its span, heading level, label, footnote mark, or table lines.

    ``start``/``end`` cover the printed paragraph without ``#`` marks; ``body_start`` is where its
    words begin after the label (``start`` when unlabelled).
    """

    index: int
    lines: list[Line]
    start: int
    end: int
    text: str  # cleaned, label included
    body_start: int
    body: str  # cleaned, label excluded
    level: int = 0  # '#' heading level given by the converter
    label: str | None = None
    note: str | None = None  # the mark of a footnote definition ``[^1]: ...``
    table: bool = False
    rows: list[Line] = field(default_factory=list)

    @property
    def line_no(self) -> int:
        return self.lines[0].no


def heading_like(text: str, *, max_chars: int = 160) -> bool:
    """Short and not ending like a sentence: a heading ("2.2.1 Definition", "Study Group 1")."""
    return 0 < len(text) <= max_chars and not _ENDS_CLOSED.search(text) and any(c.isalpha() for c in text)


def ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text))


def lone_label(text: str) -> bool:
    """A paragraph that is only a label ("1.", "I.", "(a)"): its words are on the next line."""
    return bool(_LONE_LABEL.fullmatch(text.strip()))


def read_paragraphs(text: str, lines: Sequence[Line]) -> list[Para]:
    """Group ``lines`` into paragraphs (see the module docstring)."""
    paras: list[Para] = []
    block: list[Line] = []
    table: list[Line] = []

    def flush_table() -> None:
        if table:
            paras.append(_table_para(text, len(paras), list(table)))
            table.clear()

    for line in lines:
        stripped = line.raw.strip()
        if not stripped:
            flush_table()
            block = []
            continue
        if TABLE_ROW.match(stripped):
            table.append(line)
            block = []
            continue
        flush_table()
        para = _para(text, len(paras), line)
        prev = paras[-1] if block and paras else None
        if prev is not None and _continues(prev, para):
            _extend(text, prev, line)
        else:
            paras.append(para)
        block.append(line)
    flush_table()
    return paras


def _continues(prev: Para, para: Para) -> bool:
    """Whether a line without a blank line before it wraps the paragraph above (unconverted .txt)."""
    if prev.note is not None and para.note is None:
        return para.lines[0].raw[:1].isspace()  # a markdown footnote's indented continuation
    if para.label or para.level or para.note or prev.level or prev.note or prev.table:
        return False
    if ends_sentence(prev.text) or heading_like(prev.text, max_chars=60):
        return False
    return bool(para.text) and (para.text[0].islower() or not ends_sentence(prev.text))


def _extend(text: str, para: Para, line: Line) -> None:
    para.lines.append(line)
    para.end = line.content_end
    para.text = clean_text(text[para.start : para.end])
    para.body = clean_text(text[para.body_start : para.end])


def _para(text: str, index: int, line: Line) -> Para:
    start, end = line.content_start, line.content_end
    level = 0
    marks = HEADING_MARKS.match(text, start, end)
    if marks:
        level = len(marks.group("marks"))
        start = marks.end()
    note = FOOTNOTE_DEFINITION.match(text, start, end)
    if note:
        return Para(
            index, [line], start, end, clean_text(text[start:end]), note.end(),
            clean_text(text[note.end() : end]), level, note=note.group("mark"),
        )  # fmt: skip
    label_match = _LABEL_TAB.match(text, start, end) or _LABEL_SPACE.match(text, start, end)
    body_start = label_match.end() if label_match else start
    return Para(
        index=index,
        lines=[line],
        start=start,
        end=end,
        text=clean_text(text[start:end]),
        body_start=body_start,
        body=clean_text(text[body_start:end]),
        level=level,
        label=label_match.group("label") if label_match else None,
    )


def _table_para(text: str, index: int, rows: list[Line]) -> Para:
    start, end = rows[0].content_start, rows[-1].content_end
    return Para(
        index=index,
        lines=rows,
        start=start,
        end=end,
        text=clean_text(text[start:end]),
        body_start=start,
        body="",
        table=True,
        rows=[r for r in rows if not TABLE_RULE.match(r.raw.strip())],
    )

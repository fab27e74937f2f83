"""The reading text: the one plain-text layout every converter writes and the structure reader reads.

Published files say the same things in different ways (Word's automatic numbering, a PDF's running
headers, HTML's ``<ol>``, Akoma Ntoso's ``<num>``). Converters write what a reader of the printed page
sees, in one layout, so that one reader (``rag.parse``) finds the structure in all of them and the
text a passage's ``start``/``end`` index is plain and readable in ``corpus/``:

- UTF-8, LF line ends, NFC, ending with one newline; no control characters but TAB and LF; soft
  hyphens, zero-width characters and private-use symbol-font bullets removed; Word's non-breaking
  hyphen written as ``-``; no-break spaces kept (they are inside "Resolution 64").
- **One paragraph per line**, paragraphs separated by one blank line. Line breaks inside a
  paragraph (PDF line wraps, Word soft returns) become spaces; a PDF word hyphenated at a line end is
  joined; a paragraph continued over a page break is one line.
- **A label comes first, then one TAB**: the number or letter a reader sees before the words,
  as printed, Word's automatic numbering included: ``1.3.2\\tText``, ``a)\\tthat ...``, ``1.\\tDecides
  ...``, ``–\\tan indent``, ``•\\ta bullet``. A label printed on a line of its own (a UN paragraph
  number in the margin) is joined to its words the same way.
- **Headings the file marks as headings** (Word heading styles, HTML ``h1``-``h6``, Akoma Ntoso
  ``heading``) start with ``#`` marks, one per level, and a space: ``## 1.1\\tFrequency of meetings``.
  Other headings are written as plain paragraphs; the reader recognises them by their shape.
- **Tables**: a blank line, then one line per row, ``| cell | cell |``, with ``| --- | --- |`` after the
  first row; paragraphs inside a cell joined by ``<br>``; ``|`` inside a cell written ``\\|``.
- **Footnotes**: the call where it stands, ``[^1]`` (the printed mark: ``1``, ``*``, ``a``), and the
  note as its own paragraph ``[^1]: text`` right after the paragraph (or table) that first calls it.
- **Left out**: page furniture (running headers and footers, page numbers, print job numbers and bar
  codes), images, tables of contents, empty paragraphs, and the duplicate branch of Word's
  alternate content. Everything else the file prints is kept, in reading order.

``ReadingText`` writes this layout; converters call it and never format lines themselves.

Example:
    >>> out = ReadingText()
    >>> out.paragraph("RESOLUTION 1 (Rev. Hammamet, 2016)")
    >>> out.paragraph("that the Assembly needs rules" + footnote_call("1") + ";", label="a)")
    >>> out.footnote("1", "See Article 13.")
    >>> out.table([["Edition", "Approval"], ["1.0", "1996-10-18"]])
    >>> print(out.text().replace("\\t", "<TAB>"), end="")
    RESOLUTION 1 (Rev. Hammamet, 2016)
    <BLANKLINE>
    a)<TAB>that the Assembly needs rules[^1];
    <BLANKLINE>
    [^1]: See Article 13.
    <BLANKLINE>
    | Edition | Approval |
    | --- | --- |
    | 1.0 | 1996-10-18 |
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Removed outright: soft hyphen, zero-width space/joiners, BOM, word joiner, private-use characters
# (symbol-font bullets and the like, which carry no words).
_DROP = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff\ue000-\uf8ff]")
# Non-breaking and figure hyphens print as a hyphen.
_HYPHENS = str.maketrans({"\u2011": "-", "\u2010": "-"})
# Control characters other than TAB and LF (vertical tab is Word's soft line break).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \u2000-\u200a\u3000]+")
_BREAKS = re.compile(r"\s*[\r\n\x0b\x0c\u2028\u2029]+\s*")
_TABS = re.compile(r"[ ]*\t[\t ]*")


def footnote_call(mark: str) -> str:
    """How a footnote call is written in the reading text: ``[^1]``."""
    return f"[^{clean_inline(mark).replace(' ', '')}]"


def clean_inline(text: str) -> str:
    """One paragraph's text as the reading text holds it: one line, single spaces, TABs kept single.

    Line breaks become spaces; runs of spaces collapse; a run of whitespace holding a TAB becomes one
    TAB (a typed label separator, ``1.1.1<TAB>Study groups``); the ends are trimmed.
    """
    text = unicodedata.normalize("NFC", text).translate(_HYPHENS)
    text = _DROP.sub("", text)
    text = _BREAKS.sub(" ", text)
    text = _CONTROL.sub(" ", text.replace("\x0b", " "))
    text = _TABS.sub("\t", text)
    text = _SPACES.sub(" ", text)
    return text.strip(" \t")


class ReadingText:
    """Writes the reading text one paragraph, table or footnote at a time (see the module docstring).

    A converter adds a footnote right after the paragraph or table that first calls it; a note
    already written (same mark and words) is not written twice.
    """

    def __init__(self) -> None:
        self._blocks: list[str] = []
        self._seen_notes: set[tuple[str, str]] = set()

    def paragraph(self, text: str, *, label: str | None = None, heading: int = 0) -> None:
        """Add one paragraph; empty ones (no letter or digit) are dropped.

        Args:
            text: the paragraph's words (line breaks inside it become spaces).
            label: its number or letter as printed (``"1.3.2"``, ``"a)"``, ``"•"``), if any.
            heading: its heading level (1-6) when the file marks it as a heading, else 0.
        """
        body = clean_inline(text)
        mark = clean_inline(label or "").replace("\t", " ")
        if not _has_content(body) and not _has_content(mark):
            return
        line = f"{mark}\t{body}" if mark and body else (mark or body)
        if heading:
            line = "#" * max(1, min(6, heading)) + " " + line
        self._blocks.append(line)

    def table(self, rows: Sequence[Sequence[str]]) -> None:
        """Add a table: ``rows`` of cell texts (a cell's paragraphs separated by newlines)."""
        kept = [cells for cells in ([_cell(c) for c in row] for row in rows) if any(map(_has_content, cells))]
        if not kept:
            return
        lines = ["| " + " | ".join(cells) + " |" for cells in kept]
        lines.insert(1, "| " + " | ".join(["---"] * len(kept[0])) + " |")
        self._blocks.append("\n".join(lines))

    def footnote(self, mark: str, text: str) -> None:
        """Add the note for call ``mark`` as a paragraph ``[^mark]: text``."""
        body = clean_inline(text)
        mark = clean_inline(mark).replace(" ", "")
        if not _has_content(body) or (mark, body) in self._seen_notes:
            return
        self._seen_notes.add((mark, body))
        self._blocks.append(f"[^{mark}]: {body}")

    def text(self) -> str:
        """The reading text so far."""
        return "\n\n".join(self._blocks) + "\n" if self._blocks else ""


def _has_content(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _cell(text: str) -> str:
    parts = [clean_inline(p) for p in re.split(r"[\r\n\x0b]+", text)]
    return "<br>".join(p.replace("\t", " ") for p in parts if p).replace("|", "\\|")


@dataclass(frozen=True, slots=True)
class Block:
    """One unit waiting to be written: a paragraph, a table or a note.

    Converters that repair their output before writing it (notes a conversion left inline, items run
    into one paragraph) collect these, then write each with ``write_to``.
    """

    kind: str  # "p", "table" or "note"
    text: str = ""
    label: str | None = None
    heading: int = 0
    rows: tuple[tuple[str, ...], ...] = ()

    def line(self) -> str:
        """The paragraph's words after its label, as one string."""
        return f"{self.label} {self.text}" if self.label else self.text

    def write_to(self, out: ReadingText) -> None:
        if self.kind == "table":
            out.table([list(row) for row in self.rows])
        elif self.kind == "note":
            out.footnote(self.label or "", self.text)
        else:
            out.paragraph(self.text, label=self.label, heading=self.heading)

"""Span helpers: lines with offsets, whitespace normalisation and markup stripping.

Every parser works on offsets into the file's decoded text, never on copies it edited, so that a
passage's ``start``/``end`` always point at the words as printed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

# a footnote call of the reading text: "countries[^1];" reads "countries;"
from rag.parse.layout import FOOTNOTE_CALL

# Whitespace as it appears in these extractions: tabs, NBSP (U+00A0) inside references such as
# "Resolution 64", narrow NBSP, zero-width spaces and soft hyphens left by the PDF and Word converters.
_WS = re.compile(r"[\s\u00a0\u202f\u2007\u200b\u00ad\ufeff]+")
# An HTML tag: a name, then attributes after a space; "<http://...>" (a URL in angle brackets) is words.
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
# A tag directly before punctuation ("skills</i>,") leaves no space behind, so the text reads "skills,".
_TAG_BEFORE_PUNCT = re.compile(r"(?:</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>)+(?=[,.;:!?)\]])")
# Symbol-font bullets (U+F0B7 and friends) are private-use characters: layout, not words.
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
# A Word bookmark artefact the text extraction leaves in place ("[bookmark: _Hlk123]"): no words.
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
# Spaces and bookmark artefacts before the printed words of a line. Tabs are not skipped: a leading
# tab marks a table cell or an indented continuation line.
BOOKMARK_PREFIX = re.compile(rf"(?:[ \u00a0]*{_BOOKMARK.pattern})*[ \u00a0]*")


def single_spaced(text: str) -> str:
    """Every run of whitespace as one space, the ends trimmed ("New\u00a0Delhi" reads "New Delhi")."""
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a source file: 1-based number, span without its newline, and raw text."""

    no: int
    start: int
    end: int
    raw: str

    @property
    def stripped(self) -> str:
        return self.raw.strip(" \t\u00a0\r")

    @property
    def blank(self) -> bool:
        return not _WS.sub("", self.raw)

    @property
    def indent(self) -> int:
        """Number of leading tabs: the WTDC report encodes nesting as tab depth."""
        return len(self.raw) - len(self.raw.lstrip("\t"))

    @property
    def content_start(self) -> int:
        """Offset of the first non-whitespace character (``end`` for a blank line)."""
        m = re.search(r"[^\s\u00a0]", self.raw)
        return self.start + m.start() if m else self.end

    @property
    def content_end(self) -> int:
        """Offset just after the last non-whitespace character."""
        stripped = self.raw.rstrip(" \t\u00a0\r\u200b")
        return self.start + len(stripped) if stripped.strip() else self.start


def split_lines(text: str) -> list[Line]:
    """Split a file's text into lines with exact offsets (LF line endings)."""
    lines: list[Line] = []
    pos = 0
    for no, raw in enumerate(text.split("\n"), start=1):
        lines.append(Line(no, pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return lines


def normalize_ws(text: str) -> str:
    """Collapse every run of whitespace (tabs, newlines, NBSP ...) into one space and trim."""
    return _WS.sub(" ", text).strip()


def strip_markup(text: str) -> str:
    """Remove HTML tags, decode entities, drop Word bookmark artefacts and footnote calls; keeps the words."""
    text = _BOOKMARK.sub(" ", text)
    if "[^" in text:
        text = FOOTNOTE_CALL.sub("", text)
    if "<" in text:
        text = _TAG.sub(" ", _TAG_BEFORE_PUNCT.sub("", text))
    text = _PRIVATE_USE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def clean_text(text: str) -> str:
    """Markup stripped and whitespace normalised: the form stored in ``Passage.text``."""
    return normalize_ws(strip_markup(text))


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with whitespace."""
    while start < end and _WS.match(text[start]):
        start += 1
    while end > start and _WS.match(text[end - 1]):
        end -= 1
    return start, end


def markup_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of markup (tags, bookmark artefacts) inside ``text``, for coverage and highlighting."""
    for pattern in (_TAG, _BOOKMARK, FOOTNOTE_CALL):
        for m in pattern.finditer(text):
            yield m.start(), m.end()


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit once markup is removed."""
    return bool(re.search(r"\w", strip_markup(text)))

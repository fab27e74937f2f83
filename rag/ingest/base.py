"""What every format converter returns, and the one protocol they share.

A converter turns the bytes of a published file (Word, PDF, HTML, Akoma Ntoso, markdown, text) into
the *reading text* (``rag.ingest.reading``): UTF-8, one paragraph per line, labels, headings, tables
and footnotes written the same way whatever the format, so that one structure reader
(``rag.parse``) reads them all and every passage's ``start``/``end`` index that text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class SourceFormat(StrEnum):
    """The formats ``rag add`` reads; the value is what ``documents.json`` and ``GET /documents`` show."""

    DOCX = "docx"
    DOC = "doc"
    PDF = "pdf"
    HTML = "html"
    AKN = "akn"  # Akoma Ntoso XML
    MARKDOWN = "md"
    TEXT = "txt"


@dataclass(frozen=True, slots=True)
class Converted:
    """A file turned into reading text.

    Args:
        text: the reading text (``rag.ingest.reading``), ending with a newline.
        format: the format the file was read as.
        metadata: what the file itself says about the document, by name, where it says anything:
            ``title``, ``symbol``, ``date`` (ISO), ``lang`` (ISO 639-1), ``author``. Hints only: the
            text decides first (``rag.ingest.metadata``).
        pages: page count where the format has pages (PDF), else None.
        warnings: what the converter noticed and could not do, for the user to read.
    """

    text: str
    format: SourceFormat
    metadata: Mapping[str, str] = field(default_factory=dict)
    pages: int | None = None
    warnings: tuple[str, ...] = ()


class Converter(Protocol):
    """Bytes of one file in, reading text out.

    ``name`` is the file's name, for messages only. Raises a ``rag.errors.DocumentError`` subclass
    when the bytes cannot be read (encrypted, no text layer, damaged, not this format).
    """

    def __call__(self, data: bytes, *, name: str) -> Converted: ...

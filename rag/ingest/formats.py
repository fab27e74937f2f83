"""Which converter reads a file: its format told by its bytes, checked against its name.

A file's extension is a claim; its first bytes are evidence. ``sniff`` reads the evidence (the PDF
header, the zip holding ``word/document.xml``, the OLE header of Word 97-2003, an Akoma Ntoso root
element, HTML markup, decodable text) and ``detect_format`` refuses a file whose bytes are not the
format its extension claims, so a renamed file is a clear error instead of garbage in the corpus.
"""

from __future__ import annotations

import importlib
import io
import logging
import re
import zipfile
from pathlib import PurePath

from rag.errors import DocumentError, EncryptedDocumentError, UnreadableDocumentError, UnsupportedFormatError
from rag.ingest.base import Converted, SourceFormat

logger = logging.getLogger(__name__)

EXTENSIONS: dict[str, SourceFormat] = {
    ".docx": SourceFormat.DOCX,
    ".doc": SourceFormat.DOC,
    ".pdf": SourceFormat.PDF,
    ".html": SourceFormat.HTML,
    ".htm": SourceFormat.HTML,
    ".xhtml": SourceFormat.HTML,
    ".xml": SourceFormat.AKN,
    ".akn": SourceFormat.AKN,
    ".md": SourceFormat.MARKDOWN,
    ".markdown": SourceFormat.MARKDOWN,
    ".txt": SourceFormat.TEXT,
    ".text": SourceFormat.TEXT,
}
# The converter of each format: module rag.ingest.<module>, function convert_<name>.
_CONVERTERS: dict[SourceFormat, tuple[str, str]] = {
    SourceFormat.DOCX: ("docx", "convert_docx"),
    SourceFormat.DOC: ("doc", "convert_doc"),
    SourceFormat.PDF: ("pdf", "convert_pdf"),
    SourceFormat.HTML: ("html", "convert_html"),
    SourceFormat.AKN: ("akn", "convert_akn"),
    SourceFormat.MARKDOWN: ("text", "convert_markdown"),
    SourceFormat.TEXT: ("text", "convert_text"),
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_AKN = re.compile(rb"<(?:[A-Za-z]+:)?akomaNtoso\b|docs\.oasis-open\.org/legaldocml/ns/akn")
_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_NAMES = {
    SourceFormat.DOCX: "a Word document (.docx)",
    SourceFormat.DOC: "a Word 97-2003 document (.doc)",
    SourceFormat.PDF: "a PDF",
    SourceFormat.HTML: "an HTML page",
    SourceFormat.AKN: "Akoma Ntoso XML",
    SourceFormat.MARKDOWN: "markdown",
    SourceFormat.TEXT: "plain text",
}
SUPPORTED = ", ".join(sorted(EXTENSIONS))


def sniff(data: bytes) -> SourceFormat | None:
    """The format the bytes are, or None when they are none of the formats read here.

    Raises:
        EncryptedDocumentError: an Office file encrypted with a password (an OLE container holding
            ``EncryptedPackage``), which no converter can open.
    """
    head = data[:4096]
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"%PDF-":
        return SourceFormat.PDF
    if head.startswith(b"PK\x03\x04"):
        return SourceFormat.DOCX if _zip_has(data, "word/document.xml") else None
    if head.startswith(_OLE):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data[:65536]:
            raise EncryptedDocumentError(
                "the file is an encrypted Office document (password-protected)",
                hint="open it in Word, remove the password (File > Info > Protect Document), save, add again",
            )
        return SourceFormat.DOC
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    if _AKN.search(head):
        return SourceFormat.AKN
    if _HTML.search(head):
        return SourceFormat.HTML
    return SourceFormat.TEXT if _looks_like_text(head) else None


def detect_format(data: bytes, name: str) -> SourceFormat:
    """The format to read ``data`` as: its extension's, once the bytes agree with it.

    Raises:
        UnsupportedFormatError: the extension is not one read here, or the bytes are another
            format (a PDF renamed ``.docx``) or none at all.
    """
    suffix = PurePath(name).suffix.lower()
    claimed = EXTENSIONS.get(suffix)
    found = sniff(data)
    if claimed is None:
        if found is None or suffix:
            raise UnsupportedFormatError(
                f"{name}: {suffix or 'no extension'} is not a format `rag add` reads",
                hint=f"supported: {SUPPORTED}; convert the file to one of them",
            )
        return found
    if _agrees(claimed, found, data[:4096]):
        return claimed
    what = _NAMES[found] if found else "none of the supported formats"
    raise UnsupportedFormatError(
        f"{name} is not {_NAMES[claimed]}: its bytes are {what}",
        hint="check that the file is the one you meant, or give it the extension of its real format",
    )


def convert(data: bytes, name: str) -> Converted:
    """Read ``data`` (the bytes of the file called ``name``) with the converter of its format."""
    fmt = detect_format(data, name)
    module, function = _CONVERTERS[fmt]
    converter = getattr(importlib.import_module(f"rag.ingest.{module}"), function)
    try:
        converted: Converted = converter(data, name=name)
    except DocumentError:
        raise
    except Exception as exc:  # a library's own error on a damaged file, translated at the boundary
        logger.debug("converting %s failed", name, exc_info=True)
        raise UnreadableDocumentError(
            f"{name} could not be read as {_NAMES[fmt]}: {type(exc).__name__}: {str(exc)[:200]}",
            hint="the file may be damaged; open and save it again, or export it to another format",
        ) from exc
    return converted


def _agrees(claimed: SourceFormat, found: SourceFormat | None, head: bytes) -> bool:
    if claimed is found:
        return True
    if claimed in (SourceFormat.TEXT, SourceFormat.MARKDOWN):
        # Markdown and text may hold anything readable, HTML or XML snippets included.
        return found in (SourceFormat.TEXT, SourceFormat.HTML, SourceFormat.AKN)
    # An HTML fragment without <html> or <body> ("<h1>...</h1><p>...") reads as text with tags.
    return claimed is SourceFormat.HTML and found is SourceFormat.TEXT and b"<" in head


def _zip_has(data: bytes, member: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return member in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "utf-16", "cp1252"):
        try:
            decoded = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in decoded)
        return printable >= 0.95 * max(1, len(decoded))
    return False

"""Legacy Word 97-2003 .doc to reading text: converted to .docx in memory, then read as a .docx.

msdoc2docx (pure Python, written from Microsoft's MS-DOC specification) rebuilds the Word file as a
.docx with its styles, automatic numbering, footnotes (custom marks in place), tables and fields, and
``rag.ingest.docx`` reads that like any Word file, so both Word formats give the same reading text. It
was measured against antiword, catdoc and LibreOffice (``bench/ingest_word.py``): antiword and catdoc
are a hundred times faster but drop Word's automatic numbering labels, print footnotes at the end and
cannot tell a soft return from a paragraph end (catdoc also prints field codes and running heads);
LibreOffice gives the same structure in about a second a file but needs 250 MB of packages.

Files msdoc2docx rejects (Word 6/95 files, damaged tables) are read with Debian's antiword when it
is installed, with a warning: paragraphs, typed labels and footnotes, but no automatic numbering.

Example:
    >>> from pathlib import Path
    >>> converted = convert_doc(Path("r-rec-s354.doc").read_bytes(), name="r-rec-s354.doc")  # doctest: +SKIP
    >>> converted.format
    <SourceFormat.DOC: 'doc'>
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from rag.errors import DocumentError, EncryptedDocumentError, UnreadableDocumentError, UnsupportedFormatError
from rag.ingest.base import Converted, SourceFormat
from rag.ingest.docx import convert_docx, split_typed_label
from rag.ingest.reading import ReadingText, footnote_call
from rag.parse.layout import TABLE_ROW

logger = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RESAVE = "open it in Word or LibreOffice, save it as .docx and add that file"
_INSTALL_MSDOC2DOCX = "pip install msdoc2docx (scripts/setup installs it with the project)"
_INSTALL_ANTIWORD = "apt-get install antiword (scripts/setup installs it when missing)"
_ANTIWORD_SECONDS = 60

# antiword's footnotes, printed after the text: "[1] Kyoto, 2022." or "*<TAB>Note by the Secretariat."
_NOTE_LINE = re.compile(r"^(?P<mark>\[\d{1,4}\]|\[[ivxlc]{1,8}\]|\*{1,4}|[†‡§]{1,3})[ \t]+(?P<text>\S.*)$")
_SEPARATOR = re.compile(r"^[-_]{10,}$")


class _Rejected(Exception):
    """msdoc2docx could not convert the file (or is missing) and antiword may still read it."""


def convert_doc(data: bytes, *, name: str) -> Converted:
    """Turn the bytes of a Word 97-2003 .doc into reading text (see the module docstring).

    Raises:
        UnsupportedFormatError: not an OLE Word file (a .docx, RTF or Excel file named .doc).
        EncryptedDocumentError: a password-protected file.
        UnreadableDocumentError: damaged beyond what msdoc2docx and antiword read.
        DocumentError: neither msdoc2docx nor antiword is installed (the hint says how to install them).
    """
    _check_signature(data, name)
    try:
        docx = _to_docx(data, name)
    except _Rejected as exc:
        return _read_with_antiword(data, name, reason=str(exc))
    return replace(convert_docx(docx, name=name), format=SourceFormat.DOC)


def _check_signature(data: bytes, name: str) -> None:
    """Refuse, with the reason, bytes that are not an OLE Word document."""
    if data[:8] != _OLE_MAGIC:
        start = data[:512].lstrip().lower()
        if data[:2] == b"PK":
            what, hint = "a .docx (zip) file", "add it with a .docx extension"
        elif start.startswith(b"{\\rtf"):
            what, hint = "an RTF file", _RESAVE
        elif start.startswith((b"<html", b"<!doctype", b"<?xml")):
            what, hint = "a web page or XML file saved with a .doc name", _RESAVE
        else:
            what, hint = "not an OLE compound file", "give a Word 97-2003 .doc file"
        raise UnsupportedFormatError(f"{name}: not a Word 97-2003 .doc file ({what})", hint=hint)
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise EncryptedDocumentError(
            f"{name}: a password-protected Word file (encrypted package)",
            hint="remove the password in Word (File > Info > Protect Document > Encrypt) and add it again",
        )
    # A complete OLE file names its streams in a directory that starts with "Root Entry"; when that
    # directory is there and names no WordDocument stream, this is another Office file, not a damaged one.
    if "Root Entry".encode("utf-16-le") in data and "WordDocument".encode("utf-16-le") not in data:
        raise UnsupportedFormatError(
            f"{name}: an OLE file without a Word document (Excel, PowerPoint or another Office file?)",
            hint="give a Word .doc or .docx file",
        )


def _to_docx(data: bytes, name: str) -> bytes:
    """The .doc rebuilt as .docx bytes by msdoc2docx (it reads and writes files: a temporary folder)."""
    try:
        import doc2docx  # the msdoc2docx distribution
        from doc2docx import errors
    except ImportError as exc:
        if shutil.which("antiword"):
            raise _Rejected("msdoc2docx is not installed") from exc
        raise DocumentError(
            f"{name}: cannot read Word 97-2003 .doc files here: neither msdoc2docx nor antiword is installed",
            hint=f"{_INSTALL_MSDOC2DOCX}; or {_INSTALL_ANTIWORD}",
        ) from exc
    with tempfile.TemporaryDirectory(prefix="rag-doc-") as folder:
        source, target = Path(folder, "source.doc"), Path(folder, "converted.docx")
        source.write_bytes(data)
        try:
            doc2docx.convert(source, target)
        except errors.EncryptedDocumentError as exc:
            raise EncryptedDocumentError(
                f"{name}: the Word file is password-protected ({exc})",
                hint="remove the password in Word (File > Info > Protect Document) and add it again",
            ) from exc
        except Exception as exc:  # noqa: BLE001 - its own errors and any slip on an odd file: try antiword
            logger.info("msdoc2docx could not convert %s: %s", name, exc)
            raise _Rejected(f"msdoc2docx: {exc}") from exc
        return target.read_bytes()


def _read_with_antiword(data: bytes, name: str, *, reason: str) -> Converted:
    """The fallback: antiword's text (one paragraph a line, footnotes at the end) as reading text."""
    antiword = shutil.which("antiword")
    if antiword is None:
        raise UnreadableDocumentError(
            f"{name}: the .doc could not be converted ({reason}) and antiword is not installed",
            hint=f"{_INSTALL_ANTIWORD}, or {_RESAVE}",
        )
    with tempfile.TemporaryDirectory(prefix="rag-doc-") as folder:
        source = Path(folder, "source.doc")
        source.write_bytes(data)
        try:
            done = subprocess.run(
                [antiword, "-w", "0", "-m", "UTF-8.txt", str(source)],
                capture_output=True,
                timeout=_ANTIWORD_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise UnreadableDocumentError(
                f"{name}: antiword ran over {_ANTIWORD_SECONDS} s", hint=_RESAVE
            ) from exc
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").replace(str(source), name).strip() or "no output"
        raise UnreadableDocumentError(
            f"{name}: cannot read the .doc ({reason}; antiword: {problem})", hint=_RESAVE
        )
    warning = (
        f"read with antiword because {reason}: Word's automatic numbering, headings and table layout are "
        "missing from the text"
    )
    return Converted(
        text=antiword_reading_text(done.stdout.decode("utf-8", "replace")),
        format=SourceFormat.DOC,
        warnings=(warning,),
    )


def antiword_reading_text(output: str) -> str:
    """antiword's text output (``-w 0``) as reading text: lines as paragraphs, tables, notes placed.

    Each footnote antiword prints at the end goes after the first paragraph, at or after the previous
    note's, that holds its mark (``[1]``, ``*``); a note whose call is not found stays at the end.
    """
    body, notes = _split_notes([line.rstrip() for line in output.replace("\f", "\n").split("\n")])
    paragraphs: list[list[str] | str] = []  # a paragraph's text, or a table's row lines
    for line in body:
        if not line.strip():
            continue
        if TABLE_ROW.match(line.strip()) and paragraphs and isinstance(paragraphs[-1], list):
            paragraphs[-1].append(line.strip())
        else:
            paragraphs.append([line.strip()] if TABLE_ROW.match(line.strip()) else line)
    placed: dict[int, list[tuple[str, str]]] = {}
    cursor = (0, 0)
    for mark, text in notes:
        cursor, where = _place_call(paragraphs, mark, cursor)
        placed.setdefault(where, []).append((mark.strip("[]"), text))
    out = ReadingText()
    for index, paragraph in enumerate([*paragraphs, ""]):
        if isinstance(paragraph, list):
            out.table([[cell.strip() for cell in row.strip("|").split("|")] for row in paragraph])
        elif paragraph:
            label, text = split_typed_label(paragraph, heading=False)
            out.paragraph(text, label=label)
        for mark, text in placed.get(index, []):
            out.footnote(mark, text)
    return out.text()


def _split_notes(lines: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Body lines and the (mark, text) notes antiword printed after them."""
    separators = [i for i, line in enumerate(lines) if _SEPARATOR.match(line.strip())]
    if separators:
        start = separators[-1] + 1
    else:  # no separator line: the trailing run of lines that open with a note mark
        start = len(lines)
        for i in range(len(lines) - 1, -1, -1):
            if lines[i].strip() and not _NOTE_LINE.match(lines[i]):
                break
            start = i
    notes: list[tuple[str, str]] = []
    for line in lines[start:]:
        match = _NOTE_LINE.match(line)
        if match:
            notes.append((match.group("mark"), match.group("text")))
        elif line.strip() and notes:  # a note's next paragraph
            notes[-1] = (notes[-1][0], f"{notes[-1][1]} {line.strip()}")
    body = lines[: separators[-1]] if separators else lines[:start]
    return body, notes


def _place_call(
    paragraphs: list[list[str] | str], mark: str, cursor: tuple[int, int]
) -> tuple[tuple[int, int], int]:
    """Write the first call of ``mark`` from ``cursor`` on as ``[^mark]``; (new cursor, paragraph index)."""
    pattern = re.compile(
        re.escape(mark) if mark.startswith("[") else rf"(?<![*†‡§]){re.escape(mark)}(?![*†‡§])"
    )
    index, offset = cursor
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        text = paragraph if isinstance(paragraph, str) else "\n".join(paragraph)
        where = pattern.search(text, offset)
        if where is not None:
            call = footnote_call(mark.strip("[]"))
            text = text[: where.start()] + call + text[where.end() :]
            paragraphs[index] = text if isinstance(paragraph, str) else text.split("\n")
            return (index, where.start() + len(call)), index
        index, offset = index + 1, 0
    return cursor, len(paragraphs)

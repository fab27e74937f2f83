"""PDF converter: a born-digital PDF (UN and ITU resolutions, reports) into reading text.

PDFium (through pypdfium2) reads each glyph with its box, baseline, font size and font; the glyphs
become words here, and ``rag.ingest.pdf_layout`` (lines, furniture, footnote zones, reading order),
``rag.ingest.pdf_tables`` (ruled tables) and ``rag.ingest.pdf_paragraphs`` (paragraphs, labels,
footnotes, hyphens) rebuild what a reader of the printed page sees.

PDFium was chosen by measurement on the UN development PDFs (``bench/ingest_pdf.py --compare``): the
whole conversion of a 50-page PDF takes under 2 s here, of which reading the glyphs is about 1 s;
its word spacing matches poppler's (no "intelligen ce" splits in justified text) and it marks
line-end hyphens; it is Apache-2.0/BSD licensed. pdfplumber (pdfminer.six) needs about 7 s just to
read the glyphs of the same 50 pages; PyMuPDF is faster still (0.4 s) but AGPL-licensed.

Example:
    >>> from pathlib import Path
    >>> data = Path("a-res-79-277.pdf").read_bytes()  # doctest: +SKIP
    >>> converted = convert_pdf(data, name="a-res-79-277.pdf")  # doctest: +SKIP
    >>> converted.metadata["symbol"]  # doctest: +SKIP
    'A/RES/79/277'
"""

from __future__ import annotations

import ctypes
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from rag.errors import (
    EncryptedDocumentError,
    NoTextLayerError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)
from rag.ingest.base import Converted, SourceFormat
from rag.ingest.pdf_layout import (
    Line,
    PageLayout,
    PageWords,
    Word,
    body_font_size,
    find_furniture,
    group_lines,
    layout_page,
)
from rag.ingest.pdf_paragraphs import write
from rag.ingest.pdf_tables import Segment, cells, find_grids, placeholder
from rag.ingest.reading import ReadingText

logger = logging.getLogger(__name__)

# A gap between two glyphs' advance boxes wider than this share of the font size is a space even
# when the PDF has no space character there (PDFium already adds most such spaces itself; letter
# spacing in justified text stays under 0.05 em).
_SPACE_GAP_EM = 0.25
_FONT_NAME = 128
# PDFium reports a hyphen printed at a line's end as U+FFFE (or U+0002): it is a printed hyphen.
_HYPHEN_MARKERS = {"\ufffe": "-", "\x02": "-"}
_SYMBOL = re.compile(r"^[A-Z][A-Z0-9.\-()]*(?:/[A-Za-z0-9.\-()]+)+$")
# Titles some makers write instead of the document's: "Microsoft Word - N2504977.docx", "1234.pdf".
_MAKER_PREFIX = re.compile(r"^(?:Microsoft (?:Word|PowerPoint) - |untitled\b)", re.IGNORECASE)
_FILE_NAME = re.compile(r"\.(?:docx?|rtf|odt|pdf|indd|xlsx?)$", re.IGNORECASE)
_PDF_DATE = re.compile(r"^(?:D:)?(?P<y>\d{4})(?P<m>\d{2})?(?P<d>\d{2})?")


def convert_pdf(data: bytes, *, name: str) -> Converted:
    """Convert the bytes of a born-digital PDF into reading text.

    Args:
        data: the file's bytes.
        name: the file's name, for messages only.

    Returns:
        The reading text, the page count, metadata hints (``title``, ``author``, ``subject``,
        ``date``, ``lang`` from the file's own metadata; ``symbol`` printed at the top right of the
        first page, for UN documents) and warnings (pages without text).

    Raises:
        UnsupportedFormatError: the bytes are not a PDF.
        EncryptedDocumentError: the PDF needs a password to open.
        NoTextLayerError: no page has a text layer (a scan).
        UnreadableDocumentError: the PDF is damaged.
    """
    doc = _open(data, name)
    try:
        pages = _read_pages(doc, name)
        metadata = _metadata(doc)
    finally:
        doc.close()
    scanned = [p.number + 1 for p in pages if not p.words and p.images]
    if not pages:
        raise UnreadableDocumentError(
            f"{name}: the PDF has no pages", hint="check that the file is complete, or export it again"
        )
    if all(not p.words for p in pages):
        raise NoTextLayerError(
            f"{name}: none of its {len(pages)} pages has a text layer (a scan?)",
            hint="run OCR on it (e.g. ocrmypdf) and add the result, or add the Word original",
        )
    warnings: list[str] = []
    if scanned:
        warnings.append(
            f"{len(scanned)} of {len(pages)} pages have images but no text layer (scans?) and were "
            f"skipped (pages {_ranges(scanned)})"
        )
    text, symbol = _reading_text(pages)
    logger.debug("%s: %d pages, %d characters of reading text", name, len(pages), len(text))
    if symbol:
        metadata["symbol"] = symbol
    return Converted(
        text=text, format=SourceFormat.PDF, metadata=metadata, pages=len(pages), warnings=tuple(warnings)
    )


def _open(data: bytes, name: str) -> pdfium.PdfDocument:
    """Open the document, translating PDFium's failures into DocumentErrors."""
    # The PDF header may follow a few bytes of junk (readers accept it within the first kilobyte).
    if b"%PDF-" not in data[:1024]:
        raise UnsupportedFormatError(
            f"{name}: not a PDF (the file does not start with %PDF-)",
            hint="check the file's type; Word, HTML and text files have their own converters",
        )
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedDocumentError(
                f"{name}: the PDF is encrypted and needs a password to open",
                hint="save an unprotected copy (print to PDF, or remove the password) and add that",
            ) from exc
        raise UnreadableDocumentError(
            f"{name}: the PDF is damaged and cannot be read ({exc})",
            hint="download or export the file again; if it opens in a viewer, print it to a new PDF",
        ) from exc


def _read_pages(doc: pdfium.PdfDocument, name: str) -> list[PageWords]:
    pages = []
    for number in range(len(doc)):
        try:
            page = doc[number]
        except pdfium.PdfiumError as exc:
            raise UnreadableDocumentError(
                f"{name}: page {number + 1} is damaged and cannot be read ({exc})",
                hint="download or export the file again",
            ) from exc
        try:
            pages.append(_page_words(page, number))
        finally:
            page.close()
    return pages


def _font(
    textpage: pdfium.PdfTextPage, index: int, buffer: ctypes.Array[ctypes.c_char]
) -> tuple[bool, bool, bool]:
    """(bold, italic, bar code) for one glyph, from its font's name, weight and flags."""
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, _FONT_NAME, ctypes.byref(flags))
    font = buffer.value.decode("latin-1", "replace").lower()
    weight = pdfium_c.FPDFText_GetFontWeight(textpage, index)
    bold = "bold" in font or "black" in font or "heavy" in font or weight >= 600
    italic = "italic" in font or "oblique" in font or bool(flags.value & 64)
    return bold, italic, "barcode" in font or "3 of 9" in font or "code39" in font


def _page_words(page: pdfium.PdfPage, number: int) -> PageWords:
    """Every word on the page with its box, baseline, size and style (PDFium's glyphs, grouped)."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        words = _glyph_words(textpage, height)
    finally:
        textpage.close()
    images = (
        0 if words else sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3))
    )
    return PageWords(
        number=number,
        width=width,
        height=height,
        words=tuple(words),
        segments=_segments(page, height),
        images=images,
    )


def _glyph_words(textpage: pdfium.PdfTextPage, height: float) -> list[Word]:
    """PDFium's glyphs grouped into words: a space, a gap or a baseline shift ends a word."""
    words: list[Word] = []
    chars: list[_Glyph] = []
    space_before = pending_space = True
    box = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    buffer = ctypes.create_string_buffer(_FONT_NAME)
    for i in range(pdfium_c.FPDFText_CountChars(textpage)):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
        char = _HYPHEN_MARKERS.get(char, char)
        if (char.isspace() and char != "\u00a0") or unicodedata.category(char) in ("Cc", "Cf"):
            if chars:
                words.append(_word(chars, space_before))
                chars = []
            pending_space = True
            continue
        pdfium_c.FPDFText_GetLooseCharBox(textpage, i, box)
        pdfium_c.FPDFText_GetCharOrigin(textpage, i, ox, oy)
        size = pdfium_c.FPDFText_GetFontSize(textpage, i)
        glyph = _Glyph(char, box.left, box.right, height - oy.value, size, *_font(textpage, i, buffer))
        if chars:
            prev = chars[-1]
            em = min(size, prev.size)
            gap = glyph.x0 - prev.x1
            # A glyph starting left of the previous one's start begins a new word; one that overlaps
            # it (the "f" and "i" of an "fi" ligature share one box) does not.
            spaced = gap > _SPACE_GAP_EM * em or glyph.x0 < prev.x0 - 0.5 * em
            if spaced or abs(glyph.baseline - prev.baseline) > 0.25 * em:
                words.append(_word(chars, space_before))
                chars = []
                pending_space = spaced
        if not chars:
            space_before, pending_space = pending_space, False
        chars.append(glyph)
    if chars:
        words.append(_word(chars, space_before))
    return words


@dataclass(frozen=True, slots=True)
class _Glyph:
    char: str
    x0: float
    x1: float
    baseline: float
    size: float
    bold: bool
    italic: bool
    barcode: bool


def _word(chars: list[_Glyph], space_before: bool) -> Word:
    """One word from its glyphs; its size and baseline are those of most of its glyphs."""
    sizes = Counter(round(c.size, 1) for c in chars)
    size = max(sizes, key=lambda s: (sizes[s], s))
    letters = [c for c in chars if c.char.isalnum()] or chars
    return Word(
        text="".join(c.char for c in chars),
        x0=min(c.x0 for c in chars),
        x1=max(c.x1 for c in chars),
        baseline=max(c.baseline for c in chars if round(c.size, 1) == size),
        size=size,
        bold=all(c.bold for c in letters),
        italic=all(c.italic for c in letters),
        space_before=space_before,
        barcode=any(c.barcode for c in chars),
    )


def _segments(page: pdfium.PdfPage, height: float) -> tuple[tuple[float, float, float, float], ...]:
    """The page's drawn rules as (x0, y0, x1, y1) with y downwards: thin paths (a footnote rule, a
    table border drawn as a line or a thin filled box) and the edges of stroked rectangles."""
    found = []
    draw_fill, draw_stroke = ctypes.c_int(), ctypes.c_int()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        y0, y1 = height - top, height - bottom
        if (y1 - y0 <= 2.0 and right - left >= 5.0) or (right - left <= 2.0 and y1 - y0 >= 5.0):
            if y1 - y0 <= 2.0:
                found.append((left, (y0 + y1) / 2, right, (y0 + y1) / 2))
            else:
                found.append(((left + right) / 2, y0, (left + right) / 2, y1))
            continue
        pdfium_c.FPDFPath_GetDrawMode(obj.raw, draw_fill, draw_stroke)
        if draw_stroke.value and pdfium_c.FPDFPath_CountSegments(obj.raw) <= 5:  # a stroked box
            found += [
                (left, y0, right, y0),
                (left, y1, right, y1),
                (left, y0, left, y1),
                (right, y0, right, y1),
            ]
    return tuple(found)


def _reading_text(pages: list[PageWords]) -> tuple[str, str | None]:
    """The reading text of the pages, and the symbol printed at the top right of the first page."""
    lines = [_page_lines(p) for p in pages]
    body_size = body_font_size(lines)
    furniture = find_furniture(lines, [p.height for p in pages], body_size)
    layouts: list[PageLayout] = [
        layout_page(page, page_lines, furniture, body_size)
        for page, page_lines in zip(pages, lines, strict=True)
    ]
    out = ReadingText()
    write(layouts, out)
    return out.text(), _symbol(pages[0], lines[0])


def _page_lines(page: PageWords) -> list[Line]:
    """The page's lines (segments), with each ruled table as one line standing where it sits."""
    grids = find_grids([Segment(*s) for s in page.segments])
    if not grids:
        return group_lines(page.words, page.number)
    inside: dict[int, list[Word]] = {i: [] for i in range(len(grids))}
    outside: list[Word] = []
    for word in page.words:
        home = next((i for i, g in enumerate(grids) if g.holds(word)), None)
        (outside if home is None else inside[home]).append(word)
    lines = group_lines(outside, page.number)
    for i, grid in enumerate(grids):
        if inside[i]:
            lines.append(placeholder(grid, page.number, cells(grid, inside[i], page.number)))
    return sorted(lines, key=lambda ln: (ln.top, ln.x0))


def _symbol(page: PageWords, lines: list[Line]) -> str | None:
    """A document symbol printed at the top right of the first page: alone ("A/RES/79/277") or after
    a word or two ("Document WSIS-03/GENEVA/DOC/4-E")."""
    for ln in lines:
        if ln.top > 0.2 * page.height:
            break
        tokens = ln.text.split()
        if ln.x1 > 0.5 * page.width and len(tokens) <= 3:
            found = next((t for t in reversed(tokens) if _SYMBOL.match(t)), None)
            if found:
                return found
    return None


def _metadata(doc: pdfium.PdfDocument) -> dict[str, str]:
    """What the file's own metadata says: title, author, subject, creation date, language."""
    info = doc.get_metadata_dict(skip_empty=True)
    found: dict[str, str] = {}
    for key, field in (("Title", "title"), ("Author", "author"), ("Subject", "subject")):
        value = " ".join(info.get(key, "").split())
        if key == "Title":
            value = _MAKER_PREFIX.sub("", value)
            value = "" if _FILE_NAME.search(value) else value
        if value and any(ch.isalnum() for ch in value):
            found[field] = value
    date = _PDF_DATE.match(info.get("CreationDate", "").strip())
    if date and date.group("m") and date.group("d"):
        found["date"] = f"{date.group('y')}-{date.group('m')}-{date.group('d')}"
    lang = _language(doc)
    if lang:
        found["lang"] = lang
    return found


def _language(doc: pdfium.PdfDocument) -> str | None:
    """The catalog's /Lang ("en-US") as an ISO 639-1 code ("en"), if it names one."""
    size = pdfium_c.FPDFCatalog_GetLanguage(doc.raw, None, 0)
    if size <= 2:
        return None
    buffer = (ctypes.c_ushort * (size // 2))()
    pdfium_c.FPDFCatalog_GetLanguage(doc.raw, buffer, size)
    tag = bytes(buffer).decode("utf-16-le", "replace").rstrip("\x00").strip()
    primary = re.split(r"[-_]", tag)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 7 -> "1-3, 7"."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)

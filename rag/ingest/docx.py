"""Word .docx to reading text: the body in reading order, Word's numbering and footnotes materialised.

Read straight from the package's XML with lxml (measured against python-docx and docx2python in
``bench/ingest_word.py``): python-docx has no numbering, footnotes, text boxes or content controls, and
docx2python prints Word's alternate content (text boxes) twice, its footnotes at the end and loses
non-breaking hyphens. What a reader sees on the printed page is what is written (``rag.ingest.reading``):

- the body in order: paragraphs, tables, content controls, text boxes (one branch of Word's
  ``mc:AlternateContent``, which holds the same box twice), inserted revisions; not deleted ones,
  field codes, tables of contents, hidden text, images, headers and footers;
- Word's automatic numbering (``numbering.xml``) as the label Word displays (``1.3.2``, ``a)``,
  ``•``), counted the way Word counts: per list definition, with start overrides and level restarts;
  typed labels ("1.1.1<TAB>Study groups", "a)  that") end with one TAB too;
- footnotes and endnotes as ``[^mark]`` calls and ``[^mark]: note`` paragraphs after the caller;
- tables as rows (merged cells once; a one-column table is a frame and its paragraphs stay
  paragraphs); heading styles (Heading 1-9, Title, any outline level) as ``#`` headings; ``caps``
  text upper-cased as printed ("ANNEX 1 TO RESOLUTION 1").

Example:
    >>> from pathlib import Path
    >>> converted = convert_docx(Path("report.docx").read_bytes(), name="report.docx")  # doctest: +SKIP
    >>> converted.metadata["lang"]  # doctest: +SKIP
    'en'
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from lxml import etree

from rag.errors import EncryptedDocumentError, UnreadableDocumentError, UnsupportedFormatError
from rag.ingest.base import Converted, SourceFormat
from rag.ingest.reading import ReadingText, clean_inline, footnote_call

logger = logging.getLogger(__name__)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# ISO/IEC 29500 Strict documents use other namespace names for the same vocabulary.
_STRICT = (
    (b"http://purl.oclc.org/ooxml/wordprocessingml/main", W[1:-1].encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/math", _MATH[1:-1].encode()),
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A part larger than this once unzipped is a zip bomb or not a text document.
_MAX_PART_BYTES = 256 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_RESAVE = "open it in Word or LibreOffice, save it again as .docx and add it again"

# Field results that are page furniture or generated lists, not the document's words.
_SKIPPED_FIELDS = frozenset({"TOC", "INDEX", "TOA", "PAGE", "NUMPAGES", "SECTIONPAGES"})
_TOC_STYLE = re.compile(
    r"^(toc \d|toc heading|contents \d|contents heading|table of figures|index \d|index heading)$"
)
_HEADING_STYLE = re.compile(r"^heading ([1-9])$")

# Adobe Symbol font, 0x20-0x7E and 0xA0-0xFF ("\0": a glyph piece that carries no words).
_SYMBOL_LOW = (
    " !∀#∃%&∋()∗+,−./0123456789:;<=>?≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_\0αβχδεφγηιϕκλμνοπθρστυϖωξψζ{|}∼"
)
_SYMBOL_HIGH = (
    "€ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…\0\0↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓◊〈®©™∑"
    + "\0" * 10
    + "\0〉∫"
    + "\0" * 13
)
_BULLET = "•"


# --- the package -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Package:
    """The XML parts a conversion reads (``None`` where the file has no such part)."""

    document: etree._Element
    styles: etree._Element | None
    numbering: etree._Element | None
    footnotes: etree._Element | None
    endnotes: etree._Element | None
    settings: etree._Element | None
    core: etree._Element | None


def _open_package(data: bytes, name: str) -> _Package:
    """The parts of a .docx, or the DocumentError that says why these bytes are not one."""
    if data[:8] == _OLE_MAGIC:
        raise _ole_error(data, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        if data[:2] == b"PK":
            raise UnreadableDocumentError(f"{name}: the Word file is damaged ({exc})", hint=_RESAVE) from exc
        raise UnsupportedFormatError(
            f"{name}: not a Word .docx file (not a zip package)",
            hint="give a .docx saved by Word or LibreOffice, or add the file under its real extension",
        ) from exc
    with archive:
        reader = _PartReader(archive, name)
        package_rels = reader.relationships("")
        main = package_rels.get("officeDocument", "word/document.xml")
        document = reader.xml(main)
        if document is None or document.tag != f"{W}document":
            raise UnsupportedFormatError(
                f"{name}: a zip package but not a Word document (no WordprocessingML body)",
                hint="give a Word .docx file; other Office files (.xlsx, .pptx, .odt) are not read",
            )
        rels = reader.relationships(main)
        return _Package(
            document=document,
            styles=reader.xml(rels.get("styles")),
            numbering=reader.xml(rels.get("numbering")),
            footnotes=reader.xml(rels.get("footnotes")),
            endnotes=reader.xml(rels.get("endnotes")),
            settings=reader.xml(rels.get("settings")),
            core=reader.xml(package_rels.get("core-properties", "docProps/core.xml")),
        )


def _ole_error(data: bytes, name: str) -> Exception:
    """An OLE compound file given as .docx: an encrypted package, a legacy .doc, or something else."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return EncryptedDocumentError(
            f"{name}: the Word file is password-protected (encrypted package)",
            hint="remove the password in Word (File > Info > Protect Document > Encrypt) and add it again",
        )
    if "WordDocument".encode("utf-16-le") in data:
        return UnsupportedFormatError(
            f"{name}: a Word 97-2003 .doc file, not a .docx",
            hint="add it with a .doc extension (it is read by the .doc converter), or save it as .docx",
        )
    return UnsupportedFormatError(
        f"{name}: an OLE compound file that is not a Word .docx", hint="give a Word .docx file"
    )


class _PartReader:
    """Reads parts of one open zip package by name (OPC names are case-insensitive)."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self._archive = archive
        self._name = name
        self._infos = {info.filename.lower(): info for info in archive.infolist()}

    def xml(self, part: str | None) -> etree._Element | None:
        """The part parsed, or None when the package has no such part."""
        info = self._infos.get(part.lower()) if part else None
        if info is None:
            return None
        if info.file_size > _MAX_PART_BYTES:
            raise UnreadableDocumentError(
                f"{self._name}: part {part} unzips to {info.file_size} bytes, more than a document holds",
                hint=_RESAVE,
            )
        try:
            raw = self._archive.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise UnreadableDocumentError(f"{self._name}: cannot unzip {part} ({exc})", hint=_RESAVE) from exc
        for strict, transitional in _STRICT:
            raw = raw.replace(strict, transitional)
        try:
            return etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise UnreadableDocumentError(
                f"{self._name}: {part} is not well-formed XML ({exc})", hint=_RESAVE
            ) from exc

    def relationships(self, part: str) -> dict[str, str]:
        """Relationship type (last path segment, e.g. ``styles``) -> target part name, for one part."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", f"{base}.rels"))
        targets: dict[str, str] = {}
        for rel in root.iter(f"{_REL}Relationship") if root is not None else ():
            kind = (rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1]
            target = rel.get("Target") or ""
            if rel.get("TargetMode") == "External" or not target or kind in targets:
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            targets[kind] = posixpath.normpath(path)
        return targets


# --- small readers ---------------------------------------------------------------------------------


def _val(parent: etree._Element | None, tag: str) -> str | None:
    """``w:val`` of the child ``w:tag`` of parent, if both exist."""
    child = parent.find(f"{W}{tag}") if parent is not None else None
    return child.get(f"{W}val") if child is not None else None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _flag(parent: etree._Element | None, tag: str) -> bool | None:
    """An on/off property (``<w:caps/>``, ``<w:caps w:val="0"/>``) of parent; None when unset."""
    child = parent.find(f"{W}{tag}") if parent is not None else None
    if child is None:
        return None
    return (child.get(f"{W}val") or "true").lower() not in ("0", "false", "off", "none")


def _symbol_char(code: int) -> str:
    """The character a Symbol-font code shows (``F0E3`` is ©), or "" for a glyph piece."""
    code = code - 0xF000 if 0xF000 <= code <= 0xF0FF else code
    if 0x20 <= code <= 0x7E:
        return _SYMBOL_LOW[code - 0x20].strip("\0")
    if 0xA0 <= code <= 0xFF:
        return _SYMBOL_HIGH[code - 0xA0].strip("\0")
    return ""


def _sym(font: str, code: int) -> str:
    """What ``<w:sym>`` shows: Symbol font decoded, other symbol fonts' private-use glyphs dropped."""
    if font.lower() == "symbol":
        return _symbol_char(code)
    return "" if 0xE000 <= code <= 0xF8FF else chr(code)


def _lang_code(tag: str | None) -> str | None:
    """ISO 639-1 from a language tag (``fr-FR`` -> ``fr``), None for anything else (``x-none``)."""
    primary = (tag or "").split("-")[0].split("_")[0].lower()
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


# --- styles ----------------------------------------------------------------------------------------


class _Styles:
    """Paragraph and character styles with what they pass on through ``basedOn``.

    Built once per conversion; resolved values are memoised per style id.
    """

    def __init__(self, root: etree._Element | None) -> None:
        self._by_id: dict[str, etree._Element] = {}
        self.default_paragraph: str | None = None
        self._defaults = None if root is None else root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self._memo: dict[tuple[str, object], object] = {}  # (what, style id or ids) -> resolved value
        for style in root.iter(f"{W}style") if root is not None else ():
            style_id = style.get(f"{W}styleId")
            if style_id is None:
                continue
            self._by_id[style_id] = style
            if style.get(f"{W}type") == "paragraph" and _flag_attr(style, "default"):
                self.default_paragraph = style_id

    def chain(self, style_id: str | None) -> list[etree._Element]:
        """The style and the styles it is based on, nearest first (cycles cut)."""
        found: list[etree._Element] = []
        while style_id and style_id in self._by_id and len(found) < 32:
            style = self._by_id[style_id]
            if any(style is seen for seen in found):
                break
            found.append(style)
            style_id = _val(style, "basedOn")
        return found

    def name(self, style_id: str | None) -> str:
        """The style's name, lower-cased (``heading 1``, ``toc 2``, ``call``)."""
        style = self._by_id.get(style_id or "")
        return (_val(style, "name") or style_id or "").strip().lower() if style is not None else ""

    def heading(self, style_id: str | None) -> int:
        """The heading level the style gives (1-9), or 0 for body text."""
        key = ("heading", style_id)
        if key not in self._memo:
            self._memo[key] = self._heading(style_id)
        return self._memo[key]  # type: ignore[return-value]

    def _heading(self, style_id: str | None) -> int:
        name = self.name(style_id)
        match = _HEADING_STYLE.match(name)
        if match:
            return int(match.group(1))
        if name == "title":
            return 1
        for style in self.chain(style_id):
            level = _int(_val(style.find(f"{W}pPr"), "outlineLvl"))
            if level is not None:
                return level + 1 if 0 <= level <= 8 else 0
        return 0

    def is_toc(self, style_id: str | None) -> bool:
        """True for table-of-contents and index entry styles."""
        return bool(_TOC_STYLE.match(self.name(style_id)))

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """The list (``numId``) and level a paragraph style puts its paragraphs in, if any."""
        for style in self.chain(style_id):
            numpr = style.find(f"{W}pPr/{W}numPr")
            if numpr is not None and _val(numpr, "numId") is not None:
                return _val(numpr, "numId"), _int(_val(numpr, "ilvl"))
        return None, None

    def numbering_style_list(self, style_id: str) -> str | None:
        """The ``numId`` of a numbering style (what ``w:numStyleLink`` points to)."""
        style = self._by_id.get(style_id)
        return _val(style.find(f"{W}pPr/{W}numPr"), "numId") if style is not None else None

    def run_property(self, style_ids: tuple[str | None, ...], get: Callable[[etree._Element | None], object]):
        """The first value ``get`` finds in the run properties of these styles' chains, then the defaults."""
        key = (getattr(get, "__name__", "get"), style_ids)
        if key not in self._memo:
            value = None
            for style_id in style_ids:
                for style in self.chain(style_id):
                    value = get(style.find(f"{W}rPr"))
                    if value is not None:
                        break
                if value is not None:
                    break
            self._memo[key] = value if value is not None else get(self._defaults)
        return self._memo[key]


def _flag_attr(element: etree._Element, attribute: str) -> bool:
    return (element.get(f"{W}{attribute}") or "0").lower() in ("1", "true", "on")


def _caps(rpr: etree._Element | None) -> bool | None:
    return _flag(rpr, "caps")


def _vanish(rpr: etree._Element | None) -> bool | None:
    return _flag(rpr, "vanish")


def _lang(rpr: etree._Element | None) -> str | None:
    lang = rpr.find(f"{W}lang") if rpr is not None else None
    return lang.get(f"{W}val") if lang is not None else None


def _font(rpr: etree._Element | None) -> str | None:
    fonts = rpr.find(f"{W}rFonts") if rpr is not None else None
    if fonts is None:
        return None
    return fonts.get(f"{W}ascii") or fonts.get(f"{W}hAnsi") or fonts.get(f"{W}cs")


# --- numbering -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Level:
    """One level of a Word list definition (``w:lvl``)."""

    fmt: str = "decimal"
    text: str | None = None
    start: int = 1
    restart: int | None = None  # lvlRestart: 1-based level whose use restarts this one; 0 never
    legal: bool = False  # isLgl: every number in the label written as a decimal
    font: str = ""
    style: str | None = None


def _level(lvl: etree._Element, base: _Level | None = None) -> _Level:
    """A ``w:lvl`` read over ``base`` (a level override only says what it changes)."""
    level = base or _Level()
    text = lvl.find(f"{W}lvlText")
    fonts = _font(lvl.find(f"{W}rPr"))
    return replace(
        level,
        fmt=_val(lvl, "numFmt") or level.fmt,
        text=text.get(f"{W}val", "") if text is not None else level.text,
        start=_first_int(_val(lvl, "start"), level.start),
        restart=_first_int(_val(lvl, "lvlRestart"), level.restart),
        legal=_flag(lvl, "isLgl") if _flag(lvl, "isLgl") is not None else level.legal,
        font=fonts if fonts is not None else level.font,
        style=_val(lvl, "pStyle") or level.style,
    )


def _first_int(text: str | None, default: int | None) -> int | None:
    value = _int(text)
    return default if value is None else value


@dataclass(frozen=True, slots=True)
class _List:
    """A numbering instance (``w:num``): the definition it counts in and what it overrides."""

    key: str  # the abstract definition whose counters it shares
    levels: dict[int, _Level]
    restarts: tuple[int, ...]  # levels with a startOverride: restarted where the instance is first used


class _Lists:
    """Word's automatic numbering: list definitions and the counters of one pass over the document.

    Word counts per abstract definition, so two ``w:num`` that share one continue each other's
    sequence; a ``w:num`` with a ``startOverride`` restarts that level where it is first used
    ("Restart at 1"). A level restarts when a higher level is used (or as ``lvlRestart`` says).
    """

    def __init__(self, root: etree._Element | None, styles: _Styles) -> None:
        self._abstract: dict[str, etree._Element] = {}
        self._nums: dict[str, etree._Element] = {}
        for element in root if root is not None else ():
            if element.tag == f"{W}abstractNum":
                self._abstract[element.get(f"{W}abstractNumId", "")] = element
            elif element.tag == f"{W}num":
                self._nums[element.get(f"{W}numId", "")] = element
        self._styles = styles
        self._resolved: dict[str, _List | None] = {}
        self._counters: dict[str, list[int | None]] = {}
        self._seen: set[str] = set()

    def level_of_style(self, num_id: str, style_id: str | None) -> int | None:
        """The level of this list that names the paragraph style (``w:lvl/w:pStyle``), if one does."""
        found = self._list(num_id)
        for ilvl, level in sorted(found.levels.items()) if found and style_id else ():
            if level.style == style_id:
                return ilvl
        return None

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Count one paragraph of list ``num_id`` at level ``ilvl`` and return its label as displayed."""
        found = self._list(num_id)
        level = found.levels.get(ilvl) if found else None
        if found is None or level is None or not 0 <= ilvl <= 8:
            return None
        counters = self._counters.setdefault(found.key, [None] * 9)
        if num_id not in self._seen:
            self._seen.add(num_id)
            for restarted in found.restarts:
                counters[restarted] = None
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            below = found.levels.get(deeper)
            restart_after = below.restart if below is not None and below.restart is not None else deeper
            if ilvl < restart_after:
                counters[deeper] = None
        return _render_label(level, found.levels, counters)

    def _list(self, num_id: str) -> _List | None:
        if num_id not in self._resolved:
            self._resolved[num_id] = self._resolve(num_id)
        return self._resolved[num_id]

    def _resolve(self, num_id: str, depth: int = 0) -> _List | None:
        num = self._nums.get(num_id)
        key = _val(num, "abstractNumId")
        abstract = self._abstract.get(key or "")
        if num is None or key is None or abstract is None or depth > 4:
            return None
        link = _val(abstract, "numStyleLink")
        linked_num = self._styles.numbering_style_list(link) if link else None
        if linked_num and linked_num != num_id:
            linked = self._resolve(linked_num, depth + 1)
            key, levels = (linked.key, dict(linked.levels)) if linked else (key, {})
        else:
            levels = {_int(lvl.get(f"{W}ilvl")) or 0: _level(lvl) for lvl in abstract.iter(f"{W}lvl")}
        restarts = []
        for override in num.iter(f"{W}lvlOverride"):
            ilvl = _int(override.get(f"{W}ilvl")) or 0
            if not 0 <= ilvl <= 8:
                continue
            lvl = override.find(f"{W}lvl")
            if lvl is not None:
                levels[ilvl] = _level(lvl, levels.get(ilvl))
            start = _int(_val(override, "startOverride"))
            if start is not None:
                levels[ilvl] = replace(levels.get(ilvl, _Level()), start=start)
                restarts.append(ilvl)
        return _List(key=key, levels=levels, restarts=tuple(restarts))


def _render_label(level: _Level, levels: dict[int, _Level], counters: list[int | None]) -> str | None:
    """The label text: ``lvlText`` with each ``%N`` replaced by level N's number in its format."""
    if level.fmt == "bullet":
        return _bullet(level.text or "", level.font)
    if not level.text:
        return None

    def number(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        other = levels.get(index, _Level())
        value = counters[index]
        if value is None:  # a higher level never used: Word shows one less than its start ("0.1")
            value = max(other.start - 1, 0)
        fmt = "decimal" if level.legal and other.fmt not in ("none", "bullet") else other.fmt
        return format_number(value, fmt)

    return re.sub(r"%([1-9])", number, level.text).strip() or None


def _bullet(text: str, font: str) -> str:
    """A bullet level's symbol as a character: Symbol-font codes decoded, other symbol fonts "•"."""
    if not text:
        return _BULLET
    code = ord(text[0])
    if font.lower() == "symbol":
        char = _symbol_char(code)
    elif 0xE000 <= code <= 0xF8FF or font.lower().startswith(("wingdings", "webdings", "zapf")):
        char = _BULLET
    else:
        char = text.strip()
    return char.strip() or _BULLET


_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)
_CHICAGO = "*†‡§"


def _roman(value: int) -> str:
    if not 0 < value < 4000:
        return str(value)
    out = []
    for amount, letters in _ROMAN:
        count, value = divmod(value, amount)
        out.append(letters * count)
    return "".join(out)


def _letters(value: int) -> str:
    """Word's alphabetic numbering: a..z, then aa..zz, aaa..."""
    if value <= 0:
        return str(value)
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def _ordinal(value: int) -> str:
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
    "ordinal": _ordinal,
    "decimalEnclosedParen": lambda n: f"({n})",
    "decimalEnclosedFullstop": lambda n: f"{n}.",
    "decimalEnclosedCircle": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "decimalFullWidth": lambda n: "".join(chr(0xFF10 + int(d)) for d in str(n)) if n >= 0 else str(n),
    "chicago": lambda n: _CHICAGO[(n - 1) % 4] * ((n - 1) // 4 + 1) if n > 0 else str(n),
    "none": lambda n: "",
}


def format_number(value: int, fmt: str) -> str:
    """A list or note number in a Word number format (``lowerLetter`` 27 -> ``aa``); unknown: decimal."""
    return _FORMATS.get(fmt, str)(value)


# --- the walk --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Para:
    text: str
    label: str | None = None
    heading: int = 0
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Table:
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _TocEntry:
    """Where a table-of-contents paragraph was left out (its title, just before, goes too)."""


_Block = _Para | _Table | _TocEntry


@dataclass(slots=True)
class _Inline:
    """What one paragraph's runs have given so far."""

    parts: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    floating: list[_Block] = field(default_factory=list)  # text boxes anchored in the paragraph
    pending: tuple[str, str, str] | None = None  # a custom-mark note call: kind, id, the mark so far
    in_toc: bool = False


@dataclass(slots=True)
class _Field:
    """An open field (``fldChar`` begin ... separate ... end): its code is never text."""

    code: list[str]
    result: bool = False  # past ``separate``: the shown result
    skip: bool = False  # a result left out (TOC, page numbers)
    toc: bool = False


class _Notes:
    """Footnotes or endnotes: the note elements and the automatic marks in calling order."""

    def __init__(
        self, root: etree._Element | None, kind: str, properties: list[etree._Element | None]
    ) -> None:
        self._elements = {}
        for note in root if root is not None else ():
            if note.tag == f"{W}{kind}" and note.get(f"{W}type") in (None, "normal"):
                self._elements[note.get(f"{W}id")] = note
        self._format = "lowerRoman" if kind == "endnote" else "decimal"
        self._next = 1
        for prop in properties:  # settings first, then the section: the later wins
            self._format = _val(prop, "numFmt") or self._format
            self._next = _int(_val(prop, "numStart")) or self._next

    def element(self, note_id: str | None) -> etree._Element | None:
        return self._elements.get(note_id)

    def next_mark(self) -> str:
        mark = format_number(self._next, self._format)
        self._next += 1
        return mark


_INLINE_WRAPPERS = frozenset(
    f"{W}{tag}" for tag in ("hyperlink", "ins", "moveTo", "smartTag", "customXml", "dir", "bdo", "sdtContent")
)
_BLOCK_WRAPPERS = frozenset(f"{W}{tag}" for tag in ("customXml", "ins", "moveTo", "sdtContent"))
# A custom note mark: symbols that may go on over several runs ("*", "*"), or one short word ("a", "1").
_SYMBOL_MARK = re.compile(r"[*†‡§¶#]{1,10}")
_MARK = re.compile(r"[*†‡§¶#]{1,10}|[^\s,.;:!?)\]}\"'»*†‡§¶#]{1,10}")
_SPACE_LIKE = " \u00a0\u2002\u2003\u2007\u2009\u202f"
_RUN_TEXT = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


def _branch(alternate: etree._Element) -> etree._Element | None:
    """The branch of ``mc:AlternateContent`` to read (both branches hold the same content)."""
    for branch in alternate:
        if branch.tag in (f"{_MC}Choice", f"{_MC}Fallback"):
            return branch
    return None


def _run_children(children: Iterable[etree._Element]) -> Iterator[etree._Element]:
    """A run's children, with alternate content replaced by one of its branches."""
    for child in children:
        if child.tag == f"{_MC}AlternateContent":
            branch = _branch(child)
            yield from _run_children(branch if branch is not None else ())
        else:
            yield child


def _text_boxes(element: etree._Element) -> Iterator[etree._Element]:
    """The ``w:txbxContent`` inside a drawing or VML shape, each once (one branch of alternate content)."""
    branch = _branch(element) if element.tag == f"{_MC}AlternateContent" else element
    for child in branch if branch is not None else ():
        if child.tag == f"{W}txbxContent":
            yield child
        elif child.tag != f"{_MC}Fallback":
            yield from _text_boxes(child)


def _field_skipped(code: str) -> tuple[bool, bool]:
    """(skip the result, is a table of contents) for a field code such as ``TOC \\o "1-3"``."""
    word = code.strip().split(" ", 1)[0].upper() if code.strip() else ""
    return word in _SKIPPED_FIELDS, word == "TOC"


class _Walker:
    """One pass over a document's stories, in reading order, building blocks of reading text."""

    def __init__(self, package: _Package) -> None:
        self.styles = _Styles(package.styles)
        self.lists = _Lists(package.numbering, self.styles)
        section = package.document.find(f"{W}body/{W}sectPr")
        self.notes = {
            kind: _Notes(
                getattr(package, f"{kind}s"),
                kind,
                [
                    None if package.settings is None else package.settings.find(f"{W}{kind}Pr"),
                    None if section is None else section.find(f"{W}{kind}Pr"),
                ],
            )
            for kind in ("footnote", "endnote")
        }
        self.fields: list[_Field] = []
        self.langs: Counter[str] = Counter()
        self.warnings: list[str] = []

    def blocks(self, container: etree._Element) -> list[_Block]:
        """The blocks of a body, cell, text box, content control or note, in order."""
        out: list[_Block] = []
        for child in container:
            tag = child.tag
            if tag == f"{W}p":
                out.extend(self.paragraph(child))
            elif tag == f"{W}tbl":
                out.extend(self.table(child))
            elif tag == f"{W}sdt":
                out.extend(self.content_control(child))
            elif tag in _BLOCK_WRAPPERS:
                out.extend(self.blocks(child))
            elif tag == f"{_MC}AlternateContent" and _branch(child) is not None:
                out.extend(self.blocks(_branch(child)))
            elif tag == f"{W}altChunk":
                self.warn("a part imported into the document (altChunk) was left out")
        return out

    def content_control(self, sdt: etree._Element) -> list[_Block]:
        """A block content control: its content, unless it is a table of contents or a placeholder."""
        props = sdt.find(f"{W}sdtPr")
        gallery = _val(props.find(f"{W}docPartObj") if props is not None else None, "docPartGallery") or ""
        content = sdt.find(f"{W}sdtContent")
        if "table of contents" in gallery.lower():
            return [_TocEntry()]
        if content is None or (props is not None and props.find(f"{W}showingPlcHdr") is not None):
            return []
        return self.blocks(content)

    def paragraph(self, paragraph: etree._Element) -> list[_Block]:
        """One paragraph (and the text boxes anchored in it, after it)."""
        props = paragraph.find(f"{W}pPr")
        style_id = _val(props, "pStyle") or self.styles.default_paragraph
        buffer = _Inline()
        self.inline(paragraph, buffer, style_id)
        self.finish_call(buffer)
        if any(not open_field.result for open_field in self.fields):
            # A field code does not run past its paragraph; one that seems to (a damaged file, a lost
            # "end") would hide the rest of the document, so it is closed here.
            self.fields = [open_field for open_field in self.fields if open_field.result]
        text = "".join(buffer.parts)
        if self.styles.is_toc(style_id) or (buffer.in_toc and not _has_words(text)):
            return [_TocEntry(), *buffer.floating]
        label = self.number(props, style_id)
        if not _has_words(text):
            return buffer.floating
        outline = _int(_val(props, "outlineLvl"))
        heading = (
            self.styles.heading(style_id) if outline is None else (outline + 1 if 0 <= outline <= 8 else 0)
        )
        if label is None:
            label, text = split_typed_label(text, heading=bool(heading))
        para = _Para(text=text, label=label, heading=heading, notes=tuple(buffer.notes))
        return [para, *buffer.floating]

    def number(self, props: etree._Element | None, style_id: str | None) -> str | None:
        """The automatic number of a paragraph (its own ``numPr`` or its style's), counted."""
        numpr = props.find(f"{W}numPr") if props is not None else None
        num_id, ilvl = _val(numpr, "numId"), _int(_val(numpr, "ilvl"))
        if num_id is None:
            num_id, style_ilvl = self.styles.numbering(style_id)
            ilvl = style_ilvl if ilvl is None else ilvl
        if not num_id or num_id == "0":
            return None
        if ilvl is None:
            ilvl = self.lists.level_of_style(num_id, style_id) or 0
        return self.lists.label(num_id, ilvl)

    def inline(self, parent: etree._Element, buffer: _Inline, style_id: str | None) -> None:
        """The runs of a paragraph or of an inline wrapper (hyperlink, insertion, field, control)."""
        for child in parent:
            tag = child.tag
            if tag == f"{W}r":
                self.run(child, buffer, style_id)
            elif tag in _INLINE_WRAPPERS:
                self.inline(child, buffer, style_id)
            elif tag == f"{W}sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None and child.find(f"{W}sdtPr/{W}showingPlcHdr") is None:
                    self.inline(content, buffer, style_id)
            elif tag == f"{W}fldSimple":
                code = child.get(f"{W}instr") or ""
                skip, toc = _field_skipped(code)
                self.fields.append(_Field([code], result=True, skip=skip, toc=toc))
                self.inline(child, buffer, style_id)
                self.fields.pop()
            elif tag == f"{_MC}AlternateContent" and _branch(child) is not None:
                self.inline(_branch(child), buffer, style_id)
            elif tag in (f"{_MATH}oMathPara", f"{_MATH}oMath") and not self.hidden(buffer):
                buffer.parts.append("".join(t.text or "" for t in child.iter(f"{_MATH}t")))

    def hidden(self, buffer: _Inline) -> bool:
        """True inside a field's code or a left-out field result (noting a table of contents)."""
        for open_field in self.fields:
            if not open_field.result or open_field.skip:
                buffer.in_toc = buffer.in_toc or open_field.toc
                return True
        return False

    def field_char(self, char: etree._Element) -> None:
        kind = char.get(f"{W}fldCharType")
        if kind == "begin":
            self.fields.append(_Field([]))
        elif kind == "separate" and self.fields:
            current = self.fields[-1]
            current.result = True
            current.skip, current.toc = _field_skipped("".join(current.code))
        elif kind == "end" and self.fields:
            self.fields.pop()

    def run(self, run: etree._Element, buffer: _Inline, style_id: str | None) -> None:
        """One run's text: tabs, breaks, symbols, note calls; field codes and hidden text left out."""
        props = run.find(f"{W}rPr")
        styles = (_val(props, "rStyle"), style_id)
        vanish = _vanish(props)
        hidden = vanish if vanish is not None else bool(self.styles.run_property(styles, _vanish))
        caps = _caps(props)
        caps = caps if caps is not None else bool(self.styles.run_property(styles, _caps))
        symbol_font = (_font(props) or "").lower() == "symbol"
        lang = _lang(props) or self.styles.run_property(styles, _lang)
        for child in _run_children(run):
            tag = child.tag
            if tag == f"{W}fldChar":
                self.field_char(child)
            elif tag == f"{W}instrText":
                if self.fields and not self.fields[-1].result:
                    self.fields[-1].code.append(child.text or "")
            elif hidden or self.hidden(buffer):
                continue
            elif tag in (f"{W}footnoteReference", f"{W}endnoteReference"):
                self.note_call(child, buffer, "footnote" if tag == f"{W}footnoteReference" else "endnote")
            elif tag in (f"{W}drawing", f"{W}pict", f"{W}object"):
                buffer.floating.extend(self.text_box_blocks(child))
            else:
                text = _run_text(child, symbol_font)
                if text and buffer.pending is not None:
                    text = self.custom_mark(buffer, text)
                if text:
                    buffer.parts.append(text.upper() if caps else text)
                    if isinstance(lang, str):
                        self.langs[lang] += len(text)

    def note_call(self, reference: etree._Element, buffer: _Inline, kind: str) -> None:
        note_id = reference.get(f"{W}id")
        if _flag_attr(reference, "customMarkFollows"):
            self.finish_call(buffer)
            buffer.pending = (kind, note_id or "", "")
        else:
            self.add_call(buffer, kind, note_id or "", self.notes[kind].next_mark())

    def custom_mark(self, buffer: _Inline, text: str) -> str:
        """Take a custom note mark (``*``, ``**``, ``a``) from the text after its call; return the rest.

        Word keeps the mark as ordinary text after the reference, sometimes split over runs ("*", "*"):
        symbol marks go on over the next pieces, anything else ends at the first space or punctuation.
        """
        kind, note_id, mark = buffer.pending or ("footnote", "", "")
        taken = (_SYMBOL_MARK if mark else _MARK).match(text)
        if taken:
            mark, text = mark + taken.group(0), text[taken.end() :]
        buffer.pending = (kind, note_id, mark)
        if text or not _SYMBOL_MARK.fullmatch(mark):
            self.finish_call(buffer)
        return text

    def finish_call(self, buffer: _Inline) -> None:
        """Write the call of a custom-mark note whose mark is complete (``*`` if it had none)."""
        if buffer.pending is not None:
            kind, note_id, mark = buffer.pending
            buffer.pending = None
            self.add_call(buffer, kind, note_id, mark or "*")

    def add_call(self, buffer: _Inline, kind: str, note_id: str, mark: str) -> None:
        buffer.parts.append(footnote_call(mark))
        buffer.notes.append((mark, self.note_text(kind, note_id, mark)))

    def note_text(self, kind: str, note_id: str, mark: str) -> str:
        """A note's words on one line, without the mark it repeats at its start."""
        note = self.notes[kind].element(note_id)
        if note is None:
            self.warn(f"{kind} {note_id} is called in the text but missing from the file")
            return ""
        text = clean_inline(" ".join(_block_text(block) for block in self.story(note)))
        for _ in range(2):  # the mark the note repeats, twice in some converted files ("1<TAB>1 ", "**<TAB>")
            rest = text[len(mark) :] if text.startswith(mark) else None
            if rest is not None and (not rest or rest[0].isspace() or _SYMBOL_MARK.match(rest)):
                text = rest.lstrip()
        return text

    def story(self, container: etree._Element) -> list[_Block]:
        """The blocks of a separate story (note, text box): its fields are its own."""
        saved, self.fields = self.fields, []
        try:
            return self.blocks(container)
        finally:
            self.fields = saved

    def text_box_blocks(self, element: etree._Element) -> list[_Block]:
        return [block for box in _text_boxes(element) for block in self.story(box)]

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            logger.debug("docx: %s", message)
            self.warnings.append(message)

    def table(self, table: etree._Element) -> list[_Block]:
        """A table as rows of cell texts; a one-column table (a frame) as the blocks it holds."""
        rows: list[list[list[_Block]]] = []
        for row in _children(table, "tr"):
            if row.find(f"{W}trPr/{W}del") is not None:
                continue
            cells: list[list[_Block]] = [
                [] for _ in range(_int(_val(row.find(f"{W}trPr"), "gridBefore")) or 0)
            ]
            for cell in _children(row, "tc"):
                props = cell.find(f"{W}tcPr")
                merge = props.find(f"{W}vMerge") if props is not None else None
                continued = merge is not None and merge.get(f"{W}val", "continue") != "restart"
                cells.append([] if continued else self.blocks(cell))
                cells.extend([] for _ in range(max(1, _int(_val(props, "gridSpan")) or 1) - 1))
            rows.append(cells)
        width = max((len(row) for row in rows), default=0)
        if width <= 1:
            return [block for row in rows for cell in row for block in cell]
        notes = tuple(note for row in rows for cell in row for block in cell for note in _block_notes(block))
        texts = tuple(tuple(_cell_text(cell) for cell in row) + ("",) * (width - len(row)) for row in rows)
        return [_Table(rows=texts, notes=notes)]


def _children(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Children ``w:tag`` of parent, also those wrapped in content controls, custom XML or insertions."""
    for child in parent:
        if child.tag == f"{W}{tag}":
            yield child
        elif child.tag in _BLOCK_WRAPPERS or child.tag == f"{W}sdt":
            yield from _children(child, tag)


def _run_text(child: etree._Element, symbol_font: bool) -> str:
    """The text one run child shows (``w:t``, tab, break, hyphen, symbol); "" for everything else."""
    tag = child.tag
    if tag == f"{W}t":
        text = child.text or ""
        return "".join(_symbol_char(ord(c)) for c in text) if symbol_font else text
    if tag == f"{W}sym":
        code = _int_hex(child.get(f"{W}char"))
        return _sym(child.get(f"{W}font") or "", code) if code is not None else ""
    return _RUN_TEXT.get(tag, "")


def _int_hex(text: str | None) -> int | None:
    try:
        return int(text, 16) if text else None
    except ValueError:
        return None


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _block_notes(block: _Block) -> tuple[tuple[str, str], ...]:
    return block.notes if isinstance(block, _Para | _Table) else ()


def _block_text(block: _Block) -> str:
    """A block as one line of text (inside a note or a table cell)."""
    if isinstance(block, _Para):
        text = clean_inline(block.text)
        return f"{block.label} {text}" if block.label else text
    if isinstance(block, _Table):
        return "\n".join("; ".join(cell for cell in row if cell) for row in block.rows)
    return ""


def _cell_text(blocks: list[_Block]) -> str:
    """A cell's paragraphs, one a line (``ReadingText.table`` joins them with ``<br>``)."""
    return "\n".join(line for line in (_block_text(block) for block in blocks) if line)


# Typed labels that are labels whatever space follows them ("1.3.2 ", "a) ", "(iv) ", "1. ", "– ") and
# those that are only when set apart by two spaces, a no-break space or in a heading ("1 Scope", "1.2").
_STRONG_LABEL = r"\d+(?:\.\d+){2,}\.?|\(?[A-Za-z]\)|\(?\d{1,3}\)|\(?[ivxlcdm]{1,7}\)|\d{1,3}\.|[–—•▪‣◦-]"
_WEAK_LABEL = r"\d{1,3}(?:\.\d+)?|[A-Z](?:\.\d+)+"
_TYPED_LABEL = re.compile(
    rf"^(?P<label>{_STRONG_LABEL}|{_WEAK_LABEL})(?P<gap>[{_SPACE_LIKE}]+)(?=[^\s{_SPACE_LIKE}])"
)


def split_typed_label(text: str, *, heading: bool) -> tuple[str | None, str]:
    """Split a label typed before the words with spaces only ("a)  that") so it ends with a TAB.

    A label typed with a TAB is already in reading-text form and is left in the text.
    """
    stripped = text.lstrip(" \t\r\n")
    match = _TYPED_LABEL.match(stripped)
    if match is None:
        return None, text
    label, gap = match.group("label"), match.group("gap")
    strong = re.fullmatch(_STRONG_LABEL, label) is not None
    if strong or heading or len(gap) >= 2 or gap != " ":
        return label, stripped[match.end() :]
    return None, text


def _drop_toc(blocks: list[_Block]) -> list[_Block]:
    """Leave out table-of-contents entries and the short title just before them ("Contents")."""
    out: list[_Block] = []
    for block in blocks:
        if isinstance(block, _TocEntry) and out and isinstance(out[-1], _Para) and _is_toc_title(out[-1]):
            out.pop()
        out.append(block)
    return [block for block in out if not isinstance(block, _TocEntry)]


def _is_toc_title(para: _Para) -> bool:
    text = clean_inline(para.text)
    return not para.label and not para.notes and len(text.split()) <= 4 and not re.search(r"[\d\t]", text)


def _write(blocks: list[_Block], out: ReadingText) -> None:
    for block in blocks:
        if isinstance(block, _Para):
            out.paragraph(block.text, label=block.label, heading=block.heading)
        elif isinstance(block, _Table):
            out.table(block.rows)
        for mark, note in _block_notes(block):
            out.footnote(mark, note)


def _metadata(package: _Package, walker: _Walker) -> dict[str, str]:
    """Title, author and language the file states (``docProps/core.xml``, else the text's languages)."""
    meta: dict[str, str] = {}
    core = package.core
    for key, tag in (("title", "title"), ("author", "creator")):
        value = clean_inline(core.findtext(f"{_DC}{tag}") or "") if core is not None else ""
        if _has_words(value):
            meta[key] = value
    lang = _lang_code(core.findtext(f"{_DC}language") if core is not None else None)
    votes = Counter[str]()
    for tag, count in walker.langs.items():
        code = _lang_code(tag)
        if code:
            votes[code] += count
    lang = lang or (votes.most_common(1)[0][0] if votes else None)
    lang = lang or _lang_code(walker.styles.run_property((walker.styles.default_paragraph,), _lang))  # type: ignore[arg-type]
    if lang:
        meta["lang"] = lang
    return meta


def convert_docx(data: bytes, *, name: str) -> Converted:
    """Turn the bytes of a Word .docx into reading text (see the module docstring).

    Raises:
        UnsupportedFormatError: not a zip package, or a zip that is no Word document (a .doc, .xlsx).
        EncryptedDocumentError: a password-protected file (an OLE ``EncryptedPackage``).
        UnreadableDocumentError: a damaged zip or part.
    """
    package = _open_package(data, name)
    walker = _Walker(package)
    body = package.document.find(f"{W}body")
    try:
        blocks = _drop_toc(walker.blocks(body)) if body is not None else []
    except RecursionError as exc:
        raise UnreadableDocumentError(f"{name}: the document nests too deeply to read", hint=_RESAVE) from exc
    out = ReadingText()
    _write(blocks, out)
    text = out.text()
    if not text:
        walker.warn("no text found in the document body (images only?)")
    return Converted(
        text=text,
        format=SourceFormat.DOCX,
        metadata=_metadata(package, walker),
        warnings=tuple(walker.warnings),
    )

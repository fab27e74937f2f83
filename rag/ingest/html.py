"""Web pages (``.html``, ``.htm``) to reading text: the main content, in reading order, as a reader sees it.

Pages of the genre are UN and ITU pages of resolutions and outcome documents, and long reports
rendered to one HTML file (Metanorma). What the reader of the page sees is written in the reading
text layout (``rag.ingest.reading``):

- **Main content only**: ``<main>`` (or ``role=main``, or the one ``<article>``) when the page has
  one, else the body; navigation, header and footer chrome, scripts, styles, forms, hidden elements,
  cookie banners, "skip to content" links and tables of contents (``<nav>``, ``toc`` ids and classes,
  lists made only of links to places on the page) are left out.
- **Headings** ``h1``-``h6`` keep their level as ``#`` marks, a typed number split off as the label.
- **Lists**: ``<ol>`` items get the number the browser shows (``start``, ``type``, ``value``,
  ``reversed`` and an inline ``list-style-type`` respected; CSS counters cannot be known), ``<ul>``
  items ``•``. A label typed in the item's own text (``(a)``, ``1.``) wins over the generated one, as
  pages that type labels hide the markers.
- **Typed labels** at the start of a paragraph (``1.1.1 Text``, ``a) that``, ``(i) the``) are split off.
- ``<br>`` inside a paragraph is a space; two ``<br>`` in a row end a paragraph (pages that lay out
  paragraphs with breaks instead of ``<p>``).
- **Tables** become rows; a one-column table (a box or layout frame) is read as its paragraphs.
- **Footnotes** (Metanorma ``a.FootnoteRef``/``aside.footnote``, pandoc and generic ``<sup><a
  href="#fn1">``, ``<aside>``, ``<section class="footnotes">``, ``role=doc-footnote``/``doc-noteref``,
  Word's ``#_ftn1``) become ``[^mark]`` calls and ``[^mark]: text`` notes after the calling paragraph.
- Figure captions are kept as paragraphs; images are dropped.

The parser is lxml's HTML parser (libxml2): measured against selectolax (Lexbor) and trafilatura in
``bench/ingest_web.py``; trafilatura's main-content extraction drops the footnotes and keeps source
line wraps, and lxml's tree (with ``tail`` text) makes the block/inline walk simple and is the parser
the Akoma Ntoso converter uses too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

import lxml.html
from lxml import etree

from rag.errors import UnreadableDocumentError, UnsupportedFormatError
from rag.ingest.base import Converted, SourceFormat
from rag.ingest.reading import Block, ReadingText, clean_inline, footnote_call
from rag.ingest.text import iso639_1, split_typed_label

logger = logging.getLogger(__name__)

# Never content: code, styling, embedded media and interactive controls.
_DROP_TAGS = frozenset(
    "script style noscript template svg math iframe object embed canvas audio video img picture map "
    "area source track link meta head title button input select textarea option label form nav "
    "dialog base param".split()
)
# Elements that make their own paragraphs; everything else is inline (its text joins the paragraph).
_BLOCK_TAGS = frozenset(
    "p div section article main aside header footer blockquote ul ol li dl dt dd table thead tbody "
    "tfoot tr td th caption figure figcaption h1 h2 h3 h4 h5 h6 pre hr address fieldset details "
    "summary center hgroup body html menu".split()
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# ARIA landmarks and roles that are page chrome, not the document.
_CHROME_ROLES = frozenset(
    "navigation banner contentinfo search dialog alertdialog menubar menu toolbar".split()
)
# class/id words of chrome: tables of contents, menus, breadcrumbs, cookie banners, share bars.
_CHROME_WORDS = frozenset(
    "toc tableofcontents table-of-contents breadcrumb breadcrumbs skip-link skiplink skip-links "
    "cookie cookies cookie-banner consent gdpr navbar nav-bar menu mainmenu main-menu sidebar "
    "share sharing social-share print-link back-to-top".split()
)
_SKIP_LINK = re.compile(
    r"^\s*(skip to|skip navigation|jump to|go to) (main |the )?(content|navigation|main)", re.I
)
# Word's "Save as HTML" tab stops: the label separator of "1<tab>to provide".
_MSO_TAB = re.compile(r"mso-tab-count", re.I)
_FOOTNOTE_WORD = re.compile(r"foot[-_ ]?note|end[-_ ]?note|(^|[^a-z])(fn|ftn)([^a-z]|$)|noteref", re.I)
_WS = re.compile(r"[ \t\r\n\f]+")
_DOUBLE_BREAK = re.compile(r"\n[ \u00a0]*\n")
_CHARSET_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_LOOKS_HTML = re.compile(
    r"<(!doctype\s+html|html|head|body|p|div|h[1-6]|table|title|article|main|section|span|ul|ol|br)\b", re.I
)
_BINARY_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP container (Word .docx or similar)",
    b"\xd0\xcf\x11\xe0": "an OLE file (Word .doc or similar)",
    b"{\\rtf": "an RTF file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}
_LIST_TYPES = {
    "1": "decimal", "a": "lower-alpha", "A": "upper-alpha", "i": "lower-roman", "I": "upper-roman",
    "lower-latin": "lower-alpha", "upper-latin": "upper-alpha",
}  # fmt: skip
_LIST_STYLE = re.compile(r"list-style(?:-type)?\s*:\s*([a-z-]+)", re.I)


def convert_html(data: bytes, *, name: str) -> Converted:
    """Read a web page's main content as reading text.

    Args:
        data: the file's bytes.
        name: the file's name, for messages.

    Returns:
        The reading text with metadata hints from ``<title>``, ``<meta>`` (description, author,
        ``DC.*``) and ``<html lang>``.

    Raises:
        UnsupportedFormatError: the bytes are not HTML (a PDF or Word file renamed, plain text).
        UnreadableDocumentError: the page has no readable text in its main content.

    Example:
        >>> page = b"<html><body><h2>1.1 Scope</h2><ol type='a'><li>that it applies</li></ol></body></html>"
        >>> print(convert_html(page, name="x.html").text.replace("\\t", "<TAB>"), end="")
        ## 1.1<TAB>Scope
        <BLANKLINE>
        a.<TAB>that it applies
    """
    text, charset = _decode(data, name)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnsupportedFormatError(
            f"{name}: not readable as HTML ({exc})", hint="check that the file is a web page saved as HTML"
        ) from exc
    metadata = _metadata(root)
    content = _content_root(root)
    notes = _collect_footnotes(root)
    _prune(content, notes)
    walker = _Walker(notes)
    walker.container(content)
    out = walker.reading_text()
    reading = out.text()
    if not reading.strip():
        raise UnreadableDocumentError(
            f"{name}: the page has no text in its main content",
            hint="save the page after it has loaded (a page built by scripts has no text in its HTML)",
        )
    warnings = [f"{name}: read as {charset}"] if charset not in ("utf-8", "utf_8") else []
    return Converted(text=reading, format=SourceFormat.HTML, metadata=metadata, warnings=tuple(warnings))


# --- bytes to a tree ------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """The page as text and the charset used: the BOM, else the meta tag, else UTF-8 (else cp1252)."""
    head = data[:8].lstrip()
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise UnsupportedFormatError(
                f"{name}: this is {what}, not HTML", hint="rename it with its real extension and add it again"
            )
    charset = _charset(data)
    try:
        text = data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        try:
            text, charset = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, charset = data.decode("cp1252", errors="replace"), "cp1252"
    text = text.lstrip("\ufeff")
    sample = text[:200_000]
    if "\x00" in sample[:4096] or not _LOOKS_HTML.search(sample):
        raise UnsupportedFormatError(
            f"{name}: no HTML markup found", hint="add plain text as .txt, or save the page as HTML"
        )
    # lxml refuses text that still declares an encoding in an XML declaration (XHTML files).
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text), charset


def _charset(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    match = _CHARSET_META.search(data[:4096])
    if match:
        charset = match.group(1).decode("ascii", "replace").lower()
        # Browsers read a page labelled Latin-1 as windows-1252 (WHATWG Encoding), and so do we.
        return "cp1252" if charset in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii") else charset
    return "utf-8"


# --- metadata -------------------------------------------------------------------------------------


def _metadata(root: etree._Element) -> dict[str, str]:
    """Hints from the head: title, description, author, Dublin Core date/identifier/language, html lang."""
    meta: dict[str, str] = {}
    head = root.find("head")
    title = head.find("title") if head is not None else None
    if title is not None and clean_inline(title.text_content()):
        meta["title"] = clean_inline(title.text_content())
    names: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("http-equiv") or "").strip().lower()
        value = clean_inline(el.get("content") or "")
        if key and value and key not in names:
            names[key] = value
    for key, target in (
        ("dc.title", "title"), ("dcterms.title", "title"), ("og:title", "title"),
        ("description", "description"), ("dc.description", "description"),
        ("author", "author"), ("dc.creator", "author"), ("dcterms.creator", "author"),
        ("dc.identifier", "symbol"), ("dcterms.identifier", "symbol"),
    ):  # fmt: skip
        if key in names and target not in meta:
            meta[target] = names[key]
    for key in ("dc.date", "dcterms.date", "dcterms.issued", "dc.date.issued", "article:published_time"):
        date = _iso_date(names.get(key, ""))
        if date:
            meta["date"] = date
            break
    lang = iso639_1(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang"))
    lang = lang or iso639_1(names.get("content-language")) or iso639_1(names.get("dc.language"))
    if lang:
        meta["lang"] = lang
    return meta


def _iso_date(value: str) -> str | None:
    match = re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?", value.strip())
    if not match:
        return None
    return "-".join(part for part in match.groups() if part)


# --- what to read ---------------------------------------------------------------------------------


def _content_root(root: etree._Element) -> etree._Element:
    """The page's main content: the one ``<main>`` / ``role=main`` / ``<article>``, else the body."""
    for path in ("//main", "//*[@role='main']", "//article"):
        found = [el for el in root.xpath(path) if clean_inline(el.text_content())]
        if len(found) == 1:
            return found[0]
    body = root.find("body")
    return body if body is not None else root


def _classes(el: etree._Element) -> set[str]:
    words = f"{el.get('class') or ''} {el.get('id') or ''}".lower().split()
    return {w.replace("_", "-") for w in words}


def _is_chrome(el: etree._Element) -> bool:
    """Whether an element is page furniture (menus, banners, TOC, hidden parts), not the document."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("header", "footer") and not _inside(el, ("article", "main", "section", "aside")):
        return True
    role = (el.get("role") or "").lower()
    if role in _CHROME_ROLES or role == "doc-toc" or el.get("hidden") is not None:
        return True
    if (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    if _classes(el) & _CHROME_WORDS:
        return True
    if tag == "a" and (el.get("href") or "").startswith("#") and _SKIP_LINK.match(el.text_content() or ""):
        return True
    return tag in ("ul", "ol") and _is_link_list(el)


def _inside(el: etree._Element, tags: tuple[str, ...]) -> bool:
    return any(anc.tag in tags for anc in el.iterancestors())


def _is_link_list(el: etree._Element) -> bool:
    """A table of contents: three or more items, each nothing but a link to a place on this page."""
    items = [li for li in el if li.tag == "li"]
    if len(items) < 3:
        return False
    for li in items:
        links = [a for a in li.iter("a") if (a.get("href") or "").startswith("#")]
        own = clean_inline(li.text_content())
        linked = clean_inline(" ".join(a.text_content() for a in links))
        if not links or len(own) > len(linked) + 12:
            return False
    return True


def _prune(content: etree._Element, notes: _Notes) -> None:
    """Remove chrome and footnote definitions from the content tree (notes are written at their calls)."""
    doomed = [el for el in content.iter() if isinstance(el.tag, str) and el is not content and _is_chrome(el)]
    doomed.extend(el for el in notes.definitions if _within(el, content))
    for el in doomed:
        if el.getparent() is not None:
            _remove_keep_tail(el)


def _within(el: etree._Element, root: etree._Element) -> bool:
    return el is root or any(anc is root for anc in el.iterancestors())


def _remove_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# --- footnotes ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Notes:
    """Footnote calls (link element -> note key), definitions, and each note's mark and text."""

    calls: dict[etree._Element, int] = field(default_factory=dict)
    definitions: list[etree._Element] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def _collect_footnotes(root: etree._Element) -> _Notes:
    """Find footnote calls (``<a href="#id">`` to a footnote-marked element) and read their notes."""
    targets: dict[str, etree._Element] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("id", "name") if el.tag == "a" else ("id",):
            key = el.get(attr)
            if key and key not in targets:
                targets[key] = el
    notes = _Notes()
    by_definition: dict[etree._Element, int] = {}
    for link in root.iter("a"):
        href = link.get("href") or ""
        if not href.startswith("#") or len(href) < 2:
            continue
        target = targets.get(unquote(href[1:]))
        definition = _definition_of(target) if target is not None else None
        if definition is None or _within(link, definition):
            continue
        key = by_definition.get(definition)
        if key is None:
            key = len(notes.marks)
            by_definition[definition] = key
            notes.definitions.append(definition)
            notes.marks.append(_mark_of(link, definition, key))
            notes.texts.append("")
        notes.calls[link] = key
    call_ids = {v for link in notes.calls for v in (link.get("id"), link.get("name")) if v}
    for definition, key in by_definition.items():
        notes.texts[key] = _note_text(definition, notes.marks[key], call_ids)
    return notes


def _definition_of(target: etree._Element) -> etree._Element | None:
    """The footnote a link target belongs to: its nearest block, when it or an ancestor is footnote-marked."""
    block = target
    while block is not None and block.tag not in ("aside", "li", "div", "p", "section", "dd", "td"):
        block = block.getparent()
    if block is None or block.tag in ("body", "main"):
        return None
    chain = [block, *list(block.iterancestors())[:4]]
    if not any(_footnote_marked(el) for el in chain):
        return None
    # Word writes a note as <div id=ftn1><p class=MsoFootnoteText>...: take the whole note.
    parent = block.getparent()
    if (
        block.tag == "p"
        and parent is not None
        and parent.tag in ("div", "aside")
        and _footnote_marked(parent)
    ):
        if sum(1 for child in parent if child.tag == "p") <= 4 and parent.get("id"):
            return parent
    return block


def _footnote_marked(el: etree._Element) -> bool:
    role = (el.get("role") or "").lower()
    if role in ("doc-footnote", "doc-endnote", "doc-endnotes", "doc-footnotes"):
        return True
    words = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('style') or ''}"
    return bool(_FOOTNOTE_WORD.search(words)) or el.tag == "aside"


def _mark_of(link: etree._Element, definition: etree._Element, key: int) -> str:
    mark = clean_inline(link.text_content()).strip("[]() ")
    if mark and len(mark) <= 6:
        return mark
    lead = re.match(r"\s*\[?(\w{1,4})\]?", definition.text_content() or "")
    return lead.group(1) if lead else str(key + 1)


def _note_text(definition: etree._Element, mark: str, call_ids: set[str]) -> str:
    """A note's words without its printed mark and its back-links (``↩``)."""
    own_ids = {definition.get("id"), *(el.get("id") for el in definition.iter() if isinstance(el.tag, str))}
    copy = lxml.html.fromstring(etree.tostring(definition, encoding="unicode"))
    for link in list(copy.iter("a")):
        href = unquote((link.get("href") or "")[1:]) if (link.get("href") or "").startswith("#") else None
        is_backlink = href is not None and (href in call_ids or href in own_ids or "ref" in href.lower())
        if (
            is_backlink
            or (link.get("role") or "") == "doc-backlink"
            or clean_inline(link.text_content()) == "↩"
        ):
            _remove_keep_tail(link)
    walker = _Walker(_Notes())
    walker.container(copy)
    text = " ".join(block.line() for block in walker.blocks if block.kind == "p")
    text = re.sub(r"\s*↩\s*$", "", text)
    lead = re.match(rf"^\[?{re.escape(mark)}\]?[.)]?\s+", text)
    return text[lead.end() :] if lead else text


# --- the walk -------------------------------------------------------------------------------------


class _Walker:
    """Walks a content tree in reading order, turning blocks into paragraphs, lists, tables and notes."""

    def __init__(self, notes: _Notes) -> None:
        self.notes = notes
        self.blocks: list[Block] = []
        self._pending_notes: list[int] = []
        self._written_notes: set[int] = set()
        self._label: str | None = None
        self._depth = 0  # > 0 while inside a table cell: notes wait for the table

    # output

    def reading_text(self) -> ReadingText:
        out = ReadingText()
        for block in self.blocks:
            block.write_to(out)
        for key, mark in enumerate(self.notes.marks):  # notes never called in the content
            if key not in self._written_notes and self.notes.texts[key]:
                out.footnote(mark, self.notes.texts[key])
        return out

    def _add(self, block: Block) -> None:
        self.blocks.append(block)
        if self._depth:
            return
        for key in self._pending_notes:
            if key not in self._written_notes:
                self._written_notes.add(key)
                self.blocks.append(Block("note", self.notes.texts[key], label=self.notes.marks[key]))
        self._pending_notes.clear()

    def paragraph(self, text: str, *, heading: int = 0) -> None:
        """Add one paragraph, its typed label split off (or the list item's label given to it)."""
        text = clean_inline(text)
        if not any(ch.isalnum() for ch in text):
            return
        label, rest = split_typed_label(text)
        if self._label is not None:
            label, rest = (label, rest) if label else (self._label, text)
            self._label = None
        # A TAB is the label separator only: one left in the words (a Word tab stop) is a space.
        self._add(Block("p", rest.replace("\t", " "), label=label, heading=heading))

    # structure

    def block(self, el: etree._Element) -> None:
        tag = el.tag
        if tag in _DROP_TAGS:
            return
        if tag in _HEADINGS:
            self.paragraph(self.inline_children(el), heading=_HEADINGS[tag])
        elif tag in ("ul", "ol", "menu"):
            self.list(el)
        elif tag == "table":
            self.table(el)
        elif tag == "hr":
            return
        else:
            self.container(el)

    def container(self, el: etree._Element) -> None:
        """Read an element holding blocks and inline content: inline runs become paragraphs."""
        run: list[str] = [_space(el.text)]
        for child in el:
            if isinstance(child.tag, str) and self._is_block(child):
                self._flush(run)
                self.block(child)
                run = [_space(child.tail)]
            else:
                run.append(self.inline(child))
                run.append(_space(child.tail))
        self._flush(run)

    def _flush(self, run: list[str]) -> None:
        for part in _DOUBLE_BREAK.split("".join(run)):
            self.paragraph(part)

    def _is_block(self, el: etree._Element) -> bool:
        if el.tag in _BLOCK_TAGS:
            return True
        # An inline element wrapping blocks (<a><div>...</div></a>) is read as a container.
        return el.tag not in _DROP_TAGS and any(
            isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in el.iterdescendants()
        )

    def inline(self, el: etree._Element) -> str:
        """An inline element's text: footnote calls as ``[^mark]``, ``<br>`` as a newline, tabs kept."""
        if not isinstance(el.tag, str) or el.tag in _DROP_TAGS:
            return ""
        if el in self.notes.calls:
            key = self.notes.calls[el]
            self._pending_notes.append(key)
            return footnote_call(self.notes.marks[key])
        if el.tag == "br":
            return "\n"
        if el.tag == "span" and _MSO_TAB.search(el.get("style") or ""):
            return "\t"
        return self.inline_children(el)

    def inline_children(self, el: etree._Element) -> str:
        parts = [_space(el.text)]
        for child in el:
            parts.append(self.inline(child))
            parts.append(_space(child.tail))
        return "".join(parts)

    def list(self, el: etree._Element) -> None:
        """List items with the label the browser shows (or the one typed in the item)."""
        style = _list_style(el)
        items = [child for child in el if child.tag == "li"]
        number = _int(el.get("start"))
        step = -1 if el.get("reversed") is not None else 1
        if number is None:
            number = len(items) if step < 0 else 1
        for child in el:
            if child.tag != "li":
                if isinstance(child.tag, str):
                    self.block(child)
                continue
            value = _int(child.get("value"))
            number = value if value is not None else number
            item_style = _list_style(child, default=style)
            self._set_label(_format_number(number, item_style) if el.tag == "ol" else _bullet(item_style))
            self.container(child)
            self._label = None
            number += step

    def _set_label(self, label: str | None) -> None:
        if self._label is not None:  # an item whose first content was a nested list: its label alone
            self._add(Block("p", "", label=self._label))
        self._label = label

    def table(self, el: etree._Element) -> None:
        """A table as rows; a one-column table (a box, a layout frame) as the paragraphs it holds."""
        rows = [row for row in _rows(el)]
        caption = el.find("caption")
        if caption is not None:
            self.paragraph(self.inline_children(caption))
        cells = [[c for c in row if c.tag in ("td", "th")] for row in rows]
        if (el.get("role") or "").lower() in ("presentation", "none") or all(len(r) <= 1 for r in cells):
            for row in cells:
                for cell in row:
                    self.container(cell)
            return
        texts = [tuple(self._cell_text(cell) for cell in row) for row in cells if row]
        width = max(len(row) for row in texts)
        padded = tuple(row + ("",) * (width - len(row)) for row in texts)
        self._add(Block("table", rows=padded))

    def _cell_text(self, cell: etree._Element) -> str:
        """A cell's paragraphs, one per line (the reading text joins them with ``<br>``)."""
        start = len(self.blocks)
        label, self._label = self._label, None
        self._depth += 1
        self.container(cell)
        self._depth -= 1
        self._label = label
        inner = self.blocks[start:]
        del self.blocks[start:]
        lines = []
        for block in inner:
            if block.kind == "table":  # a table in a cell: its rows as lines
                lines.extend(" ".join(row) for row in block.rows)
            else:
                lines.append(block.line())
        return "\n".join(lines)


def _rows(table: etree._Element) -> Iterator[etree._Element]:
    for child in table:
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child if row.tag == "tr")


def _space(text: str | None) -> str:
    return _WS.sub(" ", text) if text else ""


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _list_style(el: etree._Element, *, default: str | None = None) -> str | None:
    match = _LIST_STYLE.search(el.get("style") or "")
    if match:
        return _LIST_TYPES.get(match.group(1).lower(), match.group(1).lower())
    kind = el.get("type")
    if kind:
        return _LIST_TYPES.get(kind, _LIST_TYPES.get(kind.lower(), default))
    return default


def _bullet(style: str | None) -> str | None:
    return None if style == "none" else "•"


def _format_number(number: int, style: str | None) -> str | None:
    """The marker a browser draws for item ``number`` of an ``<ol>`` (``"3."``, ``"c."``, ``"iv."``)."""
    if style == "none":
        return None
    if style in ("lower-alpha", "upper-alpha") and number > 0:
        letters = ""
        while number > 0:
            number, rest = divmod(number - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return (letters.upper() if style == "upper-alpha" else letters) + "."
    if style in ("lower-roman", "upper-roman") and 0 < number < 4000:
        roman = _roman(number)
        return (roman.upper() if style == "upper-roman" else roman) + "."
    return f"{number}."


def _roman(number: int) -> str:
    digits = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
              (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]  # fmt: skip
    out = ""
    for value, letters in digits:
        while number >= value:
            out += letters
            number -= value
    return out

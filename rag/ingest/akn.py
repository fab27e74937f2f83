"""Akoma Ntoso 3.0 XML (OASIS LegalDocML, UN's AKN4UN) to reading text, as the printed instrument reads.

The markup says what each piece is; the reading text writes what the printed page shows, so that the
structure reader that reads a Word resolution reads this one the same way (``rag.ingest.reading``):

- the long title as printed (``docType`` + ``docNumber``: ``DECISION 5 (REV. DUBAI, 2018)``), the title
  container on its own line, the enacting formula on its own line;
- a recitals ``intro`` or an ``hcontainer`` heading that is a role word (it starts lowercase:
  ``considering``, ``resolves``, ``instructs the Secretary-General``) alone on its line;
- every recital, paragraph, point, item with its ``num`` as the label (``b)<TAB>...``, ``2<TAB>...``);
- other headings (``article``, ``section``, ``chapter``, annexes...) as ``#`` headings, the ``num`` as
  label, one ``#`` more per level of the hierarchy;
- ``authorialNote`` and ``noteRef`` as ``[^mark]`` calls, the note after the calling paragraph;
- tables as rows; ``componentRef``/``documentRef`` (references, a table of contents) and ``meta`` left out.

Repairs of faults machine conversions from PDF are known to leave (each conservative, see the
functions): an item without ``num`` whose text starts with a label (``a) that``, ``1 to provide``)
has it split off; sub-items run into an item (``1 that ...: 1.1 that ...; 1.2 that ...``) are split at
the next expected number; a footnote left inline after a separator (``____ 1 text``) becomes a note,
its call found where the mark is glued to a word (``countries1,``).

Parsing is lxml's with a safe configuration: no network, no DTD loading, no entity resolution
(entities that would read files or the network stay unread), and libxml2's limits on huge trees kept.
"""

from __future__ import annotations

import logging
import re

from lxml import etree

from rag.errors import UnsupportedFormatError
from rag.ingest.base import Converted, SourceFormat
from rag.ingest.reading import Block, ReadingText, clean_inline, footnote_call
from rag.ingest.text import iso639_1, split_typed_label
from rag.parse.labels import label_kinds, successor
from rag.parse.roles import itu_block_heading

logger = logging.getLogger(__name__)

_AKN_NAMESPACES = (
    "http://docs.oasis-open.org/legaldocml/ns/akn/3.0",
    "http://www.akomantoso.org/2.0",
    "http://www.akomantoso.org/3.0",
)
# Left out of the text: metadata, references to other parts (a table of contents), images.
_SKIP = frozenset("meta componentRef documentRef toc img notes attachmentOf componentInfo".split())
# Elements whose ``num``/``heading`` make them a level of the hierarchy.
_TABLE_PARTS = frozenset("tr th td".split())
_INLINE_BREAKS = frozenset("eol br".split())
_SEPARATOR = re.compile(r"\s*_{8,}\s*")
_NOTE_START = re.compile(r"^(?P<mark>\d{1,3}|\*{1,3}|[a-z])\s+(?=\S)")
_SYMBOL = re.compile(r"^[A-Z]{1,6}(?:/[A-Z0-9.()\-]+){2,}$")


def convert_akn(data: bytes, *, name: str) -> Converted:
    """Read an Akoma Ntoso document (or collection of documents) as reading text.

    Args:
        data: the XML file's bytes.
        name: the file's name, for messages.

    Returns:
        The reading text, with metadata hints from the FRBR identification (number, date, language,
        author), the long title or ``docTitle``, and a UN ``docNumber`` as the symbol.

    Raises:
        UnsupportedFormatError: the bytes are not XML, or the XML is not Akoma Ntoso.

    Example:
        >>> xml = b'''<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><statement
        ...   name="resolution"><preamble><recitals><intro><p><i>considering</i></p></intro>
        ...   <recital><p>a) that ITU exists;</p></recital></recitals></preamble></statement></akomaNtoso>'''
        >>> print(convert_akn(xml, name="r.xml").text.replace("\\t", "<TAB>"), end="")
        considering
        <BLANKLINE>
        a)<TAB>that ITU exists;
    """
    root = _parse(data, name)
    documents = [child for child in root if isinstance(child.tag, str) and _local(child) not in _SKIP]
    if not documents:
        raise UnsupportedFormatError(f"{name}: the Akoma Ntoso file holds no document", hint="check the file")
    writer = _Writer(root)
    for document in documents:
        writer.walk(document, level=1)
    blocks = _split_run_in_headings(_repair_inline_footnotes(writer.blocks))
    out = ReadingText()
    for block in blocks:
        if block.kind == "table":
            out.table([list(row) for row in block.rows])
        elif block.kind == "note":
            out.footnote(block.label or "", block.text)
        else:
            out.paragraph(block.text, label=block.label, heading=block.heading)
    return Converted(text=out.text(), format=SourceFormat.AKN, metadata=_metadata(root, documents[0]))


# --- parsing --------------------------------------------------------------------------------------


def _parse(data: bytes, name: str) -> etree._Element:
    """The root element, parsed without network, DTDs or entity expansion; checked to be Akoma Ntoso."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise UnsupportedFormatError(
            f"{name}: not well-formed XML ({exc})",
            hint="an Akoma Ntoso file must be XML; add a PDF, Word or HTML file under its own extension",
        ) from exc
    if _local(root) != "akomaNtoso" or (etree.QName(root).namespace or "") not in (*_AKN_NAMESPACES, ""):
        raise UnsupportedFormatError(
            f"{name}: XML, but not Akoma Ntoso (root element {etree.QName(root).localname!r})",
            hint="only Akoma Ntoso (LegalDocML) XML is read; convert other XML to HTML or text first",
        )
    return root


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in el if isinstance(child.tag, str) and _local(child) == name]


def _first(el: etree._Element, path: str) -> etree._Element | None:
    found = el.xpath(path)
    return found[0] if found else None


# --- metadata -------------------------------------------------------------------------------------


def _metadata(root: etree._Element, document: etree._Element) -> dict[str, str]:
    """Hints from the first document's FRBR identification and preface."""
    meta: dict[str, str] = {}
    ident = _first(document, "./*[local-name()='meta']/*[local-name()='identification']")
    if ident is not None:
        date = _first(ident, ".//*[local-name()='FRBRExpression']/*[local-name()='FRBRdate']/@date")
        date = date or _first(ident, ".//*[local-name()='FRBRWork']/*[local-name()='FRBRdate']/@date")
        if date and re.match(r"^\d{4}-\d{2}-\d{2}", date):
            meta["date"] = date[:10]
        lang = iso639_1(_first(ident, ".//*[local-name()='FRBRlanguage']/@language"))
        if lang:
            meta["lang"] = lang
        author = _first(ident, ".//*[local-name()='FRBRWork']/*[local-name()='FRBRauthor']/@href")
        if author:
            shown = _first(
                document, f".//*[local-name()='references']/*[@eId='{author.lstrip('#')}']/@showAs"
            )
            meta["author"] = clean_inline(shown or author.lstrip("#"))
        number = _first(ident, ".//*[local-name()='FRBRnumber']/@showAs")
        number = number or _first(ident, ".//*[local-name()='FRBRnumber']/@value")
        if number and _SYMBOL.match(number.strip()):
            meta["symbol"] = number.strip()
    doc_number = _first(document, ".//*[local-name()='preface']//*[local-name()='docNumber']")
    if doc_number is not None and _SYMBOL.match(clean_inline(doc_number.xpath("string()"))):
        meta["symbol"] = clean_inline(doc_number.xpath("string()"))
    title = _title(document)
    if title:
        meta["title"] = title
    if "lang" not in meta:
        lang = iso639_1(document.get("{http://www.w3.org/XML/1998/namespace}lang"))
        if lang:
            meta["lang"] = lang
    return meta


def _title(document: etree._Element) -> str | None:
    """``docTitle`` when it is a title on its own, else the long title as printed."""
    doc_title = _first(document, "./*[local-name()='preface']//*[local-name()='docTitle']")
    text = clean_inline(doc_title.xpath("string()")) if doc_title is not None else ""
    if text and text[0].isupper() and len(text.split()) >= 3:
        return text
    long_title = _first(document, "./*[local-name()='preface']/*[local-name()='longTitle']")
    if long_title is not None and clean_inline(long_title.xpath("string()")):
        return clean_inline(long_title.xpath("string()"))
    container = _first(document, "./*[local-name()='preface']/*[local-name()='container'][@name='title']")
    return clean_inline(container.xpath("string()")) if container is not None else (text or None)


# --- the walk -------------------------------------------------------------------------------------


class _Writer:
    """Walks the documents in order and writes blocks; footnote notes follow their calling block."""

    def __init__(self, root: etree._Element) -> None:
        self.blocks: list[Block] = []
        self._label: str | None = None
        self._numbered = False  # the pending label came from <num> (else an unnumbered item)
        self._pending: list[tuple[str, str]] = []
        self._note_count = 0
        self._in_item = False  # inside an item that has no <num>: its text may open with the label
        self._notes_by_id = {
            el.get("eId") or el.get("id"): el
            for el in root.iter()
            if isinstance(el.tag, str) and _local(el) == "note" and (el.get("eId") or el.get("id"))
        }

    def _add(self, block: Block, *, flush_notes: bool = True) -> None:
        self.blocks.append(block)
        if flush_notes:
            for mark, text in self._pending:
                self.blocks.append(Block("note", text, label=mark))
            self._pending.clear()

    def paragraph(self, text: str, *, heading: int = 0) -> None:
        """Add a paragraph: the pending ``num`` as its label, else a label its text opens with."""
        text = clean_inline(text)
        if not any(ch.isalnum() for ch in text):
            return
        label, self._label = self._label, None
        numbered, self._numbered = self._numbered, False
        if label is None:
            typed, rest = split_typed_label(text, bare_numbers=numbered is False and self._in_item)
            if typed is not None:
                label, text = typed, rest
        for item_label, item_text in _split_run_in_items(label, text):
            self._add(Block("p", item_text.replace("\t", " "), label=item_label, heading=heading))

    def walk(self, el: etree._Element, *, level: int) -> None:
        """Write one element: a hierarchy level, a block, a table, or a container of those."""
        name = _local(el)
        if not name or name in _SKIP:
            return
        if name == "p" or name in ("docTitle", "longTitle") and not _has_blocks(el):
            self.paragraph(self.inline(el))
        elif name == "table":
            self.table(el)
        elif name in ("ul", "ol"):
            self.html_list(el, level=level)
        else:
            self.hierarchy(el, level=level)

    def hierarchy(self, el: etree._Element, *, level: int) -> None:
        """An element with optional ``num``/``heading``/``subheading``, then its parts in order."""
        num = _children(el, "num")
        heading = _children(el, "heading")
        label = clean_inline(self.inline(num[0])) if num else None
        inner = level
        if heading and clean_inline(self.inline(heading[0])):
            text = clean_inline(self.inline(heading[0]))
            if text[:1].isalpha() and text[:1].islower():  # a role word: "resolves", "instructs ..."
                self._set_label(label)
                self.paragraph(text)
            else:
                self._set_label(label)
                self.paragraph(text, heading=min(level, 6))
                inner = level + 1
        elif label:
            self._set_label(label, numbered=True)
        for sub in _children(el, "subheading"):
            self.paragraph(self.inline(sub))
        was_item = self._in_item
        if _is_item(el):
            self._in_item = not num
        text_run = clean_inline(el.text or "")
        if text_run:
            self.paragraph(text_run)
        for child in el:
            if isinstance(child.tag, str) and _local(child) not in ("num", "heading", "subheading"):
                self.walk(child, level=inner)
            if child.tail and clean_inline(child.tail):
                self.paragraph(child.tail)
        self._in_item = was_item
        if self._label is not None and num:  # a num with no words after it: write it alone
            self._add(Block("p", "", label=self._label))
            self._label = None

    def _set_label(self, label: str | None, *, numbered: bool = False) -> None:
        if self._label is not None:
            self._add(Block("p", "", label=self._label))
        self._label, self._numbered = label, numbered and label is not None

    def html_list(self, el: etree._Element, *, level: int) -> None:
        number = 1
        for item in _children(el, "li"):
            self._set_label(f"{number}." if _local(el) == "ol" else "•", numbered=True)
            self.hierarchy(item, level=level)
            self._label = None
            number += 1

    def table(self, el: etree._Element) -> None:
        rows = []
        for row in el.iter("{*}tr"):
            cells = [c for c in row if _local(c) in ("th", "td")]
            rows.append(tuple(self._cell_text(cell) for cell in cells))
        if rows:
            width = max(len(row) for row in rows)
            self._add(Block("table", rows=tuple(r + ("",) * (width - len(r)) for r in rows)))

    def _cell_text(self, cell: etree._Element) -> str:
        paragraphs = [p for p in cell.iter("{*}p")]
        if not paragraphs:
            return self.inline(cell)
        return "\n".join(clean_inline(self.inline(p)) for p in paragraphs)

    def inline(self, el: etree._Element) -> str:
        """An element's words: notes become ``[^mark]`` calls (the note waits for the paragraph's end)."""
        parts = [el.text or ""]
        for child in el:
            name = _local(child)
            if name in ("authorialNote", "noteRef"):
                parts.append(self._note_call(child))
            elif name in _INLINE_BREAKS:
                parts.append(" ")
            elif name and name not in _SKIP and name != "eop":
                parts.append(self.inline(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def _note_call(self, el: etree._Element) -> str:
        self._note_count += 1
        mark = clean_inline(el.get("marker") or "") or str(self._note_count)
        note = el
        if _local(el) == "noteRef":
            note = self._notes_by_id.get((el.get("href") or "").lstrip("#"))
            if note is None:
                return footnote_call(mark)
        text = " ".join(clean_inline(self.inline(p)) for p in note.iter("{*}p")) or clean_inline(
            self.inline(note)
        )
        self._pending.append((mark, text))
        return footnote_call(mark)


def _has_blocks(el: etree._Element) -> bool:
    return any(_local(child) in ("p", "table", "container", "blockContainer") for child in el)


def _is_item(el: etree._Element) -> bool:
    """An item of a numbered sequence, where a missing ``num`` means the label stayed in the text."""
    return _local(el) in ("recital", "paragraph", "subparagraph", "point", "item", "indent", "alinea", "li")


# --- repairs --------------------------------------------------------------------------------------


def _split_run_in_items(label: str | None, text: str) -> list[tuple[str | None, str]]:
    """Split items a conversion ran into one paragraph, at the next expected number only.

    After item ``1`` the expected next labels are ``1.1`` (its first sub-item) and ``2``; after
    ``1.1``, ``1.2`` and ``2``. A split is made only where such a number stands after ``;`` or ``:``
    and before a lowercase word (``...: 1.1 that ...; 1.2 that ...``), so a number quoted in the text
    ("Resolution 2") never splits it.
    """
    if label and re.fullmatch(r"\(?[a-z]{1,2}\)|\(?[ivx]{1,5}\)", label):
        return _split_run_in_letters(label, text)
    if not label or not re.fullmatch(r"\d{1,2}(?:\.\d{1,2})*", label):
        return [(label, text)]
    items: list[tuple[str | None, str]] = []
    current, rest = label, text
    while True:
        found = None
        for expected in _next_labels(current):
            match = re.search(rf"(?<=[;:])\s+{re.escape(expected)}\s+(?=[a-z])", rest)
            if match and (found is None or match.start() < found[1].start()):
                found = (expected, match)
        if found is None:
            items.append((current, rest))
            return items
        expected, match = found
        items.append((current, rest[: match.start()]))
        current, rest = expected, rest[match.end() :]


def _split_run_in_letters(label: str, text: str) -> list[tuple[str | None, str]]:
    """``i) staffing ...; ii) finances ...``: lettered or roman items run into one paragraph, split at
    the next letter or numeral of the same sequence standing after ``;``, ``:`` or ``,``."""
    items: list[tuple[str | None, str]] = []
    current, rest = label, text
    while True:
        value = current.strip("()")
        kinds = [k for k, v in label_kinds(value) if k in ("letter", "roman")]
        nexts = [successor(k, value.rstrip(")")) for k in kinds]
        found = None
        for nxt in filter(None, nexts):
            printed = f"({nxt})" if current.startswith("(") else f"{nxt})"
            match = re.search(rf"(?<=[;:,])\s+{re.escape(printed)}\s+(?=\S)", rest)
            if match and (found is None or match.start() < found[1].start()):
                found = (printed, match)
        if found is None:
            items.append((current, rest))
            return items
        items.append((current, rest[: found[1].start()]))
        current, rest = found[0], rest[found[1].end() :]


def _next_labels(label: str) -> list[str]:
    parts = [int(p) for p in label.split(".")]
    nexts = [".".join(map(str, [*parts, 1]))] if len(parts) < 3 else []
    for depth in range(len(parts), 0, -1):
        bumped = [*parts[: depth - 1], parts[depth - 1] + 1]
        nexts.append(".".join(map(str, bumped)))
    return nexts


def _repair_inline_footnotes(blocks: list[Block]) -> list[Block]:
    """Turn footnotes a PDF conversion left inline (``text ____ 1 note``) into calls and notes.

    The words after a run of underscores that start with a mark (``1``, ``*``) are the note; the call
    is the latest place before it, in this or one of the five blocks before, where that mark is glued
    to a word (``countries1,``); the note is written after that block (or after this one when no call
    is found). The note may still hold text of the next page that the conversion ran into it.
    """
    out = list(blocks)
    index = 0
    while index < len(out):
        block = out[index]
        parts = _SEPARATOR.split(block.text) if block.kind == "p" else [block.text]
        if len(parts) < 2:
            index += 1
            continue
        body, notes = parts[0], []
        for part in parts[1:]:
            match = _NOTE_START.match(part)
            if match is None:
                body = f"{body} {part}"
            else:
                notes.extend(_split_notes(match.group("mark"), part[match.end() :]))
        out[index] = Block("p", body, label=block.label, heading=block.heading)
        for mark, note in notes:
            call_at = _place_call(out, index, mark)
            at = (call_at if call_at is not None else index) + 1
            while at < len(out) and out[at].kind == "note":
                at += 1
            out.insert(at, Block("note", note, label=mark))
        index += 1
    return out


def _split_notes(mark: str, text: str) -> list[tuple[str, str]]:
    """Notes printed one after the other (``5 text. 6 text``): split at the next number after a full stop."""
    notes = []
    while mark.isdigit():
        following = str(int(mark) + 1)
        match = re.search(rf"(?<=[.])\s+{following}\s+(?=[A-Z])", text)
        if match is None:
            break
        notes.append((mark, text[: match.start()]))
        mark, text = following, text[match.end() :]
    notes.append((mark, text))
    return notes


def _place_call(blocks: list[Block], index: int, mark: str) -> int | None:
    glued = re.compile(rf"(?<=[A-Za-z\)”\"'])({re.escape(mark)})(?=[\s,;.:)]|$)")
    for at in range(index, max(-1, index - 6), -1):
        block = blocks[at]
        if block.kind != "p":
            continue
        matches = list(glued.finditer(block.text))
        if matches:
            last = matches[-1]
            text = block.text[: last.start()] + footnote_call(mark) + block.text[last.end() :]
            blocks[at] = Block("p", text, label=block.label, heading=block.heading)
            return at
    return None


# An annex heading a PDF conversion ran into the text of the item before it:
# "... end of the calendar year 2021. ANNEX 1 TO DECISION 5 (REV. DUBAI, 2018) TABLE 1 Financial plan ..."
_RUN_IN_ANNEX = re.compile(
    r"(?<=[.;:,])\s+(?P<heading>(?:ANNEX|APPENDIX|ATTACHMENT)(?:\s+(?:\d{1,2}|[A-Z]))?\s+TO\s+"
    r"(?:RESOLUTION|DECISION|RECOMMENDATION|ANNEX)\s+\d{1,3}"
    r"(?:\s*\((?:REV\.\s*)?[A-Z][A-Z .\-]*,\s*\d{4}\))?)"
    r"(?:\s+|$)"
)
# A role heading run into the end of the item before it: "..., instructs the Secretary-General, with ..."
_RUN_IN_ROLE = re.compile(
    r"[,;.]\s+(?=(?:further\s+|also\s+)?(?:resolves|instructs|invites|requests|encourages|urges|decides|"
    r"calls\s+upon|appeals\s+to|recommends|considering|recognizing|recalling|noting|bearing\s+in\s+mind|"
    r"taking\s+into\s+account|emphasizing|aware|convinced|mindful|reaffirming)\b)"
)
_FIRST_ITEMS = frozenset({"1", "1.", "a)", "(a)", "i)", "(i)"})


def _split_run_in_headings(blocks: list[Block]) -> list[Block]:
    """Split annex and role headings that the conversion ran into a paragraph onto lines of their own.

    A role heading is split off only when the paragraph after it opens a new list ("1", "a)"), so a
    clause that merely uses a role verb ("..., invites Member States to ...") stays whole.
    """
    out: list[Block] = []
    for index, block in enumerate(blocks):
        if block.kind != "p":
            out.append(block)
            continue
        following = next((b for b in blocks[index + 1 :] if b.kind == "p"), None)
        out.extend(_split_block(block, following))
    return out


def _split_block(block: Block, following: Block | None) -> list[Block]:
    annex = _RUN_IN_ANNEX.search(block.text)
    if annex:
        before = block.text[: annex.start()].strip()
        after = block.text[annex.end() :].strip()
        parts = [Block("p", before, label=block.label, heading=block.heading)] if before else []
        parts.append(Block("p", annex.group("heading")))
        return parts + (_split_block(Block("p", after), following) if after else [])
    if following is None or following.label not in _FIRST_ITEMS:
        return [block]
    for m in _RUN_IN_ROLE.finditer(block.text):
        rest = block.text[m.end() :].strip()
        if itu_block_heading(rest):
            before = block.text[: m.start() + 1].strip()
            return [Block("p", before, label=block.label, heading=block.heading), Block("p", rest)]
    return [block]

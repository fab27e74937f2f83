"""Secretary-General reports (WTPF): numbered paragraphs, boxes, the timetable, and the opinions annex.

The reports number every paragraph with its full section number (``7.9.6``), so sections add nothing
to passage ids and a paragraph is cited as ``§7.9.6``. What the Word extraction looks like:

- ``4\\tBridging digital divides ...``: a section heading. Deeper numbers are headings too when they
  are short, unpunctuated and have numbered children (``1.1\\tThe Sixth World ... (WTPF-21)``).
- ``4.10.2\\tWhat strategies ...``: a paragraph. Lines after it that are tab-indented, ``–`` bullets or
  quoted text continue it, and so do unnumbered lines that run straight into the next number.
- a run of unnumbered lines closed by a blank line is a box (a case study or fact box with its
  source) inside the paragraph above it. Its title is often glued onto the paragraph's last line
  (``...challenges.State of the Digital Divide at a Glance:``) and is split off there.
- ``a.\\tHow can ...`` after a paragraph (WTPF-21): one lettered question each.
- ``Table 1`` and its caption, then rows of tab-started cells: the date or meeting, then what happens.
- ``DRAFT OPINION N``, or an ``ANNEX`` heading before it, starts the annex, which
  ``resolutions.parse_instruments`` reads.

Word bookmark artefacts (``[bookmark: _Hlk...]``) may precede a heading or a paragraph number; they are
skipped when reading the number and stay inside the line's span.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import rag.parse.resolutions as resolutions
from rag.errors import ParseError
from rag.parse.plain import paragraph_nodes
from rag.parse.spans import BOOKMARK_PREFIX, Line, clean_text
from rag.parse.tree import Node, ParseContext, slugify

logger = logging.getLogger(__name__)

_NUMBER = re.compile(r"(?P<num>\d+(?:\.\d+)*)(?P<dot>\.?)(?P<sep>[ \t\u00a0]+)(?=\S)")
_ITEM = re.compile(r"(?P<letter>[a-z])(?P<punct>[.)])[ \t]+(?=\S)")
_TABLE = re.compile(r"Table\s+(?P<n>\d+)\b[\s:.–-]*(?P<caption>.*)$")
_ANNEX = re.compile(r"(?:ANNEX\b|Annex\s*(?::|$)|DRAFT OPINION\s+\d+)")
_DRAFT_OPINION = re.compile(r"DRAFT OPINION\s+\d+")
_ALNUM = re.compile(r"[^\W_]")
_RULE = re.compile(r"_{5,}")
_LINK_ONLY = re.compile(r"[^\w]*(?:https?://|www\.)\S+[^\w]*")
_IMAGE = re.compile(r"\S+\.(?:png|jpe?g|gif|emf|wmf|bmp|tiff?)", re.IGNORECASE)
# Marks that open a line continuing the paragraph above: dashes and bullets of lists, an opening quote;
# Word's Symbol-font bullets come out as private-use characters (U+F0B7).
_CONTINUATION_MARKS = ("–", "—", "-", "•", "“", '"', "\uf0b7", "\uf0a7", "\uf0d8", "\uf076")
_SENTENCE_END = re.compile(r"[.?!][\"”’)]*")
_MAX_TITLE_WORDS = 12  # box titles and glued titles are short ("Case Study: ..." has 5-10 words)
_MAX_HEADING_WORDS = 15  # the longest numbered heading (WTPF-21 1.1) has 10


@dataclass(slots=True)
class _Numbered:
    """A line that starts with a paragraph or section number."""

    line: Line
    number: tuple[int, ...]
    label: str  # as printed: "3.6.", "7.9.98"
    body: int  # offset where the words after the label start
    tabbed: bool
    text: str  # the words after the label, cleaned

    @property
    def depth(self) -> int:
        return len(self.number)


@dataclass(slots=True)
class _Block:
    """A stretch of the body: the title lines, a numbered line with what follows it, or a table."""

    kind: str  # "title", "numbered", "table"
    head: _Numbered | None = None
    lines: list[Line] = field(default_factory=list)
    heading: bool = False
    cite: tuple[int, ...] = ()


def parse_sg_report(ctx: ParseContext) -> Node:
    """Parse a WTPF Secretary-General report: title, sections, paragraphs, boxes, timetable, annex.

    Example:
        >>> from rag.parse import parse_document                       # doctest: +SKIP
        >>> doc = parse_document(meta, text)                             # doctest: +SKIP
        >>> [p.citation for p in doc.passages if p.id.endswith("/7.9.6")]  # doctest: +SKIP
        ['WTPF-26 SG Report, §7.9.6']
    """
    root = Node(kind="document", slug="", title=ctx.meta.title)
    footer_at = _footer_start(ctx.lines)
    for line in ctx.lines[footer_at:]:
        ctx.mark_layout(line)
    lines = ctx.lines[:footer_at]
    annex_at = _annex_start(lines)
    body = lines[:annex_at]
    blocks = _segment(body)
    if not any(b.kind == "numbered" for b in blocks):
        if any(not line.blank for line in body):
            ctx.warn(body[0].no if body else 1, "no numbered paragraphs found; indexed as plain paragraphs")
        root.children.extend(paragraph_nodes(ctx, body))
    else:
        _Builder(ctx, root).build(blocks)
    if annex_at < len(lines):
        root.add(_annex(ctx, lines[annex_at:]))
    return root


# ---------------------------------------------------------------------------------------------------
# line reading


def _words_at(line: Line) -> int:
    """Index in ``line.raw`` where the printed words start (after spaces and bookmark artefacts)."""
    m = BOOKMARK_PREFIX.match(line.raw)
    return m.end() if m else 0


def _numbered(line: Line) -> _Numbered | None:
    pos = _words_at(line)
    m = _NUMBER.match(line.raw, pos)
    if not m or not _ALNUM.search(clean_text(line.raw[m.end() :])):
        return None  # a number with no words after it is no paragraph
    return _Numbered(
        line=line,
        number=tuple(int(n) for n in m.group("num").split(".")),
        label=m.group("num") + m.group("dot"),
        body=line.start + m.end(),
        tabbed="\t" in m.group("sep"),
        text=clean_text(line.raw[m.end() :]),
    )


def _table_caption(line: Line) -> re.Match[str] | None:
    return _TABLE.match(line.raw, _words_at(line))


def _annex_start(lines: Sequence[Line]) -> int:
    """Index of the annex's first line (an ``ANNEX`` heading or the first draft opinion), or len(lines)."""
    for i, line in enumerate(lines):
        if _ANNEX.match(line.raw, _words_at(line)):
            return i
    return len(lines)


def _is_layout(line: Line) -> bool:
    """Non-blank lines without words to index: rules (``______``) and image file placeholders."""
    if line.blank:
        return False
    words = clean_text(line.raw)
    return not _ALNUM.search(words) or bool(_IMAGE.fullmatch(words))


def _footer_start(lines: Sequence[Line]) -> int:
    """Index of the page footer closing the file (a ``____`` rule, then only links or images), else len.

    WTPF-21 ends with ``_____`` and ``• http://www.itu.int/WTPF •``, the outline with ``_____`` and
    ``image1.png``: page furniture, not text. Anything else after a rule (a footnote) is kept.
    """
    end = len(lines)
    while end and lines[end - 1].blank:
        end -= 1
    for i in range(end - 1, max(end - 4, -1), -1):
        if _RULE.fullmatch(lines[i].raw.strip()):
            after = [line for line in lines[i + 1 : end] if not line.blank]
            if all(_is_layout(line) or _LINK_ONLY.fullmatch(line.raw.strip()) for line in after):
                return i
    return len(lines)


def _next_numbers(prev: tuple[int, ...]) -> set[tuple[int, ...]]:
    """Numbers that may follow ``prev``: its first child, its next sibling, or a next ancestor."""
    nexts = {prev + (1,)}
    for k in range(len(prev)):
        nexts.add(prev[:k] + (prev[k] + 1,))
    return nexts


def _segment(lines: Sequence[Line]) -> list[_Block]:
    """Cut the body into blocks at accepted numbered lines and table captions.

    A number is accepted when it fits the sequence: a section number one above the current section,
    or a paragraph number inside the current section. Numbers followed by a plain space (not a tab)
    must be exactly the expected next number, so a line opening with a figure ("2.6 billion people")
    is never taken for a paragraph.
    """
    blocks: list[_Block] = [_Block(kind="title")]
    section = 0
    prev: tuple[int, ...] = ()
    for line in lines:
        num = _numbered(line)
        if num is not None:
            if num.depth == 1:
                ok = num.number[0] == section + 1 or (num.tabbed and num.number[0] > section)
            else:
                ok = num.number[0] == section and (num.tabbed or num.number in _next_numbers(prev))
            if ok:
                if num.depth == 1:
                    section = num.number[0]
                prev = num.number
                blocks.append(_Block(kind="numbered", head=num))
                continue
        if not line.raw.startswith("\t") and _table_caption(line) and blocks[-1].kind != "title":
            blocks.append(_Block(kind="table", lines=[line]))
            continue
        blocks[-1].lines.append(line)
    _mark_headings(blocks)
    _assign_cite_numbers(blocks)
    return blocks


def _mark_headings(blocks: list[_Block]) -> None:
    """Section numbers are headings; a deeper number is one when it is short and has children."""
    numbered = [(b, b.head) for b in blocks if b.head is not None]
    for i, (block, head) in enumerate(numbered):
        if head.depth == 1:
            block.heading = True
            continue
        nxt = numbered[i + 1][1] if i + 1 < len(numbered) else None
        has_children = nxt is not None and nxt.number[: head.depth] == head.number and nxt.depth > head.depth
        words = head.text.split()
        block.heading = (
            has_children and 0 < len(words) <= _MAX_HEADING_WORDS and head.text[-1] not in ".:;,?!"
        )


def _assign_cite_numbers(blocks: list[_Block]) -> None:
    """The number a reader cites for each numbered block, undoing flattened revision marks.

    ``7.9.98`` after ``7.9.8`` is item 9 (a deleted 9 and an inserted 8 run together), ``7.9.109`` is
    item 10: when the printed last component is not the expected one (previous sibling + 1) but starts
    or ends with it, the expected number is cited. Any other jump keeps the printed number.
    """
    last_child: dict[tuple[int, ...], int] = {}
    cited: dict[tuple[int, ...], tuple[int, ...]] = {}
    for block in blocks:
        head = block.head
        if block.kind != "numbered" or head is None:
            continue
        parent = cited.get(head.number[:-1], head.number[:-1])
        expected = last_child.get(parent, 0) + 1
        printed = head.number[-1]
        n = printed
        if printed != expected:
            p, e = str(printed), str(expected)
            if len(p) > len(e) and (p.startswith(e) or p.endswith(e)):
                n = expected
                logger.debug("paragraph %s read as %s (revision marks)", head.label, parent + (n,))
        last_child[parent] = n
        block.cite = parent + (n,)
        cited[head.number] = block.cite


def _dotted(number: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in number)


def _continues(line: Line) -> bool:
    """A line that carries on the paragraph above: indented, a bullet, a quotation or a lettered item."""
    if line.raw.startswith("\t"):
        return True
    pos = _words_at(line)
    return line.raw.startswith(_CONTINUATION_MARKS, pos) or bool(_ITEM.match(line.raw, pos))


def _title_like(text: str) -> bool:
    """A box's own title line: short and ending in a colon, or a "Case Study" heading."""
    words = text.split()
    return 0 < len(words) <= _MAX_TITLE_WORDS and (text.endswith(":") or text.startswith("Case Study"))


def _glued_title(line: Line, lo: int) -> int | None:
    """Offset where a box title glued onto the end of a paragraph line starts, if there is one.

    The title is the text after the line's last sentence end when it is short, starts with a capital
    and has no sentence end of its own: ``"...challenges.State of the Digital Divide at a Glance:"``,
    ``"...in this field. Digital Skills"``.
    """
    raw = line.raw
    for m in _SENTENCE_END.finditer(raw, max(lo - line.start, 0)):
        tail = raw[m.end() :]
        words = tail.strip()
        if (
            words
            and words[0].isupper()
            and not re.search(r"[.?!]", words)
            and len(words.split()) <= _MAX_TITLE_WORDS
            and words[-1] not in ",;"
        ):
            return line.start + m.end() + (len(tail) - len(tail.lstrip()))
    return None


def _last_sentence(text: str) -> str:
    return re.split(r"(?<=[.?!])\s+(?=[A-Z“\"])", text)[-1]


# ---------------------------------------------------------------------------------------------------
# tree building


@dataclass(slots=True)
class _Run:
    """Unnumbered lines between blank lines, after a paragraph."""

    lines: list[Line]
    after_blank: bool
    closed_by_blank: bool = False


class _Builder:
    """Turns the blocks into section, paragraph, box, item and table nodes."""

    def __init__(self, ctx: ParseContext, root: Node) -> None:
        self.ctx = ctx
        self.root = root
        self.open: list[tuple[tuple[int, ...], Node]] = []  # open headings, outermost first
        self.lead_ins: dict[tuple[int, ...], str] = {}  # paragraph number -> its lead-in sentence

    def build(self, blocks: list[_Block]) -> None:
        for block in blocks:
            if block.head is not None:
                if block.heading:
                    self._heading(block, block.head)
                else:
                    self._paragraph(block, block.head)
            elif block.kind == "table":
                self._table(self._parent(None), block.lines)
            else:
                self._title(block.lines)

    def _parent(self, number: tuple[int, ...] | None) -> Node:
        """The innermost open heading that ``number`` lies in (closing the others), else the root."""
        if number is not None:
            while self.open and self.open[-1][0] != number[: len(self.open[-1][0])]:
                self.open.pop()
        return self.open[-1][1] if self.open else self.root

    def _content(self, lines: Sequence[Line]) -> list[Line]:
        """The lines with words; word-less lines are marked as layout."""
        kept = []
        for line in lines:
            if line.blank:
                continue
            if _is_layout(line):
                self.ctx.mark_layout(line)
            else:
                kept.append(line)
        return kept

    def _title(self, lines: Sequence[Line]) -> None:
        kept = self._content(lines)
        if not kept:
            return
        self.root.add(
            Node(
                kind="title",
                slug="title",
                title="Title",
                start=kept[0].content_start,
                end=kept[-1].content_end,
                cite="title",
                passage=True,
            )
        )

    def _heading(self, block: _Block, head: _Numbered) -> None:
        if head.depth == 1:
            self.open.clear()
        parent = self._parent(head.number)
        number = _dotted(block.cite)
        node = parent.add(
            Node(
                kind="section",
                slug="",
                title=f"{head.label} {head.text}",
                start=head.line.content_start,
                end=head.line.content_end,
            )
        )
        self.open.append((head.number, node))
        kept = self._content(block.lines)
        if kept:
            # Unnumbered text right under a heading is cited by the heading's number.
            node.add(
                Node(
                    kind="paragraph",
                    slug=number,
                    title=number,
                    start=kept[0].content_start,
                    end=kept[-1].content_end,
                    cite=f"§{number}",
                    passage=True,
                )
            )

    def _paragraph(self, block: _Block, head: _Numbered) -> None:
        parent = self._parent(head.number)
        number = _dotted(block.cite)
        para = parent.add(
            Node(
                kind="paragraph",
                slug=number,
                title=number,
                start=head.line.content_start,
                end=head.line.content_end,
                cite=f"§{number}",
                passage=True,
                body_start=head.body,
                label=head.label,
                lead_in=self.lead_ins.get(block.cite[:-1]),
            )
        )
        self._tail(para, head, block.lines)
        own = clean_text(self.ctx.text[head.body : para.end])
        if own.endswith(":"):
            self.lead_ins[block.cite] = _last_sentence(own)

    def _runs(self, lines: Sequence[Line]) -> list[_Run]:
        runs: list[_Run] = []
        blank_before = False
        for line in lines:
            if line.blank:
                if runs and not runs[-1].closed_by_blank and not blank_before:
                    runs[-1].closed_by_blank = True
                blank_before = True
                continue
            if _is_layout(line):
                self.ctx.mark_layout(line)
                continue
            if not runs or blank_before:
                runs.append(_Run(lines=[line], after_blank=blank_before))
            else:
                runs[-1].lines.append(line)
            blank_before = False
        return runs

    def _tail(self, para: Node, head: _Numbered, lines: Sequence[Line]) -> None:
        """Split what follows a paragraph line into continuation lines, lettered items and boxes."""
        last = para  # the node that ends at the latest continuation line
        boxes = 0
        for run in self._runs(lines):
            k = 0
            if not run.after_blank:
                if run.closed_by_blank:
                    while k < len(run.lines) and _continues(run.lines[k]):
                        k += 1
                else:
                    k = len(run.lines)
                for line in run.lines[:k]:
                    item = _ITEM.match(line.raw, _words_at(line))
                    if item:
                        last = para.add(self._item(para, line, item))
                    else:
                        last.end = line.content_end
            rest = run.lines[k:]
            if not rest:
                continue
            boxes += 1
            start = rest[0].content_start
            first = clean_text(rest[0].raw)
            title = first if _title_like(first) else None
            if title is None and not run.after_blank:
                glued_line = run.lines[k - 1] if k else head.line
                lo = head.body if glued_line is head.line else glued_line.start
                glued = _glued_title(glued_line, lo)
                if glued is not None:
                    title = clean_text(self.ctx.text[glued : glued_line.end])
                    start = glued
                    last.end = glued
            para.add(self._box(boxes, start, rest[-1].content_end, title))

    def _item(self, para: Node, line: Line, m: re.Match[str]) -> Node:
        letter = m.group("letter")
        return Node(
            kind="paragraph",
            slug=letter,
            title=f"{para.title} {letter}",
            start=line.content_start,
            end=line.content_end,
            cite=f"item {letter}",
            passage=True,
            body_start=line.start + m.end(),
            label=letter + m.group("punct"),
        )

    @staticmethod
    def _box(n: int, start: int, end: int, title: str | None) -> Node:
        return Node(
            kind="box",
            slug=f"box-{n}",
            title=f"Box {n}: {title.rstrip(':').strip()}" if title else f"Box {n}",
            start=start,
            end=end,
            cite=f"box {n}",
            passage=True,
        )

    def _table(self, parent: Node, lines: Sequence[Line]) -> None:
        """A timetable: caption lines, then rows of two tab-started cells (date, description)."""
        caption_match = _table_caption(lines[0])
        n = caption_match.group("n") if caption_match else "1"
        # Unindented lines before the first tab-started cell continue the caption (WTPF-26 prints
        # "Table 1" and its title on two lines).
        i = 1
        while i < len(lines) and not lines[i].raw.startswith("\t"):
            i += 1
        caption = self._content(lines[:i])
        words = " ".join(clean_text(line.raw[_words_at(line) :]) for line in caption)
        words = re.sub(rf"^Table\s+{n}\b[\s:.–-]*", "", words)
        table = parent.add(
            Node(
                kind="table",
                slug=f"table-{n}",
                title=f"Table {n}: {words}" if words else f"Table {n}",
                start=caption[0].content_start,
                end=caption[-1].content_end,
                cite=f"Table {n}",
            )
        )
        rows: list[list[list[Line]]] = []  # rows of cells of lines
        for line in self._content(lines[i:]):
            if line.raw.startswith("\t"):
                if not rows or len(rows[-1]) == 2:
                    rows.append([[line]])
                else:
                    rows[-1].append([line])
            else:
                rows[-1][-1].append(line)  # a cell's text continued on an unindented line
        for cells in rows:
            table.add(self._row(cells))

    def _row(self, cells: list[list[Line]]) -> Node:
        date = clean_text(" ".join(line.raw for line in cells[0]))
        if len(cells) < 2:
            self.ctx.warn(cells[0][0].no, f"timetable row {date!r} has no description cell")
        slug = slugify(date.split("(")[0]) if not date.startswith("(") else slugify(date)
        return Node(
            kind="table-row",
            slug=slug,
            title=date,
            start=cells[0][0].content_start,
            end=cells[-1][-1].content_end,
            cite=date,
            passage=True,
            label=date,
        )


def _annex(ctx: ParseContext, lines: Sequence[Line]) -> Node:
    """The annex of draft opinions: its heading (if printed) and the instruments, read elsewhere."""
    first = lines[0]
    if _DRAFT_OPINION.match(first.raw, _words_at(first)):
        # No annex heading is printed (WTPF-26): the report's own list names it "Annex: Draft Opinions".
        annex = Node(kind="annex", slug="", title="Annex: Draft Opinions", start=first.start, end=first.start)
        rest = lines
    else:
        annex = Node(
            kind="annex",
            slug="",
            title=clean_text(first.raw),
            start=first.content_start,
            end=first.content_end,
        )
        rest = lines[1:]
    layout_before = len(ctx.layout)
    try:
        annex.children.extend(resolutions.parse_instruments(ctx, rest))
    except (ParseError, ValueError, IndexError, KeyError) as exc:
        # A failure in the opinions must not cost the report body its structure.
        del ctx.layout[layout_before:]
        annex.children.clear()
        line_no = (
            ctx.line_at(exc.offset).no
            if isinstance(exc, ParseError) and exc.offset
            else rest[0].no
            if rest
            else first.no
        )
        ctx.warn(line_no, f"draft opinions not parsed ({exc!r}); annex indexed as plain paragraphs")
        annex.children.extend(paragraph_nodes(ctx, rest, slug_prefix="annex-p"))
    return annex

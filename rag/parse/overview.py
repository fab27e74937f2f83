"""Conference overview and Baku Action Plan (Part II) of the WTDC report.

Both regions are prose under numbered headings (``1  Background``, ``2.1  Regional preparatory
meetings``), tab-indented, with what the Word export made of the rest:

- unnumbered sub-headings (``Committee 1: Steering Committee``, ``Affordable connectivity``, the
  defined terms of the plan's terminology), bulleted sub-headings (``•  Membership-driven``);
- ``–`` lists, often after a lead-in sentence ending with a colon, items sometimes followed by deeper
  indented paragraphs that belong to them;
- tables flattened to one cell per line: whitespace-only lines mark the structure (at depth ``C - 2``
  a row boundary, at ``C - 1`` the end of a cell, cell text at depth ``C``), a soft line break inside
  a cell continues at depth 0, and a cell merged with the one above it is simply missing;
- figures (a caption and an ``[image: ...]`` line), speaker entries (name line, title line) and, at
  the end of the plan, its footnotes.

Ids mirror that structure: ``overview/2/2.1/p3`` (unnumbered paragraph 3 of section 2.1; paragraphs
are counted within their innermost heading, since nothing else numbers them),
``overview/2/2.1/table-1/rpm-arb`` (a table row, its slug from the first cell),
``action-plan/3/3.2/affordable-connectivity/table-1/improved-broadband-connectivity-in-developing-countries``,
``action-plan/annex/table-1``, ``action-plan/fn-1``. Numbered sections keep their parent's slug, as
every other node does, so the ids of section 1.1 do not depend on whether section 1 has words of its
own. Citations name the region, the innermost numbered section and the sub-headings:
"WTDC-25 Final Report, Conference overview, 2.1, paragraph 3",
"WTDC-25 Final Report, Baku Action Plan, 3.2, Affordable connectivity, Outcomes and indicators,
Improved broadband connectivity in developing countries, including…".
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.errors import ParseError
from rag.parse.spans import Line, clean_text, has_words
from rag.parse.tree import Node, ParseContext, footnote_node, slugify

logger = logging.getLogger(__name__)

_SECTION = re.compile(r"^(\d+(?:\.\d+)*)\t+(\S.*)$")
_FOOTNOTE = re.compile(r"^(\d+)\t+(?=\S)")
_FIGURE = re.compile(r"^Figure\s*(\d+)\s*:")
_IMAGE = re.compile(r"^\[image:")
_DASH = re.compile(r"^[–—-]\t+")
_BULLET = re.compile(r"^•\t+")
_SPEAKER = re.compile(r"^(?:H\.\s?E\.\s+)?(?:Mr|Ms|Mrs|Dr|Prof)\.?\s")
_TERMINAL = re.compile(r"[.:;,!?]$")

# A heading is one short line; anything longer is prose even without a full stop.
_HEADING_MAX_WORDS = 25
# A header cell is a column title; longer cells, or cells ending like a sentence, are data.
_HEADER_CELL_MAX_WORDS = 12
# A lead-in and its items are one passage when no item has paragraphs of its own and the whole list
# stays this short (the outputs of the plan, "WTDC-25 adopted: ..."); longer lists are cited item by item.
_SHORT_LIST_MAX_WORDS = 150
# A table row is split into one passage per cell when it is this long and has several cells (the
# outcomes of each priority in the plan's contribution to the strategic plan).
_LONG_ROW_WORDS = 120
_ROW_LABEL_MAX_WORDS = 6
_CITE_MAX_WORDS = 8


@dataclass(frozen=True, slots=True)
class _Chapter:
    """An unnumbered top-level division of a region (the plan's annex), found by its heading."""

    pattern: re.Pattern[str]
    slug: str
    cite: str


_PLAN_CHAPTERS = (
    _Chapter(re.compile(r"^ANNEX\b|^Annex\b"), "annex", "Annex"),
    _Chapter(
        re.compile(r"^ITU-D contribution to the strategic and financial plans"),
        "contribution-2028-2031",
        "ITU-D contribution to the strategic and financial plans for 2028–2031",
    ),
)


def parse_overview(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """The conference overview: numbered sections, their paragraphs, tables and speaker lists.

    Example:
        >>> nodes = parse_overview(ctx, ctx.lines[:first_part])      # doctest: +SKIP
        >>> nodes[0].title                                           # doctest: +SKIP
        '1 Background'
    """
    return _Region(ctx, cite="Conference overview", chapters=()).parse(lines)


def parse_action_plan(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """Part II, the Baku Action Plan: sections, priorities with their outcome tables, annex, footnotes."""
    return _Region(ctx, cite="Baku Action Plan", chapters=_PLAN_CHAPTERS).parse(lines)


# --------------------------------------------------------------------------------------------------
# Tokens: blocks of consecutive lines outside tables, and tables


def _ws_only(line: Line) -> bool:
    """A line of nothing but tabs and spaces: the skeleton of a flattened table."""
    return bool(line.raw) and line.blank


@dataclass(slots=True)
class _Block:
    """Consecutive non-blank lines outside a table: a heading, a paragraph, a list item ..."""

    lines: list[Line]

    @property
    def start(self) -> int:
        return self.lines[0].content_start

    @property
    def end(self) -> int:
        return self.lines[-1].content_end

    @property
    def indent(self) -> int:
        return self.lines[0].indent

    @property
    def head(self) -> str:
        return self.lines[0].stripped


@dataclass(slots=True)
class _Cell:
    lines: list[Line]
    text: str = ""

    @property
    def start(self) -> int:
        return self.lines[0].content_start

    @property
    def end(self) -> int:
        return self.lines[-1].content_end


@dataclass(slots=True)
class _Table:
    rows: list[list[_Cell]]
    first_line: Line


_Token = _Block | _Table


def _tokenize(ctx: ParseContext, lines: Sequence[Line]) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.blank:
            if _ws_only(line) and line.indent >= 4:
                table, after = _read_table(ctx, lines, i)
                if table is not None:
                    tokens.append(table)
                    i = after
                    continue
            i += 1
            continue
        block = [line]
        i += 1
        # only a soft line break (a line at depth 0) continues a block; an indented line starts anew
        while i < len(lines) and not lines[i].blank and lines[i].indent == 0:
            block.append(lines[i])
            i += 1
        tokens.append(_Block(block))
    return tokens


def _read_table(ctx: ParseContext, lines: Sequence[Line], i: int) -> tuple[_Table | None, int]:
    """Read the flattened table whose skeleton starts at ``lines[i]``; None if it has no cells.

    The table runs until its skeleton closes (a whitespace line shallower than where it opened) or
    prose at the body's depth appears. A line at depth 0 right after a cell line is a soft line break
    inside that cell.
    """
    top = lines[i].indent
    extent: list[Line] = []
    j = i
    previous_content = False
    while j < len(lines):
        line = lines[j]
        if line.blank:
            if _ws_only(line) and line.indent < top:
                break
            previous_content = False
        elif line.indent >= top or (line.indent == 0 and previous_content):
            previous_content = True
        else:
            break
        extent.append(line)
        j += 1
    depths = [line.indent for line in extent if not line.blank and line.indent > 0]
    if not depths:
        return None, j
    cell_depth = max(depths)
    rows: list[list[_Cell]] = []
    row: list[_Cell] = []
    cell: list[Line] = []
    cells_seen = False
    for line in extent:
        if not line.blank:
            cell.append(line)
        elif _ws_only(line) and line.indent == cell_depth - 1:
            row.append(_Cell(cell))
            cell = []
            cells_seen = True
        elif _ws_only(line) and line.indent == cell_depth - 2 and (row or cell):
            if cell:
                row.append(_Cell(cell))
                cell = []
            rows.append(row)
            row = []
    if cell:
        row.append(_Cell(cell))
    if row:
        rows.append(row)
    if not cells_seen:
        return None, j
    for r in rows:
        for c in r:
            if not c.lines:
                continue
            text = clean_text(ctx.text[c.start : c.end])
            if has_words(text):
                c.text = text
            else:  # a cell of dashes or empty markup
                for line in c.lines:
                    ctx.mark_layout(line)
                c.lines = []
    rows = [r for r in rows if any(c.text for c in r)]
    return (_Table(rows, lines[i]) if rows else None), j


# --------------------------------------------------------------------------------------------------
# Building the tree


# Letters NFKD does not decompose into a base letter and an accent.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "ı": "i"})


def _slug(text: str) -> str:
    """``slugify`` of the text with accents folded, so that "Dušan Matulay" gives ``dusan-matulay``."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return slugify("".join(ch for ch in folded if not unicodedata.combining(ch)))


def _words(text: str) -> int:
    return len(text.split())


def _short_cite(text: str) -> str:
    """A cell's words shortened for a citation: at most a few words, trailing colon dropped."""
    text = text.rstrip(" :")
    words = text.split()
    return text if len(words) <= _CITE_MAX_WORDS else " ".join(words[:_CITE_MAX_WORDS]).rstrip(",;") + "…"


@dataclass(slots=True)
class _Scope:
    """A place passages go: the region, a numbered section, a chapter or a sub-heading."""

    node: Node | None  # None: the region itself
    cites: tuple[str, ...]
    shape: str = ""  # how a sibling sub-heading starts (its first word, or the bullet)
    paragraphs: int = 0
    tables: int = 0


@dataclass(slots=True)
class _Region:
    """Walks the tokens of one region, keeping the stack of sections and sub-headings."""

    ctx: ParseContext
    cite: str
    chapters: tuple[_Chapter, ...]
    nodes: list[Node] = field(default_factory=list)
    root: _Scope = field(init=False)
    sections: list[tuple[str, _Scope]] = field(default_factory=list)
    chapter: _Scope | None = None
    headings: list[_Scope] = field(default_factory=list)
    pending_titles: list[tuple[int, int]] = field(default_factory=list)
    after_heading: bool = False
    started: bool = False

    def __post_init__(self) -> None:
        self.root = _Scope(None, (self.cite,))

    # -- scopes ------------------------------------------------------------------------------------

    @property
    def base(self) -> _Scope:
        if self.sections:
            return self.sections[-1][1]
        return self.chapter or self.root

    @property
    def scope(self) -> _Scope:
        return self.headings[-1] if self.headings else self.base

    def attach(self, scope: _Scope, node: Node) -> Node:
        if scope.node is None:
            self.nodes.append(node)
        else:
            scope.node.add(node)
        self.started = True
        return node

    # -- the walk ----------------------------------------------------------------------------------

    def parse(self, lines: Sequence[Line]) -> list[Node]:
        tokens = _tokenize(self.ctx, lines)
        k = 0
        while k < len(tokens):
            k = self.step(tokens, k)
        for start, end in self.pending_titles:
            # a title with nothing after it: keep it as a heading of the region
            self.nodes.append(
                Node(
                    kind="heading", slug="", title=clean_text(self.ctx.text[start:end]), start=start, end=end
                )
            )
        return self.nodes

    def step(self, tokens: list[_Token], k: int) -> int:
        """Consume the token at ``k`` (and any that belong to it); return the next index."""
        token = tokens[k]
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if isinstance(token, _Table):
            self.table(token, caption=None, intro=self.intro(tokens, k))
            self.after_heading = False
            return k + 1
        kind = self.classify(token)
        text = clean_text(self.ctx.text[token.start : token.end])
        if not has_words(text):
            for line in token.lines:
                self.ctx.mark_layout(line)
            return k + 1
        if kind == "section":
            m = self.match(_SECTION, token)
            self.section(token, m.group(1), clean_text(m.group(2)))
            return k + 1
        if kind == "chapter":
            self.start_chapter(token, text)
            return k + 1
        if kind == "footnote":
            self.footnote(token)
            return k + 1
        if kind == "heading" or kind == "bullet-heading":
            if isinstance(nxt, _Table) and kind == "heading":
                self.table(nxt, caption=token)
                self.after_heading = False
                return k + 2
            if not self.started and isinstance(nxt, _Block) and self.classify(nxt) == "section":
                self.pending_titles.append((token.start, token.end))
                return k + 1
            self.heading(token, text, bullet=kind == "bullet-heading")
            return k + 1
        self.after_heading = False
        if kind == "figure":
            image = nxt if isinstance(nxt, _Block) and _IMAGE.match(nxt.head) else None
            self.figure(token, image)
            return k + (2 if image else 1)
        if kind == "speaker":
            self.speaker(token)
            return k + 1
        if kind == "item":
            items, after = self.collect_items(tokens, k)
            for item in items:
                self.item(item, lead_in=None)
            return after
        # a paragraph; one ending with a colon may introduce a list
        if text.endswith(":") and isinstance(nxt, _Block) and self.classify(nxt) == "item":
            items, after = self.collect_items(tokens, k + 1)
            self.list_with_lead_in(token, text, items)
            return after
        self.paragraph(token.start, token.end)
        return k + 1

    def intro(self, tokens: list[_Token], k: int) -> str | None:
        """The sentence introducing an uncaptioned table ("... elected the following officers:")."""
        prev = tokens[k - 1] if k > 0 else None
        if not isinstance(prev, _Block) or self.classify(prev) != "paragraph":
            return None
        text = clean_text(self.ctx.text[prev.start : prev.end])
        return text if text.endswith(":") else None

    def match(self, pattern: re.Pattern[str], block: _Block) -> re.Match[str]:
        """The match ``classify`` relied on, re-done on the block's text from its first character."""
        m = pattern.match(self.ctx.text[block.start : block.lines[0].content_end])
        if m is None:
            raise ParseError(
                f"expected {pattern.pattern!r} here", file=self.ctx.meta.file, offset=block.start
            )
        return m

    def classify(self, block: _Block) -> str:
        head = block.head
        if block.indent >= 4:
            return "footnote" if _FOOTNOTE.match(head) else "paragraph"
        m = _SECTION.match(head)
        if m and _words(m.group(2)) <= _HEADING_MAX_WORDS and not m.group(2).rstrip().endswith("."):
            return "section"
        if any(c.pattern.match(head) for c in self.chapters):
            return "chapter"
        if _FIGURE.match(head):
            return "figure"
        single = len(block.lines) == 1
        title = _BULLET.sub("", head)
        is_title = single and _words(title) <= _HEADING_MAX_WORDS and not _TERMINAL.search(title)
        if _BULLET.match(head):
            return "bullet-heading" if is_title else "paragraph"
        if _DASH.match(head):
            return "item"
        if is_title and not _IMAGE.match(head):
            return "heading"
        if not single and _SPEAKER.match(head):
            return "speaker"
        return "paragraph"

    # -- structure ---------------------------------------------------------------------------------

    def section(self, block: _Block, number: str, title: str) -> None:
        while self.sections and not number.startswith(self.sections[-1][0] + "."):
            self.sections.pop()
        parent = self.base
        node = Node(
            kind="section",
            slug=number,
            title=f"{number} {title}",
            start=block.start,
            end=block.end,
            label=number,
            extra_headings=list(self.pending_titles),
        )
        self.pending_titles.clear()
        self.attach(parent, node)
        self.sections.append((number, _Scope(node, (self.cite, number))))
        self.headings.clear()
        self.after_heading = False

    def start_chapter(self, block: _Block, text: str) -> None:
        chapter = next(c for c in self.chapters if c.pattern.match(block.head))
        node = Node(kind="chapter", slug=chapter.slug, title=text, start=block.start, end=block.end)
        node.extra_headings.extend(self.pending_titles)
        self.pending_titles.clear()
        self.attach(self.root, node)
        self.sections.clear()
        self.headings.clear()
        self.chapter = _Scope(node, (self.cite, chapter.cite))
        self.after_heading = False

    def heading(self, block: _Block, text: str, *, bullet: bool) -> None:
        """Open a sub-heading.

        Headings printed one after another nest (a date, a session, "Speakers"). A heading after
        text replaces the open heading it resembles (same first word, or both bulleted); a bulleted
        one that resembles none opens under the current heading, any other one replaces them all.
        """
        title = clean_text(_BULLET.sub("", block.head))
        shape = "•" if bullet else title.split()[0].lower()
        # A one-word heading printed right under another one labels the list that follows
        # ("Speakers"): it stays in the path but adds nothing to ids and citations, so that a
        # session printed without it (Session 4) identifies its speakers the same way.
        label_only = self.after_heading and _words(title) == 1
        if not self.after_heading:
            same = [n for n, h in enumerate(self.headings) if h.shape == shape]
            if same:
                del self.headings[same[-1] :]
            elif not bullet:
                self.headings.clear()
        parent = self.scope
        node = Node(
            kind="heading",
            slug="" if label_only else _slug(title),
            title=title,
            start=block.start,
            end=block.end,
        )
        self.attach(parent, node)
        cites = parent.cites if label_only else parent.cites + (title,)
        self.headings.append(_Scope(node, cites, shape=shape))
        self.after_heading = True

    # -- passages ----------------------------------------------------------------------------------

    def paragraph(
        self, start: int, end: int, *, body_start: int | None = None, lead_in: str | None = None
    ) -> Node:
        scope = self.scope
        scope.paragraphs += 1
        n = scope.paragraphs
        node = Node(
            kind="paragraph",
            slug=f"p{n}",
            title=f"paragraph {n}",
            start=start,
            end=end,
            body_start=body_start,
            cite=", ".join(scope.cites + (f"paragraph {n}",)),
            passage=True,
            lead_in=lead_in,
        )
        return self.attach(scope, node)

    def collect_items(self, tokens: list[_Token], k: int) -> tuple[list[list[_Block]], int]:
        """The ``–`` items from ``k`` on, each with the deeper-indented paragraphs that follow it."""
        items: list[list[_Block]] = []
        while k < len(tokens):
            token = tokens[k]
            if not isinstance(token, _Block):
                break
            kind = self.classify(token)
            if kind == "item":
                items.append([token])
            elif items and kind == "paragraph" and token.indent > items[-1][0].indent:
                items[-1].append(token)
            else:
                break
            k += 1
        return items, k

    def item(self, item: list[_Block], *, lead_in: str | None) -> None:
        """One ``–`` item, with the indented paragraphs printed under it while they stay short.

        A long item (a priority described over several paragraphs) is cited paragraph by
        paragraph instead, each later paragraph led in by the item's own label ("Digital
        transformation"), so that no passage outgrows what the embedding model reads.
        """
        first = item[0]
        dash = _DASH.match(self.ctx.text[first.start : first.end])
        body = first.start + dash.end() if dash else None
        words = sum(_words(clean_text(self.ctx.text[b.start : b.end])) for b in item)
        if words <= _SHORT_LIST_MAX_WORDS:
            self.paragraph(first.start, item[-1].end, body_start=body, lead_in=lead_in)
            return
        self.paragraph(first.start, first.end, body_start=body, lead_in=lead_in)
        head = clean_text(self.ctx.text[body or first.start : first.end])
        label, colon, _ = head.partition(":")
        own = label if colon and _words(label) <= _HEADER_CELL_MAX_WORDS else None
        if own is None and _words(head) <= _HEADING_MAX_WORDS:
            own = head
        for block in item[1:]:
            self.paragraph(block.start, block.end, lead_in=own or lead_in)

    def list_with_lead_in(self, lead: _Block, lead_text: str, items: list[list[_Block]]) -> None:
        words = _words(lead_text) + sum(
            _words(clean_text(self.ctx.text[b.start : b.end])) for item in items for b in item
        )
        if all(len(item) == 1 for item in items) and words <= _SHORT_LIST_MAX_WORDS:
            self.paragraph(lead.start, items[-1][-1].end)
            return
        self.paragraph(lead.start, lead.end)
        for item in items:
            self.item(item, lead_in=lead_text)

    def speaker(self, block: _Block) -> None:
        """A speaker of the high-level segment: name line, then title and country."""
        name = clean_text(block.lines[0].raw)
        scope = self.scope
        node = Node(
            kind="paragraph",
            slug=_slug(_SPEAKER.sub("", name)),
            title=name,
            start=block.start,
            end=block.end,
            cite=", ".join(scope.cites + (name,)),
            passage=True,
        )
        self.attach(scope, node)

    def figure(self, caption: _Block, image: _Block | None) -> None:
        m = self.match(_FIGURE, caption)
        scope = self.scope
        node = Node(
            kind="paragraph",
            slug=f"figure-{m.group(1)}",
            title=clean_text(self.ctx.text[caption.start : caption.end]),
            start=caption.start,
            end=(image or caption).end,
            cite=", ".join(scope.cites + (f"Figure {m.group(1)}",)),
            passage=True,
            label=f"Figure {m.group(1)}",
        )
        self.attach(scope, node)

    def footnote(self, block: _Block) -> None:
        """A footnote of the region (the plan's, printed after its last table), under the region."""
        # the block starts at its first non-blank character, so the match's offsets are the file's
        m = self.match(_FOOTNOTE, block)
        number = m.group(1)
        body = block.start + m.end()
        cite = ", ".join((self.cite, f"footnote {number}"))
        node = footnote_node(number, block.start, block.end, body_start=body, cite=cite)
        self.attach(self.root, node)

    # -- tables ------------------------------------------------------------------------------------

    def table(self, table: _Table, *, caption: _Block | None, intro: str | None = None) -> None:
        """One passage per row, continued rows (a merged first cell) joined to the row they continue.

        The header row, when the first row looks like one, is kept as headings and given to every
        row as its lead-in, so that a row reads alone ("RPM | Dates | City and host country ...").
        A table with a single row is one passage; a long row of several cells is split by cell.
        """
        scope = self.scope
        scope.tables += 1
        n = scope.tables
        caption_text = clean_text(self.ctx.text[caption.start : caption.end]) if caption else None
        title = caption_text or f"Table {n}"
        table_cite = caption_text or f"table {n}"
        rows = table.rows
        header: list[_Cell] = []
        if len(rows) > 1 and _is_header(rows[0]):
            header, rows = rows[0], rows[1:]
        header_texts = [c.text for c in header]
        header_line = " | ".join(t for t in header_texts if t) or None
        lead_in = " – ".join(t for t in (intro, header_line) if t) or None
        anchor = caption.start if caption else table.first_line.content_start
        node = Node(
            kind="table",
            slug=f"table-{n}",
            title=title,
            start=anchor,
            end=caption.end if caption else anchor,
        )
        node.extra_headings.extend((c.start, c.end) for c in header if c.lines)
        self.attach(scope, node)
        cites = scope.cites + (table_cite,)
        logical = _group_rows(rows)
        data = [g for g in logical if not _is_note(g)]
        if len(data) == 1 and not _splits_by_cell(data[0], header_texts):
            # the table is its one row: cite the table itself
            group = data[0]
            node.kind = "table-row"
            node.passage = True
            if caption:
                node.extra_headings.append((caption.start, caption.end))
            node.start, node.end = _group_span(group)
            node.cite = ", ".join(cites)
            node.lead_in = " – ".join(t for t in (caption_text, intro, header_line) if t) or None
            for group in logical:
                if _is_note(group):
                    self.table_note(node, cites, group)
            return
        for group in logical:
            if _is_note(group):
                self.table_note(node, cites, group)
            elif _splits_by_cell(group, header_texts):
                self.row_by_cell(node, cites, group[0], header_texts)
            else:
                self.row(node, cites, group, lead_in)

    def row(self, table: Node, cites: tuple[str, ...], group: list[list[_Cell]], lead_in: str | None) -> None:
        texts = [c.text for row in group for c in row if c.text]
        first = texts[0]
        start, end = _group_span(group)
        title = " | ".join(texts)
        table.add(
            Node(
                kind="table-row",
                slug=_slug(first),
                title=title if len(title) <= 120 else title[:119] + "…",
                start=start,
                end=end,
                cite=", ".join(cites + (_short_cite(first),)),
                passage=True,
                lead_in=lead_in,
            )
        )

    def row_by_cell(self, table: Node, cites: tuple[str, ...], row: list[_Cell], header: list[str]) -> None:
        """A long row: its label cell is a heading, each other cell a passage under its column."""
        cells = list(row)
        label_cell = cells[0] if cells[0].text and _words(cells[0].text) <= _ROW_LABEL_MAX_WORDS else None
        label = label_cell.text if label_cell else None
        row_node = table.add(
            Node(
                kind="row",
                slug=_slug(label) if label else "",
                title=label or "row",
                start=label_cell.start if label_cell else cells[0].start,
                end=label_cell.end if label_cell else cells[0].start,
            )
        )
        column_title = header[0] if header and label_cell else None
        for col, cell in enumerate(cells):
            if cell is label_cell or not cell.text:
                continue
            name = header[col] if col < len(header) and header[col] else f"column {col + 1}"
            row_node.add(
                Node(
                    kind="table-cell",
                    slug=_slug(name),
                    title=name,
                    start=cell.start,
                    end=cell.end,
                    cite=", ".join(cites + tuple(t for t in (label, _short_cite(name)) if t)),
                    passage=True,
                    lead_in=f"{column_title}: {name}" if column_title else name,
                )
            )

    def table_note(self, table: Node, cites: tuple[str, ...], group: list[list[_Cell]]) -> None:
        """A note row under a table (``* Result chains ...``): a footnote of the table."""
        start, end = _group_span(group)
        table.add(
            Node(
                kind="footnote",
                slug="note",
                title="note",
                start=start,
                end=end,
                cite=", ".join(cites + ("note",)),
                passage=True,
            )
        )


def _is_header(row: list[_Cell]) -> bool:
    texts = [c.text for c in row if c.text]
    return len(texts) >= 2 and all(
        _words(t) <= _HEADER_CELL_MAX_WORDS and not t.endswith((":", ".", ";")) for t in texts
    )


def _is_note(group: list[list[_Cell]]) -> bool:
    texts = [c.text for row in group for c in row if c.text]
    return len(group) == 1 and len(texts) == 1 and texts[0].startswith("*")


def _group_rows(rows: list[list[_Cell]]) -> list[list[list[_Cell]]]:
    """Join each row that has fewer cells than the row it follows (its first cells were merged)."""
    groups: list[list[list[_Cell]]] = []
    for row in rows:
        note = len([c for c in row if c.text]) == 1 and row[-1].text.startswith("*")
        if groups and not note and not _is_note(groups[-1]) and len(row) < len(groups[-1][0]):
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def _group_span(group: list[list[_Cell]]) -> tuple[int, int]:
    cells = [c for row in group for c in row if c.lines]
    return min(c.start for c in cells), max(c.end for c in cells)


def _splits_by_cell(group: list[list[_Cell]], header: list[str]) -> bool:
    if len(group) != 1 or not header:
        return False
    texts = [c.text for c in group[0] if c.text]
    return len(texts) >= 3 and sum(_words(t) for t in texts) > _LONG_ROW_WORDS

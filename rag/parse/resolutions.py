"""Resolutions, recommendations, draft opinions and the Baku Declaration: clause blocks and their items.

An ITU instrument reads: a heading (``RESOLUTION 15 (Rev. Kigali, 2022)``, ``RECOMMENDATION ITU-D 19``,
``DRAFT OPINION 4: Space connectivity``), a title, a preamble ("The World Telecommunication Development
Conference (Kigali, 2022),"), then clause blocks. A block heading names the block's role and, for
operative blocks, its addressee ("instructs the Director of the Telecommunication Development Bureau,
in collaboration with ..."); the block holds lettered (``a)``) or numbered (``1``) items, nested items
(``i)``, ``–`` indents, ``•`` bullets, ``1.1``), or one unnumbered body. Annexes, sections (Resolution 1)
and footnotes follow.

What the extractions look like:

- WTDC report (002): tab-indented paragraphs separated by blank lines; long lines wrap onto an
  unindented next line; nesting is not shown by indentation, only by labels and a lead-in ending in
  ``:``; footnotes are ``\\t\\t\\t\\t\\t\\tN\\ttext`` lines after the instrument, their markers glued to a
  word (``developing countries1``); tables in annexes are cells indented by seven tabs.
- WTPF reports (000, 001): one paragraph per line, no blank lines, labels ``a)``, ``1``, ``1.``; Word
  bookmarks (``[bookmark: _Hlk...]``) before a label or heading; revision marks flattened into labels
  (``dc)``, ``74``, ``912``) and square brackets around text under discussion.

Ids and citations (all under the document id; the Part or annex above adds no slug):

- instrument: ``res-15``, ``rec-19``, ``draft-opinion-4``; cite "Resolution 15 (Rev. Kigali, 2022)",
  "Recommendation ITU-D 19", "Draft Opinion 4"; its span is the heading line.
- ``res-15/title`` (kind title; a date or status line in brackets is part of it), ``res-15/preamble``,
  ``rec-15/question`` (the study Question a recommendation answers), other front text ``res-N/p1``.
- block: the printed role words (``recalling``, ``recognizing-further``, ``noting-with-concern``,
  ``resolves-to-instruct``, ``instructs``, ``is-of-the-view``); when two sibling blocks share them, a
  short addressee is added (``invites-developing-countries``; bureaux abbreviated: ``director-bdt``),
  then the full addressee, then ``-2``. Cite: the role words plus the addressee with bureau names
  abbreviated (BDT, BR, TSB) and cut before ", in collaboration with ...": "instructs the Director of
  BDT"; the full addressee when that would not tell two sibling blocks apart. A block with one
  unnumbered body is itself the passage; a body before numbered items is the block passage too, and
  the items are its children.
- item: slug = the number a reader cites (``a``, ``4``, ``ii``, ``2.1.1.1``; revision marks resolved
  from the item's place in its sequence: ``dc)`` after ``c)`` is ``d``, ``74`` after ``6`` is ``7``),
  cite ``a)``, ``4``, ``ii)``; ``–``/``•``/``*`` items are ``indent-N`` (cite "indent N"); nested items
  are children (``res-1/resolves/1.1/i/ii``). Decimal paragraphs (Resolution 1's rules of procedure)
  stay flat under their block (``res-1/resolves/2.1.1.1``), with their heading ancestors in ``lead_in``.
  Indents are counted per parent, so a second run of dashes under the same item goes on counting.
- an unlabelled paragraph right after an item: merged into the item when the item so far is a heading
  ("2.2.1 Definition") or the paragraph is indented deeper; otherwise a child ``p2``, ``p3``
  (cite "paragraph 2"). After a list that ends with a full stop, a capitalised paragraph goes to the
  item that led into the list (``res-1/resolves/7.1.1/p2``). ``NOTE – ...`` paragraphs are ``note``,
  ``note-2``. A paragraph ending in ``:`` before a new list becomes part of its items' ``lead_in``.
- ``res-1/resolves`` sections (``SECTION 2 – ...``) add no slug; annexes ``res-2/annex-1/...``,
  ``res-75/annex/...`` (kind annex except inside clause blocks) with a ``title`` passage, short
  sub-headings as slugs (``res-2/annex-2/study-group-1/indent-1``), tables ``res-2/annex-3/table-1/row-2``
  (kind table-row, cells of a row joined); footnotes ``res-15/fn-1`` (kind footnote, cite "footnote 1").
- lines before the first instrument or after a closing ``_____`` rule: short unpunctuated ones are
  headings (outline only), others ``front-pN``/``end-pN`` paragraphs. A region without any instrument
  heading is read as plain paragraphs, with a warning.

The Baku Declaration (Part I of 002; the Part adds the ``declaration`` slug), see ``parse_declaration``:
``declaration/title``, ``declaration/preamble/1`` (cite "preamble, paragraph 1"), a block per lead-in
sentence named by its verb (``declaration/declare/1`` cited "Baku Declaration, we declare that, 1)";
``declaration/affirm/a``), unlabelled paragraphs continuing an item ``declaration/affirm/a/p2``
(cite "a), paragraph 2"), closing paragraphs ``declaration/closing/1``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.parse.blocks import ADDRESSEE_PURPOSE, BlockInfo, name_blocks
from rag.parse.labels import (
    FIRST_LABEL,
    INDENT_KINDS,
    KINDS_WITH_SEQUENCE,
    ListLevel,
    label_kinds,
    reader_value,
    successor,
)
from rag.parse.plain import paragraph_nodes
from rag.parse.roles import ITU_OPERATIVE, ITU_PREAMBULAR
from rag.parse.spans import BOOKMARK_PREFIX, Line, clean_text, strip_markup
from rag.parse.tree import Node, ParseContext, footnote_node, slugify
from rag.types import ClauseRole, PassageKind

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------------
# Printed patterns

_INSTRUMENT = re.compile(
    r"(?:RESOLUTION\s+(?P<res>\d+)\s*(?P<paren>\([^()]*\))"
    r"|RECOMMENDATION\s+ITU-D\s+(?P<rec>\d+)"
    r"|(?P<draft>DRAFT\s+)?OPINION\s+(?P<op>\d+)\s*(?::\s*(?P<optitle>\S.*?))?)\s*$"
)
_ANNEX = re.compile(
    r"(?P<word>ANNEX|APPENDIX|ATTACHMENT|SUPPLEMENT|Annex|Appendix|Attachment|Supplement)"
    r"(?:\s+(?P<n>\d+|[A-Z]))?\s+(?:to|TO)\s+\S.*$"
)
_SECTION = re.compile(r"SECTION\s+(?P<n>\d+)\s*[–—-]\s*(?P<title>\S.*)$", re.DOTALL)
_PREAMBLE = re.compile(r"The\s.*\b(?:Conference|Forum|Bureau|Assembly|Sector)\b.*\),?\s*$", re.DOTALL)
_QUESTION = re.compile(r"Question\s+(?P<q>\d+(?:[-/]\d+)*/\d+)\s*:")
_NOTE = re.compile(r"NOTE\b")
_FOOTNOTE = re.compile(r"(?P<n>\d+)[ \t\u00a0]+(?=\S)")
_RULE = re.compile(r"[_\s]{5,}")
# A label, then the whitespace before the item's words. Bare numbers need a tab (``8 \t``) or a dot
# (``1.``) so that a paragraph opening with a number ("2030 Agenda ...") is not read as an item.
_LABEL = re.compile(
    r"(?P<label>[a-z]{1,2}\)|[ivxl]{3,6}\)|\d+(?:\.\d+)+\.?|\d+\.|\d+\)|\d+(?= *\t)|[–—−•*-])"
    r"(?P<sep>[ \t\u00a0]+)(?=\S)"
)
_EMPTY_LABEL = re.compile(r"\t(?=\S)")  # "\t\t\t\tWe underscore": an item continued under an empty label

# Block headings read with the shared clause-role vocabulary (``rag.parse.roles``). Preambular: the
# role words, optionally qualified ("recognizing further", "noting with concern"); they never name an
# addressee.
_PREAMBULAR = re.compile(
    r"(?P<pre>further\s+)?(?P<role>"
    + "|".join(sorted((re.escape(k) for k in ITU_PREAMBULAR), key=len, reverse=True))
    + r")(?P<qual>\s+(?:also|further|in particular|with [a-z ]{3,30}))?"
)
# Operative headings: role words, then the addressee (if any). Longest phrases first.
_OPERATIVE = re.compile(
    r"(?P<role>"
    + "|".join(re.escape(p) for p, _ in sorted(ITU_OPERATIVE, key=lambda pr: len(pr[0]), reverse=True))
    + r")(?:\s+(?P<addr>\S.*))?$",
    re.DOTALL,
)
_OPERATIVE_BY_PHRASE = dict(ITU_OPERATIVE)
_MAX_HEADING_CHARS = 320  # the longest block heading in the corpus has 261 characters

# A heading line whose addressee runs on to the next line ends with a word that cannot end it.
_DANGLING = re.compile(r"(?:\b(?:and|or|of|the|with|in|for|on|by|to)|[,/–-])\s*$")
_RUNS_ON = re.compile(r"(?:and|or|of|in\s+(?:close\s+)?(?:collaboration|cooperation|consultation)|with)\b")
_ENDS_CLOSED = re.compile(r"[.;:,!?][\"”’)\]]*\d*\s*$")
_ENDS_COLON = re.compile(r":[\"”’)\]\s]*$")
_HEADING_LIKE_CHARS = 160
_SUBHEADING_WORDS = 8


def _heading_like(text: str) -> bool:
    """Short and unpunctuated at the end: a heading ("2.2.1 Definition", "Study Group 1")."""
    return len(text) <= _HEADING_LIKE_CHARS and not _ENDS_CLOSED.search(text)


_ALNUM = re.compile(r"[^\W_]")


def _has_words(text: str) -> bool:
    """A letter or digit once markup is gone; a rule of underscores (``______``) has none."""
    return bool(_ALNUM.search(strip_markup(text)))


# --------------------------------------------------------------------------------------------------
# Paragraphs


@dataclass(slots=True)
class _Para:
    """A paragraph of the source: consecutive lines that belong together, with its label if any."""

    lines: list[Line]
    indent: int  # leading tabs of the first line
    start: int  # first printed character (bookmarks included)
    end: int
    words: int  # offset where the words start (after bookmarks)
    gap_tabs: frozenset[int] = frozenset()  # tab counts of whitespace-only lines before it (tables)
    label: str | None = None
    body_start: int | None = None

    def text(self, ctx: ParseContext) -> str:
        return clean_text(ctx.text[self.start : self.end])

    def body(self, ctx: ParseContext) -> str:
        return clean_text(ctx.text[self.body_start if self.body_start is not None else self.start : self.end])


def _leading_tabs(raw: str) -> int:
    ws = raw[: len(raw) - len(raw.lstrip(" \t\u00a0"))]
    return ws.count("\t")


def _line_words(ctx: ParseContext, line: Line) -> int:
    """Offset of the line's first printed word, after whitespace and Word bookmarks."""
    m = BOOKMARK_PREFIX.match(ctx.text, line.content_start, line.end)
    return m.end() if m else line.content_start


def _label_at(ctx: ParseContext, line: Line) -> re.Match[str] | None:
    return _LABEL.match(ctx.text, _line_words(ctx, line), line.end)


def _heading_text(text: str) -> bool:
    return bool(_block_heading(text)) or bool(_INSTRUMENT.match(text)) or bool(_ANNEX.match(text))


def _runs_on(heading: str, next_text: str) -> bool:
    """Whether a one-line heading continues on the next line (an addressee split over two lines)."""
    parsed = _block_heading(heading)
    if not parsed or not parsed[1].operative:
        return False
    return bool(_DANGLING.search(heading)) or bool(_RUNS_ON.match(next_text))


def _paragraphs(ctx: ParseContext, lines: Sequence[Line]) -> list[_Para | None]:
    """Group lines into paragraphs; ``None`` marks a rule line (``_____``) that ends the instruments.

    A paragraph ends at a blank line. In the tab-indented WTDC layout an unindented line continues
    the paragraph above (a wrapped line); in the one-line-per-paragraph layout of the WTPF reports
    each line is a paragraph, except a block heading whose addressee runs on to the next line.
    """
    out: list[_Para | None] = []
    cur: _Para | None = None
    gap: set[int] = set()
    for line in lines:
        if line.blank:
            if line.raw:
                gap.add(line.raw.count("\t"))
            cur = None
            continue
        if not _has_words(line.raw):
            ctx.mark_layout(line)
            if _RULE.fullmatch(line.raw) and "_" in line.raw:
                out.append(None)
            cur = None
            continue
        tabs = _leading_tabs(line.raw)
        words = _line_words(ctx, line)
        text = clean_text(ctx.text[words : line.content_end])
        labelled = _label_at(ctx, line) is not None
        if cur is not None and not labelled and not line.raw[:1].isspace():
            first = cur.lines[0]
            prev_text = clean_text(ctx.text[cur.words : cur.end])
            wrapped = cur.indent >= 2 and not _heading_text(text)
            if wrapped or (len(cur.lines) == 1 and _runs_on(prev_text, text) and first.raw[:1] != "\t"):
                cur.lines.append(line)
                cur.end = line.content_end
                continue
        cur = _Para(
            lines=[line],
            indent=tabs,
            start=line.content_start,
            end=line.content_end,
            words=words,
            gap_tabs=frozenset(gap),
        )
        gap = set()
        out.append(cur)
    for para in out:
        if para is None:
            continue
        m = _LABEL.match(ctx.text, para.words, para.lines[0].end)
        if m and not (para.indent >= 5 and m.group("label").isdigit()):
            para.label = m.group("label")
            para.body_start = m.end()
        elif para.indent == 4 and _EMPTY_LABEL.match(para.lines[0].raw, 3):
            para.label = ""  # an empty label cell: the paragraph continues the item above
    return out


# --------------------------------------------------------------------------------------------------
# Block headings


def _block_heading(text: str) -> tuple[str, ClauseRole, str | None] | None:
    """Split a block heading into (role words as printed, canonical role, addressee or None)."""
    text = clean_text(text)
    if not text or len(text) > _MAX_HEADING_CHARS or text[0].isupper() or text.endswith((";", ".")):
        return None
    m = _PREAMBULAR.fullmatch(text)
    if m:
        return text, ITU_PREAMBULAR[m.group("role")], None
    m = _OPERATIVE.match(text)
    if m:
        phrase = m.group("role")
        addressee = m.group("addr")
        if addressee and addressee[0] in ":;":
            return None
        return phrase, _OPERATIVE_BY_PHRASE[phrase], addressee
    return None


# --------------------------------------------------------------------------------------------------
# Items


@dataclass(slots=True)
class _Body:
    """Parsing state inside one instrument: where blocks, items and loose paragraphs attach."""

    ctx: ParseContext
    instrument: Node
    name: str
    container: Node  # the instrument or the current annex
    in_annex: bool = False
    block: Node | None = None
    section: Node | None = None
    stack: list[ListLevel] = field(default_factory=list)
    blocks: dict[int, list[BlockInfo]] = field(default_factory=dict)
    table: Node | None = None
    row: Node | None = None
    annex_title_due: bool = False
    # paragraphs ending in ":" waiting to lead into the next level of items under a parent (by id)
    pending_lead: dict[int, str] = field(default_factory=dict)
    decimal_heads: dict[str, str] = field(default_factory=dict)
    unlabelled: dict[int, int] = field(default_factory=dict)
    notes: dict[int, int] = field(default_factory=dict)
    tables: dict[int, int] = field(default_factory=dict)
    indents: dict[int, int] = field(default_factory=dict)  # "–" items numbered per parent
    last: Node | None = None  # the passage that received the latest paragraph
    # where the instrument's footnotes start: a passage never grows across one (its span would
    # swallow the footnote, which is a passage of its own)
    footnote_starts: tuple[int, ...] = ()

    def crosses_footnote(self, end: int, start: int) -> bool:
        """Whether a footnote lies between a passage's ``end`` and a later paragraph's ``start``."""
        return any(end <= f < start for f in self.footnote_starts)

    @property
    def base(self) -> Node:
        return self.section or self.block or self.container

    @property
    def kind(self) -> str:
        return PassageKind.ANNEX.value if self.in_annex and self.block is None else PassageKind.CLAUSE.value

    def warn(self, para: _Para, message: str) -> None:
        self.ctx.warn(para.lines[0].no, f"{self.name}: {message}")

    # -- structure ---------------------------------------------------------------------------------

    def close_table(self) -> None:
        self.table = None
        self.row = None

    def heading_seen(self) -> None:
        """A heading ends the paragraph run: nothing after it continues the item before it."""
        self.close_table()
        self.last = None

    def open_block(self, para: _Para, phrase: str, role: ClauseRole, addressee: str | None) -> None:
        self.heading_seen()
        heading = para.text(self.ctx)
        addressee = ADDRESSEE_PURPOSE.sub("", addressee) if addressee else None
        node = Node(
            kind="block",
            slug=slugify(phrase),
            title=heading,
            start=para.start,
            end=para.end,
            clause=role.value,
            addressee=addressee,
            lead_in=heading,
        )
        self.container.add(node)
        self.blocks.setdefault(id(self.container), []).append(BlockInfo(node, phrase, addressee))
        self.block = node
        self.section = None
        self.stack.clear()

    def open_annex(self, para: _Para, m: re.Match[str]) -> None:
        self.heading_seen()
        word = m.group("word").lower()
        n = m.group("n")
        heading = para.text(self.ctx)
        node = Node(
            kind="annex",
            slug=f"{word}-{n.lower()}" if n else word,
            title=_title_case_annex(heading),
            start=para.start,
            end=para.end,
            cite=f"{word.capitalize()} {n}" if n else word.capitalize(),
        )
        self.instrument.add(node)
        self.container = node
        self.in_annex = True
        self.block = None
        self.section = None
        self.stack.clear()
        self.annex_title_due = True

    def open_section(self, para: _Para, m: re.Match[str]) -> None:
        self.heading_seen()
        node = Node(
            kind="section",
            slug="",
            title=f"Section {m.group('n')} – {clean_text(m.group('title'))}",
            start=para.start,
            end=para.end,
        )
        (self.block or self.container).add(node)
        self.section = node
        self.stack.clear()

    # -- paragraphs --------------------------------------------------------------------------------

    def passage(self, para: _Para, *, kind: str, slug: str, title: str, cite: str | None) -> Node:
        self.last = Node(
            kind=kind,
            slug=slug,
            title=title,
            start=para.start,
            end=para.end,
            cite=cite,
            passage=True,
            body_start=para.body_start,
            label=para.label or None,
        )
        return self.last

    def add_loose(self, para: _Para, parent: Node) -> Node:
        """An unlabelled paragraph (or a NOTE) as a child passage: ``p2``/``note`` under ``parent``."""
        text = para.text(self.ctx)
        if _NOTE.match(text):
            n = self.notes.get(id(parent), 0) + 1
            self.notes[id(parent)] = n
            slug, cite = ("note", "note") if n == 1 else (f"note-{n}", f"note {n}")
            node = self.passage(para, kind=self.kind, slug=slug, title=cite, cite=cite)
        else:
            n = self.unlabelled.get(id(parent), 1 if parent.passage else 0) + 1
            self.unlabelled[id(parent)] = n
            node = self.passage(
                para, kind=self.kind, slug=f"p{n}", title=f"paragraph {n}", cite=f"paragraph {n}"
            )
            if _ENDS_COLON.search(text):
                self.pending_lead[id(parent)] = text
        node.body_start = None
        node.label = None
        parent.add(node)
        return node

    def unlabelled_para(self, para: _Para) -> None:
        """A paragraph without a label: part of an item, the block's body, a sub-heading, or a ``pN``."""
        self.close_table()
        text = para.text(self.ctx)
        stack = self.stack
        while stack:
            item = stack[-1].node
            assert item is not None
            own = clean_text(self.ctx.text[item.body_start or item.start : item.end])
            deeper = para.indent > _leading_tabs(self.ctx.line_at(item.start).raw)
            heading = _heading_like(own) and stack[-1].kind not in INDENT_KINDS
            if (
                item is self.last
                and (heading or deeper or para.label == "")
                and not self.crosses_footnote(item.end, para.start)
            ):
                # "2.2.1 Definition" + its text, or a paragraph indented under the item: one passage.
                item.end = para.end
                return
            if deeper or para.label == "" or not text[:1].isupper():
                break
            # A capitalised paragraph after a list's last item belongs to the item that led into the
            # list ("... a) ...; b) ... ." then "The same process ..."), and a short one after dashes
            # is a sub-heading of the text around them.
            if stack[-1].kind in INDENT_KINDS and _heading_like(text):
                stack.pop()
                continue
            if len(stack) >= 2 and own.endswith("."):
                stack.pop()
                continue
            break
        if stack:
            item = stack[-1].node
            assert item is not None
            self.add_loose(para, item)
            return
        block = self.block
        if block is not None and self.section is None and not block.passage and not block.children:
            # The block's own body: the block becomes the passage; its heading is kept for coverage.
            block.extra_headings.append((block.start, block.end))
            block.start, block.end = para.start, para.end
            block.passage = True
            block.kind = PassageKind.CLAUSE.value
            self.last = block
            return
        if self.in_annex and block is None and _heading_like(text) and len(text.split()) <= _SUBHEADING_WORDS:
            # "Study Group 1" in an annex listing Questions: a sub-heading over the items that follow.
            self.section = self.container.add(
                Node(
                    kind="section", slug=slugify(text), title=text, start=para.start, end=para.end, cite=text
                ),
            )
            self.last = None
            return
        self.add_loose(para, self.base)

    def table_para(self, para: _Para) -> None:
        """A cell of a table in an annex (seven tabs deep); rows break at shallow whitespace lines."""
        if self.table is None:
            parent = self.base
            n = self.tables.get(id(parent), 0) + 1
            self.tables[id(parent)] = n
            self.table = parent.add(
                Node(kind="table", slug=f"table-{n}", title=f"Table {n}", cite=f"table {n}")
            )
            self.row = None
        new_row = (
            self.row is None
            or any(1 <= t <= 5 for t in para.gap_tabs)
            or self.crosses_footnote(self.row.end, para.start)
        )
        if new_row:
            m = sum(1 for c in self.table.children) + 1
            self.row = self.table.add(
                Node(
                    kind=PassageKind.TABLE_ROW.value,
                    slug=f"row-{m}",
                    title=f"row {m}",
                    start=para.start,
                    end=para.end,
                    cite=f"row {m}",
                    passage=True,
                )
            )
        else:
            assert self.row is not None
            self.row.end = para.end
        self.last = self.row

    def labelled_para(self, para: _Para) -> None:
        self.close_table()
        assert para.label is not None
        kinds = label_kinds(para.label)
        text = para.text(self.ctx)
        placed = self._place(para, kinds, text)
        level, value = placed
        item = self._item(para, level, value)
        level.node = item
        level.last = value if level.kind in KINDS_WITH_SEQUENCE or level.kind == "decimal" else None
        if level.kind == "decimal":
            self._decimal_lead_in(item, value, para)

    def _place(self, para: _Para, kinds: list[tuple[str, str]], text: str) -> tuple[ListLevel, str]:
        """Find the level a labelled paragraph belongs to (popping deeper ones) or open a new one."""
        stack = self.stack
        open_kinds = {lv.kind for lv in stack}
        top = stack[-1] if stack else None
        # A lead-in ending in ":" opens a new list under it when the label starts one of a new kind.
        if top is not None and top.node is not None and not top.node.children:
            own = clean_text(self.ctx.text[top.node.body_start or top.node.start : top.node.end])
            if _ENDS_COLON.search(own):
                for kind, value in kinds:
                    if kind != top.kind and kind not in open_kinds and value == FIRST_LABEL.get(kind, value):
                        return self._push(kind, top.node), value
        # The next label of an open list: the deepest list it continues.
        for depth in range(len(stack) - 1, -1, -1):
            level = stack[depth]
            for kind, value in kinds:
                if kind != level.kind:
                    continue
                if kind in ("decimal", "dash", "bullet", "star"):
                    del stack[depth + 1 :]
                    return level, value
                reader = reader_value(kind, value, successor(kind, level.last))
                if reader is not None:
                    if reader != value:
                        logger.debug("%s: label %s read as %s", self.name, para.label, reader)
                    del stack[depth + 1 :]
                    return level, reader
        # A new kind of label: a nested list under the innermost item (or a first list in the block).
        # Numbered items do not nest under a dash or bullet that does not lead into them with ":".
        for kind, value in sorted(kinds, key=lambda kv: kv[1] != FIRST_LABEL.get(kv[0], kv[1])):
            if kind not in open_kinds:
                if kind not in INDENT_KINDS:
                    while stack and stack[-1].kind in INDENT_KINDS:
                        stack.pop()
                top = stack[-1] if stack else None
                parent = top.node if top is not None and top.node is not None else self.base
                return self._push(kind, parent), value
        # Out of sequence: a sibling in the deepest list of its kind.
        for depth in range(len(stack) - 1, -1, -1):
            level = stack[depth]
            for kind, value in kinds:
                if kind == level.kind:
                    del stack[depth + 1 :]
                    expected = successor(kind, level.last)
                    if (
                        expected is not None
                        and kind in ("number", "paren")
                        and int(value) <= int(level.last or 0)
                    ):
                        self.warn(
                            para, f"label {para.label!r} repeats an earlier number; cited as {expected}"
                        )
                        return level, expected
                    if expected is not None and kind == "letter" and value <= (level.last or ""):
                        self.warn(
                            para, f"label {para.label!r} repeats an earlier letter; cited as {expected}"
                        )
                        return level, expected
                    self.warn(para, f"label {para.label!r} does not follow {level.last!r}")
                    return level, value
        raise AssertionError("unreachable: every label kind is either open or new")

    def _push(self, kind: str, parent: Node) -> ListLevel:
        level = ListLevel(kind=kind, parent=parent, lead_in=self.pending_lead.pop(id(parent), None))
        self.stack.append(level)
        return level

    def _item(self, para: _Para, level: ListLevel, value: str) -> Node:
        if level.kind in ("dash", "bullet", "star"):
            n = self.indents[id(level.parent)] = self.indents.get(id(level.parent), 0) + 1
            slug, cite = f"indent-{n}", f"indent {n}"
        elif level.kind in ("letter", "roman", "paren"):
            slug, cite = value, f"{value})"
        else:
            slug, cite = value, value
        node = self.passage(para, kind=self.kind, slug=slug, title=cite, cite=cite)
        if level.lead_in:
            node.lead_in = " › ".join(x for x in (self._block_lead_in(), level.lead_in) if x)
        level.parent.add(node)
        self.pending_lead.pop(id(level.parent), None)
        return node

    def _block_lead_in(self) -> str | None:
        return self.block.lead_in if self.block is not None else None

    def _decimal_lead_in(self, item: Node, value: str, para: _Para) -> None:
        """Flat decimal paragraphs keep their heading ancestors ("2.1 General principles") in lead_in."""
        parts = value.split(".")
        heads = [
            self.decimal_heads[p]
            for k in range(1, len(parts))
            if (p := ".".join(parts[:k])) in self.decimal_heads
        ]
        if heads:
            item.lead_in = " › ".join(x for x in (self._block_lead_in(), *heads) if x)
        own = para.body(self.ctx)
        if len(own) <= _HEADING_LIKE_CHARS and not _ENDS_CLOSED.search(own):
            self.decimal_heads[value] = f"{value} {own}"

    def finish(self) -> None:
        warnings: list[str] = []
        for blocks in self.blocks.values():
            name_blocks(blocks, warnings)
        for w in warnings:
            self.ctx.warn(self.ctx.line_at(self.instrument.start).no, f"{self.name}: {w}")


def _title_case_annex(heading: str) -> str:
    """``ANNEX 1 to RESOLUTION 1 (Rev. Baku, 2025)`` -> ``Annex 1 to Resolution 1 (Rev. Baku, 2025)``."""
    words = heading.split(" ")
    return " ".join(
        "to" if w == "TO" else w.capitalize() if w.isupper() and len(w) > 2 and w.isalpha() else w
        for w in words
    )


# --------------------------------------------------------------------------------------------------
# Instruments


def _instrument_match(ctx: ParseContext, para: _Para) -> re.Match[str] | None:
    if para.label is not None:
        return None
    return _INSTRUMENT.fullmatch(ctx.text, para.words, para.end)


def parse_instruments(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """Split a region into resolutions, recommendations and (draft) opinions, and parse each.

    Lines before the first instrument become heading or paragraph nodes; a ``_____`` rule after the
    last one ends it, and what follows the rule becomes paragraphs. Nothing is dropped.

    Example:
        >>> from rag.parse.tree import ParseContext
        >>> from rag.types import DocumentMeta
        >>> meta = DocumentMeta("d", "d.txt", "D", "D", "e", "2025", "plain")
        >>> text = "DRAFT OPINION 1: Access\\nThe Forum (Geneva, 2021),\\nrecalling\\na)\\tthat x;"
        >>> ctx = ParseContext(meta=meta, text=text)
        >>> [c.slug for c in parse_instruments(ctx, ctx.lines)[0].children]
        ['title', 'preamble', 'recalling']
    """
    paras = _paragraphs(ctx, lines)
    nodes: list[Node] = []
    starts = [i for i, p in enumerate(paras) if p is not None and _instrument_match(ctx, p)]
    if not starts:
        if any(p is not None for p in paras):
            ctx.warn(
                lines[0].no, "no RESOLUTION, RECOMMENDATION or OPINION heading found; read as paragraphs"
            )
        return paragraph_nodes(ctx, lines, slug_prefix="instruments-p")
    nodes.extend(_loose_nodes(ctx, [p for p in paras[: starts[0]] if p is not None], "front"))
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(paras)
        chunk = paras[i:end]
        trailer: list[_Para] = []
        if k + 1 == len(starts) and None in chunk:
            cut = chunk.index(None)
            trailer = [p for p in chunk[cut:] if p is not None]
            chunk = chunk[:cut]
        nodes.append(_instrument(ctx, [p for p in chunk if p is not None]))
        nodes.extend(_loose_nodes(ctx, trailer, "end"))
    _ensure_words(ctx, nodes)
    return nodes


def _ensure_words(ctx: ParseContext, nodes: list[Node]) -> None:
    """Keep every passage non-empty: a label with nothing after it (``2.1\t[bookmark: x]``) is the
    passage's only text, and a passage with no words at all becomes a heading span."""
    for top in nodes:
        for node in top.walk():
            if not node.passage or _has_words(ctx.text[node.body_start or node.start : node.end]):
                continue
            node.body_start = None
            if not _has_words(ctx.text[node.start : node.end]):
                node.passage = False


def _loose_nodes(ctx: ParseContext, paras: list[_Para], prefix: str) -> list[Node]:
    """Paragraphs around the instruments: short unpunctuated lines are headings, the rest passages."""
    nodes: list[Node] = []
    for n, para in enumerate(paras, start=1):
        text = para.text(ctx)
        if len(text) <= 200 and not _ENDS_CLOSED.search(text):
            nodes.append(Node(kind="section", slug="", title=text, start=para.start, end=para.end))
        else:
            nodes.append(
                Node(
                    kind=PassageKind.PARAGRAPH.value,
                    slug=f"{prefix}-p{n}",
                    title=f"paragraph {n}",
                    start=para.start,
                    end=para.end,
                    cite=f"paragraph at line {para.lines[0].no}",
                    passage=True,
                )
            )
    return nodes


def _instrument_name(m: re.Match[str]) -> tuple[str, str]:
    """(name cited, id slug) from a heading match."""
    if m.group("res"):
        paren = clean_text(m.group("paren"))
        return f"Resolution {m.group('res')} {paren}", f"res-{m.group('res')}"
    if m.group("rec"):
        return f"Recommendation ITU-D {m.group('rec')}", f"rec-{m.group('rec')}"
    draft = "Draft " if m.group("draft") else ""
    return f"{draft}Opinion {m.group('op')}", f"{draft.lower().strip()}-opinion-{m.group('op')}".lstrip("-")


def _instrument_title(ctx: ParseContext, node: Node, m: re.Match[str], head: _Para, rest: list[_Para]) -> str:
    """Add the instrument's title passage (on its heading line or the paragraph after it); its text.

    Takes the title paragraph, and a date or status printed under it, off the front of ``rest``.
    """
    title = ""
    if m.group("optitle"):
        # "DRAFT OPINION 4: Space connectivity": the heading keeps the number, the title is a passage.
        title_start = m.start("optitle")
        node.end = title_start
        node.add(_title_passage(title_start, head.end))
        title = clean_text(m.group("optitle"))
    elif (
        rest
        and rest[0].label is None
        and not _block_heading(rest[0].text(ctx))
        and not _PREAMBLE.match(rest[0].text(ctx))
    ):
        first = rest.pop(0)
        title_node = node.add(_title_passage(first.start, first.end))
        title = first.text(ctx)
        # "(January, 2002)", "(Abrogated by WTDC-25)": a date or status printed under the title.
        while rest and rest[0].label is None and re.fullmatch(r"\(.*\)", rest[0].text(ctx)):
            title_node.end = rest.pop(0).end
    return title


def _instrument(ctx: ParseContext, paras: list[_Para]) -> Node:
    """One instrument: heading, title, front matter, clause blocks, annexes, footnotes."""
    head = paras[0]
    m = _instrument_match(ctx, head)
    assert m is not None
    name, slug = _instrument_name(m)
    node = Node(
        kind="instrument",
        slug=slug,
        title=name,
        start=head.start,
        end=head.end,
        cite=name,
        instrument=name,
    )
    rest = paras[1:]
    footnotes = [p for p in rest if p.indent in (5, 6) and _FOOTNOTE.match(ctx.text, p.words, p.end)]
    rest = [p for p in rest if p not in footnotes]
    title = _instrument_title(ctx, node, m, head, rest)
    node.instrument_title = title or None
    node.title = f"{name} – {title}" if title else name
    body = _Body(
        ctx=ctx, instrument=node, name=name, container=node, footnote_starts=tuple(f.start for f in footnotes)
    )
    front = True
    for para in rest:
        text = para.text(ctx)
        if front and para.label is None:
            body.stack.clear()
            if _PREAMBLE.match(text) and not any(c.slug == "preamble" for c in node.children):
                node.add(
                    body.passage(
                        para,
                        kind=PassageKind.PREAMBLE.value,
                        slug="preamble",
                        title="preamble",
                        cite="preamble",
                    )
                )
                continue
            q = _QUESTION.match(text)
            if q:
                node.add(
                    body.passage(
                        para,
                        kind=PassageKind.PARAGRAPH.value,
                        slug="question",
                        title=f"Question {q.group('q')}",
                        cite=f"Question {q.group('q')}",
                    )
                )
                continue
        _body_para(body, para, text)
        front = front and body.block is None and not body.in_annex
    body.finish()
    for para in footnotes:
        fm = _FOOTNOTE.match(ctx.text, para.words, para.end)
        assert fm is not None
        n = fm.group("n")
        node.add(footnote_node(n, para.start, para.end, body_start=fm.end()))
    return node


def _body_para(body: _Body, para: _Para, text: str) -> None:
    """Route one paragraph of an instrument's body to the structure it opens or continues."""
    ctx = body.ctx
    if para.indent >= 7:
        body.table_para(para)
        return
    if para.label is None:
        am = _ANNEX.fullmatch(ctx.text, para.words, para.end)
        if am:
            body.open_annex(para, am)
            return
        if body.annex_title_due:
            body.annex_title_due = False
            if not _block_heading(text):
                body.container.add(
                    Node(
                        kind=PassageKind.TITLE.value,
                        slug="title",
                        title="title",
                        start=para.start,
                        end=para.end,
                        passage=True,
                    )
                )
                body.container.title = f"{body.container.title} – {text}"
                return
        heading = _block_heading(text)
        if heading:
            body.open_block(para, *heading)
            return
        sm = _SECTION.fullmatch(text)
        if sm:
            body.open_section(para, sm)
            return
        if body.block is None and not body.in_annex and not body.stack:
            # Front matter after the title that is neither preamble nor a block: a paragraph.
            n = body.unlabelled.get(id(body.instrument), 0) + 1
            body.unlabelled[id(body.instrument)] = n
            body.instrument.add(
                body.passage(
                    para,
                    kind=PassageKind.PARAGRAPH.value,
                    slug=f"p{n}",
                    title=f"paragraph {n}",
                    cite=f"paragraph {n}",
                )
            )
            return
        body.unlabelled_para(para)
        return
    body.annex_title_due = False
    if para.label == "":
        body.unlabelled_para(para)
        return
    if body.block is None and not body.in_annex:
        body.warn(para, f"item {para.label!r} before any clause block")
    body.labelled_para(para)


# --------------------------------------------------------------------------------------------------
# The Baku Declaration

_DECLARATION = re.compile(r"(?P<name>[A-Z][A-Z ]*\bDECLARATION)\s*$")
_LEAD_IN = re.compile(r".*\b(?P<cite>we\s+(?P<verb>[a-z]+)(?:\s+[a-z]+)?\s+that)\s*:\s*$", re.DOTALL)
_DECLARATION_VERBS: dict[str, ClauseRole] = {
    "declare": ClauseRole.DECLARES,
    "affirm": ClauseRole.AFFIRMS,
    "reaffirm": ClauseRole.REAFFIRMS,
    "resolve": ClauseRole.RESOLVES,
    "undertake": ClauseRole.UNDERTAKES,
    "endorse": ClauseRole.ENDORSES,
    "recognize": ClauseRole.RECOGNIZING,
    "acknowledge": ClauseRole.ACKNOWLEDGING,
}


def parse_declaration(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """The Baku Declaration: title, preamble, lead-in sentences with their items, closing paragraphs.

    A lead-in sentence ("Mindful of ..., we declare that:") opens a block named by its verb
    (``declare``, role declares), cited by its words ("we declare that"); its items ``1)`` or ``a)``
    are passages, and unlabelled paragraphs indented under an item are that item's ``p2``, ``p3``.
    """
    paras = [p for p in _paragraphs(ctx, lines) if p is not None]
    start = next((i for i, p in enumerate(paras) if _DECLARATION.fullmatch(p.text(ctx))), None)
    if start is None:
        ctx.warn(lines[0].no if lines else 1, "no DECLARATION heading found; read as paragraphs")
        return paragraph_nodes(ctx, lines, slug_prefix="declaration-p")
    nodes = _loose_nodes(ctx, paras[:start], "declaration")
    head = paras[start]
    name = clean_text(head.text(ctx)).title()
    decl = Node(
        kind="instrument", slug="", title=name, start=head.start, end=head.end, cite=name, instrument=name
    )
    nodes.append(decl)
    rest = paras[start + 1 :]
    if rest and rest[0].label is None and not _LEAD_IN.match(rest[0].text(ctx)):
        first = rest.pop(0)
        decl.add(_title_passage(first.start, first.end))
        decl.instrument_title = first.text(ctx)
        decl.title = f"{name} – {decl.instrument_title}"
    preamble: Node | None = None
    closing: Node | None = None
    block: Node | None = None
    item: Node | None = None
    for para in rest:
        text = para.text(ctx)
        lead = _LEAD_IN.match(text) if para.label is None else None
        if lead:
            block, item = decl.add(_lead_in_block(ctx, name, para, text, lead)), None
            continue
        if para.label:
            if block is None:
                ctx.warn(para.lines[0].no, f"{name}: item {para.label!r} before any lead-in sentence")
                block = decl.add(Node(kind="block", slug="items", title="items"))
            item = block.add(
                Node(
                    kind=PassageKind.CLAUSE.value,
                    slug=para.label.rstrip(")."),
                    title=para.label,
                    start=para.start,
                    end=para.end,
                    cite=para.label,
                    passage=True,
                    body_start=para.body_start,
                    label=para.label,
                )
            )
            continue
        if item is not None and (para.label == "" or para.indent > 3):
            n = len(item.children) + 2
            item.add(_numbered_paragraph(para, PassageKind.CLAUSE.value, f"p{n}", n))
            continue
        if block is None:
            if preamble is None:
                preamble = decl.add(Node(kind="preamble", slug="preamble", title="preamble", cite="preamble"))
            target = preamble
            kind = PassageKind.PREAMBLE.value
        else:
            if closing is None:
                closing = decl.add(Node(kind="closing", slug="closing", title="closing", cite="closing"))
            target = closing
            kind = PassageKind.PARAGRAPH.value
            item = None
        n = len(target.children) + 1
        target.add(_numbered_paragraph(para, kind, str(n), n))
    _ensure_words(ctx, nodes)
    return nodes


def _title_passage(start: int, end: int) -> Node:
    """An instrument's title, a passage of its own (``.../title``)."""
    return Node(kind=PassageKind.TITLE.value, slug="title", title="title", start=start, end=end, passage=True)


def _lead_in_block(ctx: ParseContext, name: str, para: _Para, text: str, lead: re.Match[str]) -> Node:
    """The block a declaration's lead-in sentence opens, named by its verb ("we declare that:")."""
    verb = lead.group("verb")
    role = _DECLARATION_VERBS.get(verb)
    if role is None:
        ctx.warn(para.lines[0].no, f"{name}: lead-in verb {verb!r} has no clause role")
    return Node(
        kind="block",
        slug=verb,
        title=text,
        start=para.start,
        end=para.end,
        cite=clean_text(lead.group("cite")),
        clause=role.value if role else None,
        lead_in=text,
    )


def _numbered_paragraph(para: _Para, kind: str, slug: str, n: int) -> Node:
    """An unlabelled paragraph passage cited by its place, "paragraph n"."""
    return Node(
        kind=kind,
        slug=slug,
        title=f"paragraph {n}",
        start=para.start,
        end=para.end,
        cite=f"paragraph {n}",
        passage=True,
    )

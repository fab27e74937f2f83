"""Tables: the WSIS action line roadmaps, one table per action line, rows re-assembled across page breaks.

The roadmap file is a PDF extraction. Each action line is a heading ``Roadmap for WSIS Action Line C2:
<title>`` followed by a table: a header row (``WSIS Outcomes (WSIS AL C2)<TAB>Proposed Timing<TAB>...``),
optional group rows (``Geneva Plan of Action and Tunis Agenda ...``, ``WSIS+10 Outcome Documents ...``)
and one row per WSIS outcome item (``A:``, ``A1:``, ``A.``, ``a.``). Cells are tab-separated and hold
HTML fragments. A row is printed over several lines: at a page break the extractor writes a separator
line (``---<TAB>--<TAB>...``) and then a line whose cells continue the cells of the row above; some
rows also continue on plain following lines without a separator, and a few continuation lines lost
their tabs altogether. So every line up to the next item label belongs to the current row, cell by
cell, and a cell printed over several lines becomes one passage whose ``fragments`` are its pieces.

Tree and ids (``wsis-roadmaps-2025/c5/b1/analysis``)::

    document
      title, intro                      paragraph passages before the first table
      c2 (instrument)                   "Roadmap for WSIS Action Line C2: ..." heading; header row
        (group, no slug)                Geneva Plan of Action and Tunis Agenda items
          b (row)                       heading span = the printed label ``B:``
            outcome, timing, goals, sdgs, analysis, results   table-cell passages
        wsis10 (group)                  WSIS+10 outcome items (a., b., ...), which reuse the letters

The citation reads "ITU WSIS Roadmaps 2025, Action Line C5, item B1, evidence-based analysis"; every
cell except the outcome carries the outcome text as its ``lead_in``, so a cell makes sense alone.

Narrative cells (analysis, results, COVID-19 response) run up to 12,000 characters and report on many
activities at once: one passage for all of it is a poor citation and more than the encoder reads (256
tokens). A narrative cell longer than ``SPLIT_CHARS`` is therefore no passage itself but a structure
node whose parts are passages (``split_cell``): it is cut where its own structure starts a unit (a
paragraph, a list item, a bullet), units longer than ``MAX_PART_CHARS`` are cut at sentence ends into
parts of about ``PART_CHARS``, and units shorter than ``MIN_PART_CHARS`` (a sub-heading such as
"Expected Results:", a one-line bullet) join the next. Parts are numbered in the cell:
``wsis-roadmaps-2025/c2/a/results/3``, cited "..., item A, expected and achieved results, part 3".
The outcome (the agreed WSIS text, the lead-in of its row) and the reference lists stay whole.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.parse.plain import paragraph_nodes
from rag.parse.spans import Line, clean_text, has_words, normalize_ws, trim_span
from rag.parse.tree import Node, ParseContext

logger = logging.getLogger(__name__)

_TABLE_HEADING = re.compile(r"^\s*Roadmap for WSIS Action Line\s+(C\d+)\s*:\s*(\S.*?)\s*$")
_HEADER_ROW = re.compile(r"^WSIS Outcomes\b")
_GENEVA = re.compile(r"^Geneva Plan of Action\b")
_WSIS10 = re.compile(r"^WSIS\s*\+\s*10 Outcome")
_SEPARATOR = re.compile(r"^[-\s]*-[-\s]*$")
# An item label at the start of the first cell, after any opening tags: ``A:``, ``B5:``, ``E.``, ``a.``.
_ITEM = re.compile(r"(?:<[^<>]*>\s*)*(?P<label>(?P<letter>[A-Za-z])(?P<num>\d*)[:.])\s")
# A piece of text that ends a sentence or a bracket: nothing left open to continue.
_CLOSED = re.compile(r"[.;:!?)\]]$")

GENEVA_TITLE = "Geneva Plan of Action and Tunis Agenda for the Information Society"
WSIS10_TITLE = "WSIS+10 Outcome Documents"
_TITLE_CHARS = 100

# Splitting long narrative cells (see the module docstring). A part of 150-700 characters is a few
# sentences or one bullet: about what a question asks about, and well inside the encoder's 256 tokens.
SPLIT_CHARS = 600  # a narrative cell longer than this (clean text) is split into parts
MIN_PART_CHARS = 150  # a unit shorter than this joins the next one
MAX_PART_CHARS = 700  # a unit longer than this is cut at sentence ends ...
PART_CHARS = 500  # ... into parts of at most about this length
# Where a cell's own structure starts a unit: a paragraph, a list item, a bullet (with or without space).
_UNIT_START = re.compile(r"<p>|<li>|•|·(?=\s)")
# Where a sentence ends inside a unit: after . ! ? ; (or an italic parenthesis such as "(Aligned with
# SDG 9)</i>", which ends an unbulleted list item) and closing tags, before a capital or an opening tag.
_SENTENCE_END = re.compile(r"(?:[.!?;]|\)</i>)(?:\s*</[a-z]+>)*\s+(?=(?:<[^<>]+>\s*)*[A-Z\u201c\"(])")


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: its id slug, its citation segment, and its header as printed."""

    slug: str
    cite: str
    title: str

    @property
    def narrative(self) -> bool:
        """Prose reporting on activities (split when long), not the outcome, timing or reference lists."""
        return self.slug in _NARRATIVE


# Header words -> (slug, citation segment); matched in order against the printed header cell.
_COLUMN_KINDS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"WSIS Outcomes", re.I), "outcome", "WSIS outcome"),
    (re.compile(r"Timing", re.I), "timing", "proposed timing"),
    (re.compile(r"Strategic Goals|Resolutions", re.I), "goals", "ITU strategic goals and resolutions"),
    (re.compile(r"SDG", re.I), "sdgs", "linkages with SDGs"),
    (re.compile(r"analysis", re.I), "analysis", "evidence-based analysis"),
    (re.compile(r"results", re.I), "results", "expected and achieved results"),
    (re.compile(r"COVID", re.I), "covid", "COVID-19 response"),
)

_NARRATIVE = frozenset({"analysis", "results", "covid"})

# Used until a table's header row is read (and for a table that has none).
_DEFAULT_COLUMNS = (
    Column("outcome", "WSIS outcome", "WSIS Outcomes"),
    Column("timing", "proposed timing", "Proposed Timing"),
    Column("goals", "ITU strategic goals and resolutions", "ITU Strategic Goals and Relevant Resolutions"),
    Column("sdgs", "linkages with SDGs", "Linkages with SDGs"),
    Column("analysis", "evidence-based analysis", "Evidence-based analysis of the current situation"),
    Column("results", "expected and achieved results", "Expected and Achieved results and targets"),
)


def columns_from_header(headers: Sequence[str]) -> tuple[Column, ...]:
    """Name each column from its printed header; an unknown header gets ``col-N``."""
    columns: list[Column] = []
    used: set[str] = set()
    for i, header in enumerate(headers):
        title = normalize_ws(header)
        slug, cite = f"col-{i + 1}", title.lower() or f"column {i + 1}"
        for pattern, kind_slug, kind_cite in _COLUMN_KINDS:
            if kind_slug not in used and pattern.search(title):
                slug, cite = kind_slug, kind_cite
                break
        used.add(slug)
        columns.append(Column(slug, cite, title))
    return tuple(columns)


def cell_spans(line: Line) -> list[tuple[int, int]]:
    """The tab-separated cells of a line as trimmed spans into the file (an empty cell is empty)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in line.raw.split("\t"):
        a, b = trim_span(line.raw, pos, pos + len(part))
        spans.append((line.start + a, line.start + b))
        pos += len(part) + 1
    return spans


def _clipped(pieces: Sequence[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``pieces`` inside ``[start, end)``."""
    return [(max(a, start), min(b, end)) for a, b in pieces if a < end and b > start]


def split_cell(text: str, pieces: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """A long narrative cell's pieces cut into parts at its own structure (see the module docstring).

    Returns the parts' spans (each a list of pieces, in order, untrimmed); one part when the cell is
    short or has no place to cut. A paragraph tag that opens a piece continuing a sentence cut by a
    page break is the extractor's, not a new unit.

    Example:
        >>> cell = "<p>" + "First point. " * 30 + "</p><p>" + "Second point. " * 30 + "</p>"
        >>> split_cell(cell, [(0, len(cell))])
        [[(0, 397)], [(397, 824)]]
    """
    end = pieces[-1][1]

    def length(a: int, b: int) -> int:
        return len(clean_text(" ".join(text[x:y] for x, y in _clipped(pieces, a, b))))

    if length(pieces[0][0], end) <= SPLIT_CHARS:
        return [list(pieces)]
    cuts = [pieces[0][0]]
    for k, (a, b) in enumerate(pieces):
        continued = k > 0 and not _CLOSED.search(clean_text(text[pieces[k - 1][0] : pieces[k - 1][1]]))
        for m in _UNIT_START.finditer(text, a, b):
            if m.start() > cuts[-1] and not (continued and not has_words(text[a : m.start()])):
                cuts.append(m.start())
    # long units: cut at sentence ends, packing sentences into parts of at most about PART_CHARS
    refined: list[int] = []
    for a, b in zip(cuts, [*cuts[1:], end], strict=True):
        refined.append(a)
        if length(a, b) <= MAX_PART_CHARS:
            continue
        starts = [m.end() for x, y in _clipped(pieces, a, b) for m in _SENTENCE_END.finditer(text, x, y)]
        last = a
        for s, nxt in zip(starts, [*starts[1:], b], strict=False):
            if (
                length(last, nxt) > PART_CHARS
                and length(last, s) >= MIN_PART_CHARS
                and length(s, b) >= MIN_PART_CHARS
            ):
                refined.append(s)
                last = s
    # A sub-heading ("ITU Activities (Aligned with SDG Goals):") opens the part of what follows it.
    # Other short units join the next unit, or the one before when the next opens with a sub-heading.
    units = []  # [start, length, opens with a sub-heading]
    carried: list[int] | None = None
    for a, b in zip(refined, [*refined[1:], end], strict=True):
        n = length(a, b)
        heading = n < MIN_PART_CHARS and clean_text(text[a : _clipped(pieces, a, b)[-1][1]]).endswith(":")
        if carried is not None:
            a, n = carried[0], carried[1] + 1 + n
        if heading:
            carried = [a, n]
            continue
        units.append([a, n, carried is not None])
        carried = None
    if carried is not None:
        units.append([carried[0], carried[1], True])
    parts: list[list[int]] = []
    for unit in units:
        if parts and parts[-1][1] < MIN_PART_CHARS:
            if not unit[2]:
                parts[-1][1] += 1 + unit[1]
                continue
            if len(parts) > 1:
                short = parts.pop()
                parts[-1][1] += 1 + short[1]
        parts.append(unit)
    if len(parts) > 1 and parts[-1][1] < MIN_PART_CHARS:
        parts[-2][1] += 1 + parts.pop()[1]
    starts = [part[0] for part in parts]
    return [_clipped(pieces, a, b) for a, b in zip(starts, [*starts[1:], end], strict=True)]


def _item_key(letter: str, num: str) -> tuple[str, int]:
    return letter.lower(), int(num) if num else 0


def _short(text: str, limit: int = _TITLE_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip(" ,;:") + " …"


@dataclass(slots=True)
class _Row:
    """One outcome item while its lines are being collected."""

    label: str  # as printed: "B:", "A1:", "a."
    name: str  # as cited: "B", "A1", "a"
    key: tuple[str, int]
    upper: bool
    label_span: tuple[int, int]
    line_no: int
    pieces: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def add(self, column: int, span: tuple[int, int]) -> None:
        if span[1] > span[0]:
            self.pieces.setdefault(column, []).append(span)


class _TableReader:
    """Reads one action line's table (the lines after its heading) into group, row and cell nodes."""

    def __init__(self, ctx: ParseContext, table: Node) -> None:
        self.ctx = ctx
        self.table = table
        self.columns: tuple[Column, ...] = _DEFAULT_COLUMNS
        self.group: Node | None = None
        self.row: _Row | None = None
        self.last: _Row | None = None  # the previous item of the current group

    def read(self, lines: Sequence[Line]) -> None:
        for line in lines:
            if line.blank:
                continue
            if _SEPARATOR.match(line.raw):
                self.ctx.mark_layout(line)
                continue
            cells = cell_spans(line)
            first = clean_text(self.ctx.text[cells[0][0] : cells[0][1]])
            if _HEADER_ROW.match(first):
                self._header(line, cells)
            elif len(cells) > 1 and (_GENEVA.match(first) or _WSIS10.match(first)):
                self._flush()
                self._open_group(wsis10=bool(_WSIS10.match(first)), span=cells[0], title=first)
            elif (m := _ITEM.match(self.ctx.text, cells[0][0], cells[0][1])) and self._starts_item(m):
                self._flush()
                self._start_row(line, cells, m)
            elif self.row is not None:
                self._continue_row(line, cells)
            else:
                self.ctx.warn(line.no, "text in a roadmap table before its first outcome item")
                self.table.children.extend(paragraph_nodes(self.ctx, [line], slug_prefix=f"l{line.no}-"))
        self._flush()

    def _header(self, line: Line, cells: list[tuple[int, int]]) -> None:
        self.columns = columns_from_header([self.ctx.text[a:b] for a, b in cells])
        self.table.extra_headings.append((line.content_start, line.content_end))

    def _open_group(self, *, wsis10: bool, span: tuple[int, int] | None = None, title: str = "") -> Node:
        start, end = span or (0, 0)
        group = Node(
            kind="group",
            slug="wsis10" if wsis10 else "",
            title=title or (WSIS10_TITLE if wsis10 else GENEVA_TITLE),
            start=start,
            end=end,
            cite="WSIS+10" if wsis10 else None,
        )
        self.table.add(group)
        self.group = group
        self.last = None
        return group

    def _starts_item(self, m: re.Match[str]) -> bool:
        """Whether a label opens a new item rather than a sub-point of the current one (``D4:`` in D).

        Items run in increasing order within a group (letters may be skipped: the C4 table lacks D, K,
        L and N); a label with the current item's letter and a number is one of its sub-points.
        """
        last = self.row if self.row is not None else self.last
        if last is None:
            return True
        letter, num = m.group("letter"), m.group("num")
        if letter.isupper() != last.upper:
            return True
        key = _item_key(letter, num)
        if key <= last.key:
            return False
        return not (num and last.key == (letter.lower(), 0))

    def _start_row(self, line: Line, cells: list[tuple[int, int]], m: re.Match[str]) -> None:
        letter, num, label = m.group("letter"), m.group("num"), m.group("label")
        upper = letter.isupper()
        if self.group is None:
            self._open_group(wsis10=False)
        elif self.last is not None and self.last.upper and not upper and not self.group.slug:
            # Upper-case Geneva items followed by lower-case ones without a printed group row (C2, C4):
            # the lower-case items are the WSIS+10 outcomes and reuse the letters.
            self._open_group(wsis10=True)
        label_start = m.start("label")
        self.row = _Row(
            label=label,
            name=letter + num,
            key=_item_key(letter, num),
            upper=upper,
            label_span=(label_start, m.end("label")),
            line_no=line.no,
        )
        if label_start > cells[0][0]:
            self.ctx.layout.append((cells[0][0], label_start))  # opening tags before the label
        body_start = m.end()
        cells = [(body_start, cells[0][1]), *cells[1:]]
        self._continue_row(line, cells)

    def _continue_row(self, line: Line, cells: list[tuple[int, int]]) -> None:
        row = self.row
        assert row is not None  # callers check
        if len(cells) == 1 and row.pieces and "\t" not in line.raw:
            row.add(self._open_column(row, line), cells[0])
            return
        for i, span in enumerate(cells):
            row.add(i, span)

    def _open_column(self, row: _Row, line: Line) -> int:
        """The column a line that lost its tabs continues: the leftmost cell left mid-sentence."""
        for column in sorted(row.pieces):
            a, b = row.pieces[column][-1]
            if not _CLOSED.search(clean_text(self.ctx.text[a:b])):
                return column
        column = max(row.pieces)
        self.ctx.warn(line.no, f"untabbed line in item {row.name}; appended to its last column")
        return column

    def _flush(self) -> None:
        row, self.row = self.row, None
        if row is None:
            return
        assert self.group is not None  # a row always opens a group first
        self.last = row
        text = self.ctx.text
        node = Node(
            kind="row",
            slug=row.name.lower(),
            title=f"item {row.name}",
            start=row.label_span[0],
            end=row.label_span[1],
            cite=f"item {row.name}",
        )
        cells: dict[int, list[tuple[int, int]]] = {}
        for column, pieces in sorted(row.pieces.items()):
            worded = []
            for a, b in pieces:
                if has_words(text[a:b]):
                    worded.append((a, b))
                else:
                    self.ctx.layout.append((a, b))
            if worded:
                cells[column] = worded
        outcome = clean_text(" ".join(text[a:b] for a, b in cells.get(0, [])))
        lead_in = f"{row.label} {outcome}" if outcome else row.label
        node.title = _short(lead_in)
        for column, pieces in cells.items():
            if column < len(self.columns):
                col = self.columns[column]
            else:
                col = Column(f"col-{column + 1}", f"column {column + 1}", f"column {column + 1}")
                self.ctx.warn(row.line_no, f"item {row.name} has more cells than its table's header")
            parts = split_cell(text, pieces) if col.narrative else [pieces]
            if len(parts) == 1:
                node.add(
                    Node(
                        kind="table-cell",
                        slug=col.slug,
                        title=col.title,
                        start=pieces[0][0],
                        end=pieces[-1][1],
                        cite=col.cite,
                        passage=True,
                        fragments=pieces if len(pieces) > 1 else [],
                        label=row.label if column == 0 else None,
                        lead_in=None if column == 0 else lead_in,
                    )
                )
                continue
            cell = node.add(
                Node(
                    kind="cell",
                    slug=col.slug,
                    title=col.title,
                    start=pieces[0][0],
                    end=pieces[0][0],
                    cite=col.cite,
                    lead_in=lead_in,
                )
            )
            for n, part in enumerate(parts, start=1):
                cell.add(self._part(n, part))
        self.group.add(node)

    def _part(self, n: int, spans: Sequence[tuple[int, int]]) -> Node:
        """Part ``n`` of a split cell: a passage of its trimmed pieces (wordless ones are layout)."""
        text = self.ctx.text
        worded: list[tuple[int, int]] = []
        for a, b in spans:
            a, b = trim_span(text, a, b)
            if b <= a:
                continue
            if has_words(text[a:b]):
                worded.append((a, b))
            else:
                self.ctx.layout.append((a, b))
        return Node(
            kind="table-cell",
            slug=str(n),
            title=f"part {n}",
            start=worded[0][0],
            end=worded[-1][1],
            cite=f"part {n}",
            passage=True,
            fragments=worded if len(worded) > 1 else [],
        )


def _intro_nodes(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """The document title and introduction before the first table: paragraph passages."""
    blocks = paragraph_nodes(ctx, lines, slug_prefix="intro-")
    for n, node in enumerate(blocks):
        node.label = None
        if n == 0:
            node.slug, node.title, node.cite = "title", "title", "title"
        else:
            node.slug = "intro" if len(blocks) == 2 else f"intro-{n}"
            node.title = node.cite = "introduction"
    return blocks


def parse_roadmaps(ctx: ParseContext) -> Node:
    """Parse the roadmaps file: introduction paragraphs, then one instrument node per action line table.

    Example:
        >>> from rag.types import DocumentMeta
        >>> meta = DocumentMeta(id="r", file="r.txt", title="R", short_title="R", event="", date="",
        ...                     kind="wsis-roadmaps")
        >>> text = "Roadmap for WSIS Action Line C2: Infra\\nA: Do it\\t2025\\n---\\t--\\n\\tsoon"
        >>> root = parse_roadmaps(ParseContext(meta=meta, text=text))
        >>> [c.slug for c in root.children[0].children[0].children[0].children]
        ['outcome', 'timing']
    """
    root = Node(kind="document", slug="", title=ctx.meta.title)
    starts = [i for i, line in enumerate(ctx.lines) if _TABLE_HEADING.match(line.raw)]
    if not starts:
        ctx.warn(1, "no 'Roadmap for WSIS Action Line' heading; indexed as plain paragraphs")
        root.children.extend(paragraph_nodes(ctx, ctx.lines))
        return root
    root.children.extend(_intro_nodes(ctx, ctx.lines[: starts[0]]))
    for n, i in enumerate(starts):
        line = ctx.lines[i]
        m = _TABLE_HEADING.match(line.raw)
        assert m is not None
        number, title = m.group(1).upper(), normalize_ws(m.group(2))
        table = root.add(
            Node(
                kind="instrument",
                slug=number.lower(),
                title=normalize_ws(line.raw),
                start=line.content_start,
                end=line.content_end,
                cite=f"Action Line {number}",
                instrument=f"WSIS Action Line {number}",
                instrument_title=title,
            )
        )
        end = starts[n + 1] if n + 1 < len(starts) else len(ctx.lines)
        _TableReader(ctx, table).read(ctx.lines[i + 1 : end])
    return root

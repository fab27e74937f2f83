"""Tab-indented text of the WTDC report: labelled blocks, and tables flattened into lines.

The report was converted from Word with its nesting encoded as tabs: body text sits three tabs deep,
table cells seven, footnotes six, and the empty markup of tables survives as lines of tabs alone
(four tabs around the header, five around each row, six and seven around each cell). A line that
starts with a space marks a place where the converter lost content (a page, some table rows) and
glued what followed onto the previous paragraph, so it always starts a new block or table row.

Regional initiatives, study Questions and the report's closing annexes share these helpers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.parse.spans import Line, clean_text
from rag.parse.tree import Node, ParseContext, slugify

# Cells of tables are seven tabs deep, footnotes six; body text never goes deeper than four.
DEEP = 5

_NUMBER = re.compile(r"(\d+(?:\.\d+)*)[ \u00a0]*\t[ \t]*")
_ITEM = re.compile(r"(\d+)\)[ \t]+")
_LETTER = re.compile(r"([a-z]|[ivx]+)\)[ \t]+")
_DASH = re.compile(r"([–—-])\t[ \t]*")
_BULLET = re.compile(r"(•)[ \t]+")
_IMAGE = re.compile(r"^\[image:[^\]]*\]$")
_ROMAN = frozenset("i ii iii iv v vi vii viii ix x xi xii".split())


@dataclass(frozen=True, slots=True)
class Shape:
    """What one line looks like: depth, label, and whether it was glued on after lost content."""

    indent: int
    glued: bool
    blank: bool
    kind: str  # number, item, letter, dash, bullet, text (no label)
    label: str | None
    label_end: int  # offset in the line's raw text where the words after the label start


def shape(line: Line) -> Shape:
    """Classify a line by its tab depth and printed label."""
    raw = line.raw
    glued = raw.startswith(" ")
    rest = raw.lstrip(" ")
    indent = len(rest) - len(rest.lstrip("\t"))
    lead = len(raw) - len(rest) + indent
    body = raw[lead:]
    if line.blank:
        return Shape(indent, glued, True, "text", None, lead)
    for kind, pattern in (
        ("number", _NUMBER),
        ("item", _ITEM),
        ("letter", _LETTER),
        ("dash", _DASH),
        ("bullet", _BULLET),
    ):
        m = pattern.match(body)
        if m:
            label = m.group(0).strip(" \t\u00a0")
            return Shape(indent, glued, False, kind, label, lead + m.end())
    return Shape(indent, glued, False, "text", None, lead)


def is_image(line: Line) -> bool:
    """A converter placeholder for a picture (the tick marks of the "How?" tables): no words."""
    return bool(_IMAGE.match(line.stripped))


def is_roman(label: str | None) -> bool:
    return bool(label) and label.rstrip(")") in _ROMAN


@dataclass(slots=True)
class Block:
    """A labelled line or a paragraph: consecutive lines that belong together.

    ``start``/``end`` span the words (label included); ``body_start`` is where they start after the
    label, or None for an unlabelled paragraph.
    """

    lines: list[Line]
    shape: Shape
    start: int
    end: int
    body_start: int | None
    body: str  # cleaned words after the label

    @property
    def kind(self) -> str:
        return self.shape.kind

    @property
    def label(self) -> str | None:
        return self.shape.label

    @property
    def first(self) -> Line:
        return self.lines[0]


def make_block(text: str, lines: Sequence[Line]) -> Block:
    first = lines[0]
    sh = shape(first)
    start, end = first.content_start, lines[-1].content_end
    body_start = first.start + sh.label_end if sh.label else None
    body = clean_text(text[body_start or start : end])
    if body_start is not None and not body:
        body_start = None  # a label with no words after it: the label is the passage's text
    return Block(list(lines), sh, start, end, body_start, body)


def blocks(text: str, lines: Sequence[Line]) -> list[Block]:
    """Group lines into blocks.

    A line continues the block above only when it follows it directly, carries no tabs, no label and
    no glue mark: that is how the converter wrapped a paragraph (``Minister of ...`` under a name,
    the second line of a Question title). Everything else starts a block.
    """
    out: list[list[Line]] = []
    prev_blank = True
    for line in lines:
        if line.blank:
            prev_blank = True
            continue
        sh = shape(line)
        if out and not prev_blank and sh.indent == 0 and not sh.glued and sh.kind == "text":
            out[-1].append(line)
        else:
            out.append([line])
        prev_blank = False
    return [make_block(text, group) for group in out]


def item_node(block: Block, kind: str, slug: str, cite: str) -> Node:
    """A labelled item passage (a numbered or lettered item, a dash or bullet), cited ``cite``."""
    return Node(
        kind=kind,
        slug=slug,
        title=cite,
        start=block.start,
        end=block.end,
        body_start=block.body_start,
        cite=cite,
        label=block.label,
        passage=True,
    )


def heading_like(block: Block, *, max_words: int = 30) -> bool:
    """A short unlabelled paragraph without closing punctuation: a title, a speaker, a table name."""
    words = block.body.split()
    return (
        block.kind == "text"
        and 0 < len(words) <= max_words
        and not re.search(r"[.,;:!?]['\"”’)]*$", block.body)
    )


@dataclass(slots=True)
class Row:
    """A table row: its cells (each a list of lines) and the span from first to last word."""

    cells: list[list[Line]]
    start: int
    end: int

    def cell_texts(self, text: str) -> list[str]:
        return [clean_text(" ".join(text[ln.content_start : ln.content_end] for ln in c)) for c in self.cells]


@dataclass(slots=True)
class Grid:
    header: Row | None
    rows: list[Row]


def read_grid(
    lines: Sequence[Line], *, header_hint: Callable[[list[str]], bool] | None = None, text: str = ""
) -> Grid:
    """Re-assemble a table from its flattened lines.

    Rows are delimited by tab-only lines at most five tabs deep, cells by six-tab lines. The first row
    is the header when the four-tab markup that closes a Word table header follows it, or when
    ``header_hint`` recognises its cell texts (a header whose closing markup was lost).
    """
    rows: list[Row] = []
    cells: list[list[Line]] = []
    cell: list[Line] = []
    header_closed = False  # a <=4-tab line seen after the first row
    first_row_closed_by_header = False

    def close_cell() -> None:
        nonlocal cell
        if cell:
            cells.append(cell)
            cell = []

    def close_row() -> None:
        nonlocal cells
        close_cell()
        if cells:
            rows.append(Row(cells, cells[0][0].content_start, cells[-1][-1].content_end))
            cells = []

    for line in lines:
        sh = shape(line)
        if sh.blank:
            if not line.raw.strip(" "):
                continue  # an empty line: no markup
            if sh.indent <= DEEP:
                close_row()
                if sh.indent <= DEEP - 1 and len(rows) == 1 and not header_closed:
                    header_closed = True
                    first_row_closed_by_header = True
            elif sh.indent == DEEP + 1:
                close_cell()
            continue
        if sh.glued and (cells or cell):
            close_row()
        if sh.indent == 0 and cell:
            cell.append(line)  # a wrapped line of the cell above
            continue
        if rows and len(rows) == 1 and not header_closed:
            header_closed = True  # a second row began without header markup
        cell.append(line)
    close_row()
    header = None
    if rows:
        hinted = header_hint is not None and text and header_hint(rows[0].cell_texts(text))
        if first_row_closed_by_header or hinted:
            header = rows.pop(0)
    return Grid(header, rows)


def row_keys(rows: Sequence[Row], text: str, *, max_words: int = 6) -> list[tuple[str, str]]:
    """Id slug and citation label for each table row: its first cell, disambiguated if needed.

    Where several rows share a first cell (Resolution 1 of three conferences), the key adds the
    first short column whose values tell those rows apart (slug ``1-buenos-aires-1994``, label
    ``1 (Buenos Aires, 1994)``), so that a row's id depends on its printed cells, not its position.
    """
    texts = [r.cell_texts(text) for r in rows]
    firsts = [t[0] if t else "" for t in texts]
    keys = [slugify(f, max_words=max_words) for f in firsts]
    out = [(k, short_label(f)) for k, f in zip(keys, firsts, strict=True)]
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    for key, members in groups.items():
        if len(members) < 2:
            continue
        width = max(len(texts[i]) for i in members)
        candidates = []
        for col in range(1, width):
            values = [texts[i][col] if col < len(texts[i]) else "" for i in members]
            if all(values) and len(set(values)) == len(values):
                candidates.append((sum(len(v) for v in values), col))
        if candidates:
            # The first short column that tells the rows apart ("First approved": "Doha, 2006"),
            # else the shortest: a title would make a long slug.
            short = [col for total, col in candidates if total <= 30 * len(members)]
            col = min(short) if short else min(candidates)[1]
            for i in members:
                value = texts[i][col]
                out[i] = (
                    f"{key}-{slugify(value, max_words=max_words)}",
                    f"{short_label(firsts[i])} ({value})",
                )
    return out


def short_label(cell: str, max_words: int = 10) -> str:
    """A cell's words as a citation label, cut after ``max_words`` (some first cells are sentences)."""
    words = cell.split()
    return cell if len(words) <= max_words else " ".join(words[:max_words]) + " …"


def table_node(
    ctx: ParseContext,
    lines: Sequence[Line],
    *,
    title: str | None = None,
    header_hint: Callable[[list[str]], bool] | None = None,
) -> Node:
    """A table as a structure node (no id segment) with one table-row passage per row.

    The header row becomes the node's heading and its ``lead_in``, so every row's context names the
    columns ("Target audience | Developed countries | Developing countries").
    """
    grid = read_grid(lines, header_hint=header_hint, text=ctx.text)
    head_text = " | ".join(grid.header.cell_texts(ctx.text)) if grid.header else None
    node = Node(
        kind="table",
        slug="",
        title=title or head_text or "table",
        lead_in=head_text,
    )
    if grid.header:
        node.start, node.end = grid.header.start, grid.header.end
    head0 = grid.header.cell_texts(ctx.text)[0] if grid.header else ""
    for row, (key, label) in zip(grid.rows, row_keys(grid.rows, ctx.text), strict=True):
        # "Res. 1 (Doha, 2006)" reads better than a bare "1" in a citation.
        cite = f"{head0} {label}" if head0 and re.match(r"\d", label) else label
        node.add(
            Node(
                kind="table-row",
                slug=key,
                title=label,
                start=row.start,
                end=row.end,
                cite=cite,
                passage=True,
            )
        )
    return node


def mark_images(ctx: ParseContext, lines: Sequence[Line]) -> None:
    for line in lines:
        if is_image(line):
            ctx.mark_layout(line)


@dataclass(slots=True)
class Table:
    """A run of lines holding a flattened table (cells seven tabs deep and their markup)."""

    lines: list[Line]


def _in_table(sh: Shape) -> bool:
    # Deep text that is not a footnote ("1<tab>These include ..." sits six tabs deep), the tab-only
    # markup around it, and unindented lines wrapped from a cell.
    return sh.blank or (sh.indent >= DEEP and sh.kind != "number") or (sh.indent == 0 and not sh.glued)


def events(ctx: ParseContext, lines: Sequence[Line]) -> list[Block | Table]:
    """Blocks of text and tables, in document order.

    A table whose cells hold list items (the "How?" tables of the study Questions: ``1) Within a study
    group:`` / ``– Study Question``) is a layout for a list, and comes back as its blocks, so that its
    items are read like any other. Picture placeholders inside tables are marked as layout.
    """
    out: list[Block | Table] = []
    pending: list[Line] = []
    i, n = 0, len(lines)
    while i < n:
        sh = shape(lines[i])
        if sh.blank or not (sh.indent >= DEEP and sh.kind != "number"):
            pending.append(lines[i])
            i += 1
            continue
        out.extend(blocks(ctx.text, pending))
        pending = []
        j = i
        while j < n and _in_table(shape(lines[j])):
            j += 1
        region = list(lines[i:j])
        i = j
        mark_images(ctx, region)
        content = [ln for ln in region if not ln.blank and not is_image(ln)]
        if any(shape(ln).kind != "text" for ln in content):
            out.extend(blocks(ctx.text, [ln for ln in region if not is_image(ln)]))
        elif content:
            out.append(Table(region))
    out.extend(blocks(ctx.text, pending))
    return out

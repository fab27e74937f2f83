"""Ruled tables in a PDF page: a grid of drawn lines, and the words inside its cells.

Only tables drawn as a grid are found (horizontal and vertical rules that cross, at least two rows
and two columns): those a reader sees as a table without doubt. Tables set with white space alone
are left to the paragraph reader (their rows become paragraphs), because guessing columns from
white space invents tables in ordinary text. A cell whose vertical rule is missing on its row spans
the columns it covers: its text goes into the first of them and the others stay empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.ingest.pdf_layout import Line, Word, group_lines

# Rules closer than this (points) are one rule; a rule reaching this close to another touches it.
_SNAP = 2.0


@dataclass(frozen=True, slots=True)
class Segment:
    """A drawn rule: horizontal when ``y0 == y1``, vertical when ``x0 == x1`` (page points, y down)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return self.y1 - self.y0 <= self.x1 - self.x0


@dataclass(frozen=True, slots=True)
class Grid:
    """One ruled table: the y of its row rules, the x of its column rules, the rules themselves."""

    ys: tuple[float, ...]
    xs: tuple[float, ...]
    verticals: tuple[Segment, ...]

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def holds(self, word: Word) -> bool:
        x = (word.x0 + word.x1) / 2
        y = word.baseline - 0.3 * word.size
        x0, y0, x1, y1 = self.box
        return x0 <= x <= x1 and y0 <= y <= y1


def _clusters(values: Sequence[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _SNAP:
            continue
        out.append(v)
    return out


def _touch(h: Segment, v: Segment) -> bool:
    return h.x0 - _SNAP <= v.x0 <= h.x1 + _SNAP and v.y0 - _SNAP <= h.y0 <= v.y1 + _SNAP


def find_grids(segments: Sequence[Segment]) -> list[Grid]:
    """The ruled tables among a page's drawn rules (connected crossing rules, 2 x 2 cells or more)."""
    hs = [s for s in segments if s.horizontal]
    vs = [s for s in segments if not s.horizontal]
    if len(hs) < 3 or len(vs) < 3:
        return []
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if _touch(h, v):
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, list[int]] = {}
    for i in range(len(parent)):
        groups.setdefault(find(i), []).append(i)
    grids = []
    for members in groups.values():
        rows = [hs[i] for i in members if i < len(hs)]
        cols = [vs[i - len(hs)] for i in members if i >= len(hs)]
        ys, xs = _clusters([h.y0 for h in rows]), _clusters([v.x0 for v in cols])
        if len(ys) >= 3 and len(xs) >= 3:
            grids.append(Grid(ys=tuple(ys), xs=tuple(xs), verticals=tuple(cols)))
    return sorted(grids, key=lambda g: (g.ys[0], g.xs[0]))


def _boundary(grid: Grid, x: float, y: float) -> bool:
    """A column rule at ``x`` crosses the row whose middle is ``y``."""
    return any(abs(v.x0 - x) <= _SNAP and v.y0 - _SNAP <= y <= v.y1 + _SNAP for v in grid.verticals)


def _index(edges: Sequence[float], value: float) -> int:
    for i in range(len(edges) - 1):
        if value < edges[i + 1]:
            return i
    return len(edges) - 2


def cells(grid: Grid, words: Sequence[Word], page: int) -> tuple[tuple[tuple[Line, ...], ...], ...]:
    """The table's rows, each a tuple of cells, each the lines of text in that cell."""
    buckets: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        row = _index(grid.ys, w.baseline - 0.3 * w.size)
        col = _index(grid.xs, (w.x0 + w.x1) / 2)
        buckets.setdefault((row, col), []).append(w)
    rows = []
    for r in range(len(grid.ys) - 1):
        middle = (grid.ys[r] + grid.ys[r + 1]) / 2
        row: list[tuple[Line, ...]] = []
        spans: list[list[int]] = [[0]]
        for c in range(1, len(grid.xs) - 1):
            if _boundary(grid, grid.xs[c], middle):
                spans.append([c])
            else:
                spans[-1].append(c)
        for span in spans:
            inside = [w for c in span for w in buckets.get((r, c), [])]
            row.append(tuple(group_lines(inside, page)) if inside else ())
            row.extend(() for _ in span[1:])
        rows.append(tuple(row))
    return tuple(rows)


def placeholder(grid: Grid, page: int, rows: tuple[tuple[tuple[Line, ...], ...], ...]) -> Line:
    """A line that stands for the table where it sits, so that reading order places it."""
    x0, y0, x1, y1 = grid.box
    size = max(1.0, (y1 - y0) / 0.95)  # a Word spans baseline - 0.75 size .. baseline + 0.2 size
    word = Word(text="", x0=x0, x1=x1, baseline=y0 + 0.75 * size, size=size)
    return Line(words=(word,), page=page, size=size, baseline=word.baseline, cells=rows)

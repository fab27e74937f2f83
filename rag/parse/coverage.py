"""Coverage: the share of non-blank source lines that a passage, a heading or layout accounts for.

A line counts as covered when every non-whitespace character of it lies inside a passage span, an
outline heading span or a layout span. The target is 100 %: nothing of the source is dropped.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rag.parse.spans import split_lines
from rag.types import ParsedDocument

_NON_WS = re.compile(r"[^\s\u00a0\u200b]+")


@dataclass(frozen=True, slots=True)
class Coverage:
    """Counts of non-blank lines by what covers them, and the lines nothing covers."""

    doc: str
    lines: int
    in_passages: int
    in_headings: int
    layout: int
    uncovered: tuple[int, ...]  # 1-based line numbers
    layout_lines: tuple[int, ...]

    @property
    def share(self) -> float:
        return 1.0 if not self.lines else 1 - len(self.uncovered) / self.lines


def _merge(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(spans):
        if starts and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def _covered(merged: tuple[list[int], list[int]], a: int, b: int) -> bool:
    starts, ends = merged
    i = bisect.bisect_right(starts, a) - 1
    return i >= 0 and ends[i] >= b


def measure_coverage(doc: ParsedDocument, text: str) -> Coverage:
    """Classify every non-blank line of ``text`` as passage, heading, layout, or uncovered."""
    passage_spans = _merge([span for p in doc.passages for span in p.spans])
    heading_spans = _merge(list(doc.headings))
    layout_spans = _merge(list(doc.layout))
    everything = _merge(
        [span for p in doc.passages for span in p.spans] + list(doc.headings) + list(doc.layout)
    )
    counts = {"passage": 0, "heading": 0, "layout": 0}
    uncovered: list[int] = []
    layout_lines: list[int] = []
    total = 0
    for line in split_lines(text):
        pieces = [(line.start + m.start(), line.start + m.end()) for m in _NON_WS.finditer(line.raw)]
        if not pieces:
            continue
        total += 1
        if all(_covered(passage_spans, a, b) for a, b in pieces):
            counts["passage"] += 1
        elif all(_covered(heading_spans, a, b) for a, b in pieces):
            counts["heading"] += 1
        elif all(_covered(layout_spans, a, b) for a, b in pieces):
            counts["layout"] += 1
            layout_lines.append(line.no)
        elif all(_covered(everything, a, b) for a, b in pieces):
            counts["passage"] += 1
        else:
            uncovered.append(line.no)
    return Coverage(
        doc=doc.meta.id,
        lines=total,
        in_passages=counts["passage"],
        in_headings=counts["heading"],
        layout=counts["layout"],
        uncovered=tuple(uncovered),
        layout_lines=tuple(layout_lines),
    )

"""Secretary-General reports (WTPF): numbered paragraphs, boxes, timetable rows, draft opinions annex."""

from __future__ import annotations

from rag.parse.plain import parse_plain
from rag.parse.tree import Node, ParseContext


def parse_sg_report(ctx: ParseContext) -> Node:
    """Placeholder until the report parser lands: plain paragraphs."""
    return parse_plain(ctx)

"""Tables: WSIS action line roadmaps (rows re-assembled across page breaks, one passage per cell)."""

from __future__ import annotations

from rag.parse.plain import parse_plain
from rag.parse.tree import Node, ParseContext


def parse_roadmaps(ctx: ParseContext) -> Node:
    """Placeholder until the roadmap parser lands: plain paragraphs."""
    return parse_plain(ctx)

"""The WTDC final report: overview, declaration, action plan, regional initiatives, resolutions, Questions."""

from __future__ import annotations

from rag.parse.plain import parse_plain
from rag.parse.tree import Node, ParseContext


def parse_conference_report(ctx: ParseContext) -> Node:
    """Placeholder until the WTDC parser lands: plain paragraphs."""
    return parse_plain(ctx)

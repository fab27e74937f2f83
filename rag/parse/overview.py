"""Conference overview, Baku Declaration (Part I) and Baku Action Plan (Part II) of the WTDC report."""

from __future__ import annotations

from collections.abc import Sequence

from rag.parse.plain import paragraph_nodes
from rag.parse.spans import Line
from rag.parse.tree import Node, ParseContext


def parse_overview(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """Placeholder until this parser lands: plain paragraphs."""
    return paragraph_nodes(ctx, lines, slug_prefix="overview-")


def parse_action_plan(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """Placeholder until this parser lands: plain paragraphs."""
    return paragraph_nodes(ctx, lines, slug_prefix="action-plan-")

"""Resolutions, recommendations and draft opinions: clause blocks and their lettered/numbered items."""

from __future__ import annotations

from collections.abc import Sequence

from rag.parse.plain import paragraph_nodes
from rag.parse.spans import Line
from rag.parse.tree import Node, ParseContext


def parse_instruments(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """Placeholder until this parser lands: plain paragraphs."""
    return paragraph_nodes(ctx, lines, slug_prefix="instruments-")


def parse_declaration(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """Placeholder until this parser lands: plain paragraphs."""
    return paragraph_nodes(ctx, lines, slug_prefix="declaration-")

"""The fallback parser: blank-line separated paragraphs, for documents or regions of no known structure.

A document is never dropped: if its kind has no parser, or its parser fails, it is indexed this way
with a warning naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.parse.spans import Line, has_words
from rag.parse.tree import Node, ParseContext

_NUMBERED = re.compile(r"^\s*(\d+(?:\.\d+)*\.?)\s")


def paragraph_nodes(ctx: ParseContext, lines: Sequence[Line], *, slug_prefix: str = "p") -> list[Node]:
    """One paragraph node per run of non-blank lines; runs without words are marked as layout.

    Slugs are ``{slug_prefix}{n}`` counted within ``lines``, and citations name the source line, since
    an unstructured text offers nothing better to cite.
    """
    nodes: list[Node] = []
    block: list[Line] = []

    def flush() -> None:
        if not block:
            return
        start, end = block[0].content_start, block[-1].content_end
        if not has_words(ctx.text[start:end]):
            for line in block:
                ctx.mark_layout(line)
        else:
            n = len(nodes) + 1
            m = _NUMBERED.match(block[0].raw)
            nodes.append(
                Node(
                    kind="paragraph",
                    slug=f"{slug_prefix}{n}",
                    title=f"paragraph {n}",
                    start=start,
                    end=end,
                    cite=f"paragraph at line {block[0].no}",
                    passage=True,
                    label=m.group(1).rstrip(".") if m else None,
                )
            )
        block.clear()

    for line in lines:
        if line.blank:
            flush()
        else:
            block.append(line)
    flush()
    return nodes


def parse_plain(ctx: ParseContext) -> Node:
    """The whole document as plain paragraphs."""
    root = Node(kind="document", slug="", title=ctx.meta.title)
    root.children.extend(paragraph_nodes(ctx, ctx.lines))
    return root

"""The fallback parser: blank-line separated paragraphs, for documents of no known structure.

A document is never dropped: if its kind has no parser, or its parser fails, it is indexed this way
with a warning naming the file and line.
"""

from __future__ import annotations

import re

from rag.parse.spans import has_words
from rag.parse.tree import Node, ParseContext

_NUMBERED = re.compile(r"^\s*(\d+(?:\.\d+)*\.?)\s")


def parse_plain(ctx: ParseContext) -> Node:
    """One paragraph passage per run of non-blank lines; a leading number becomes the label."""
    root = Node(kind="document", slug="", title=ctx.meta.title)
    block: list = []
    count = 0

    def flush() -> None:
        nonlocal count
        if not block:
            return
        start, end = block[0].content_start, block[-1].content_end
        if not has_words(ctx.text[start:end]):
            for line in block:
                ctx.mark_layout(line)
        else:
            count += 1
            m = _NUMBERED.match(block[0].raw)
            label = m.group(1).rstrip(".") if m else None
            root.add(
                Node(
                    kind="paragraph",
                    slug=f"p{count}",
                    title=f"paragraph {count}",
                    start=start,
                    end=end,
                    cite=f"paragraph {count} (line {block[0].no})",
                    passage=True,
                    label=label,
                )
            )
        block.clear()

    for line in ctx.lines:
        if line.blank:
            flush()
        else:
            block.append(line)
    flush()
    return root

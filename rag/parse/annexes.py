"""The closing annexes of the WTDC report: opening speeches, statements and status tables.

They follow the last study Question, in the same Part of the file::

    Annex A / His Excellency ... (speaker)          -> ``annex-a`` (the speaker line is its title)
        Opening remarks at the WTDC-25               -> subsection ``annex-a/opening-remarks-at-the``
        Good morning. It is my honour ...            -> ``annex-a/opening-remarks-at-the/p1``
    Statements                                       -> ``statements`` (its "Annex" line was lost)
        U.S. Statement for the Record ...            -> subsection ``statements/u-s-statement-for``
        •  In the negotiations for the Declaration   -> ``.../p4/bullet-1``
    Annex F / New numbering and allocation ...       -> ``annex-f``; rows ``annex-f/study-group-1/q1-1``
    Status of all resolutions, Recommendations ...   -> ``status-of-all-resolutions``
        Resolutions table                            -> rows ``.../resolutions/1-buenos-aires-1994``

Several annex headings were lost in the conversion; where that happened the first line of the annex
starts with a space (the converter's mark for lost content), and the annex is named by that line.
A short unpunctuated paragraph followed by prose or a table titles a subsection.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import rag.parse.tabtext as tabtext
from rag.parse.spans import Line
from rag.parse.tabtext import Block, Table, short_label
from rag.parse.tree import Node, ParseContext, slugify

logger = logging.getLogger(__name__)

_ANNEX = re.compile(r"^Annex\s+([A-Z])$")
_SLUG_WORDS = 4


def find_start(lines: Sequence[Line]) -> int:
    """Index of the first annex heading (``Annex A``) in ``lines``, or ``len(lines)`` if none."""
    return next((i for i, ln in enumerate(lines) if _ANNEX.match(ln.stripped)), len(lines))


def _starts_annex(line: Line) -> bool:
    if _ANNEX.match(line.stripped):
        return True
    sh = tabtext.shape(line)
    return sh.glued and not sh.blank and sh.kind == "text" and sh.indent < tabtext.DEEP


def parse_annexes(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """One node per annex; paragraphs, subsections and table rows below it."""
    sections: list[list[Line]] = []
    for line in lines:
        if _starts_annex(line) or not sections:
            sections.append([])
        sections[-1].append(line)
    return [node for section in sections if (node := _annex(ctx, section)) is not None]


def _annex(ctx: ParseContext, lines: Sequence[Line]) -> Node | None:
    events = tabtext.events(ctx, lines)
    if not events:
        return None
    first = events.pop(0)
    if isinstance(first, Table):
        ctx.warn(first.lines[0].no, "annex starts with a table; kept without a heading")
        node = Node(kind="annex", slug="annex", title="Annex", cite="Annex")
        _fill(ctx, node, [first, *events])
        return node
    if m := _ANNEX.match(first.body):
        node = Node(
            kind="annex",
            slug=f"annex-{m.group(1).lower()}",
            title=first.body,
            start=first.start,
            end=first.end,
            cite=first.body,
        )
        if events and isinstance(events[0], Block) and tabtext.heading_like(events[0]):
            title = events.pop(0)
            node.extra_headings.append((title.start, title.end))
            node.title = f"{first.body} – {title.body}"
            node.lead_in = title.body
    else:
        node = Node(
            kind="annex",
            slug=slugify(first.body, max_words=_SLUG_WORDS),
            title=first.body,
            start=first.start,
            end=first.end,
            cite=short_label(first.body),
        )
    _fill(ctx, node, events)
    return node


def _opens_section(block: Block, following: Block | Table | None) -> bool:
    if not tabtext.heading_like(block):
        return False
    if isinstance(following, Table):
        return True
    return isinstance(following, Block) and following.kind == "text" and not tabtext.heading_like(following)


def _fill(ctx: ParseContext, annex: Node, events: Sequence[Block | Table]) -> None:
    container = annex
    counts: dict[int, int] = {}
    last: Node | None = None
    for i, event in enumerate(events):
        following = events[i + 1] if i + 1 < len(events) else None
        if isinstance(event, Table):
            container.add(tabtext.table_node(ctx, event.lines))
            last = None
        elif _opens_section(event, following):
            container = annex.add(
                Node(
                    kind="section",
                    slug=slugify(event.body, max_words=_SLUG_WORDS),
                    title=event.body,
                    start=event.start,
                    end=event.end,
                    cite=short_label(event.body),
                    lead_in=event.body,
                )
            )
            last = None
        elif event.kind in ("dash", "bullet") and last is not None:
            word = "dash" if event.kind == "dash" else "bullet"
            k = sum(1 for c in last.children if c.slug.startswith(word + "-")) + 1
            last.add(
                Node(
                    kind="paragraph",
                    slug=f"{word}-{k}",
                    title=f"{word} {k}",
                    start=event.start,
                    end=event.end,
                    body_start=event.body_start,
                    cite=f"{word} {k}",
                    label=event.label,
                    passage=True,
                )
            )
        else:
            k = counts[id(container)] = counts.get(id(container), 0) + 1
            last = container.add(
                Node(
                    kind="heading" if tabtext.heading_like(event) else "paragraph",
                    slug=f"p{k}",
                    title=f"paragraph {k}",
                    start=event.start,
                    end=event.end,
                    cite=f"paragraph {k}",
                    passage=True,
                )
            )

"""Regional initiatives (AFR1, AMS2, ...): objective, impact and numbered expected results.

Part III of the WTDC report groups the initiatives by region::

    AFRICA REGIONAL INITIATIVES
    AFR1:   Resilient digital infrastructure and ...            -> instrument ``afr1`` + title passage
    Objective: This initiative aims to ...                      -> ``afr1/objective``
    Impact: Improvement of ...   (Arab States; or a bulleted list under "Impact")  -> ``arb1/impact``
    Expected results                                            -> heading (no id segment)
    Assistance to countries in need in the following areas:     -> (Europe) lead-in of the results
    13) Facilitation of access to submarine cables ...          -> ``afr1/result-13``
        a) development of national cybersecurity strategies ... -> ``ams4/result-1/a``
    Implementation of this regional initiative will contribute to the following processes:
        Process | Focus Area table                              -> ``eur4/processes/<first cell>``

Footnotes printed at the end of a region attach to the initiative whose text carries their marker
(``situations1``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import rag.parse.tabtext as tabtext
from rag.parse.spans import Line
from rag.parse.tabtext import Block
from rag.parse.tree import Node, ParseContext, footnote_node

logger = logging.getLogger(__name__)

_REGION = re.compile(r"^(?P<name>[A-Z][A-Z -]*?)\s+REGIONAL INITIATIVES$")
_INITIATIVE = re.compile(r"^(?P<code>[A-Z]{3})(?P<n>\d+):\s*(?P<title>.*)$")
_OBJECTIVE = re.compile(r"^Objective\s*:\s*")
_IMPACT = re.compile(r"^Impact\s*(?::|$)")
_PROCESSES = re.compile(r"^Implementation of this regional initiative will contribute to")


def _heading_of(line: Line) -> tuple[str, re.Match[str]] | None:
    text = line.stripped
    if m := _REGION.match(text):
        return "region", m
    if m := _INITIATIVE.match(text):
        return "initiative", m
    return None


def parse_initiatives(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """Parse Part III into region nodes holding one instrument node per initiative.

    Example:
        ``AFR1:\\tResilient ...`` becomes instrument "Regional initiative AFR1" (id segment ``afr1``)
        with passages ``afr1/title``, ``afr1/objective`` and ``afr1/result-1`` ... ``afr1/result-17``.
    """
    nodes: list[Node] = []
    region: Node | None = None
    segment: list[Line] = []
    current: Node | None = None
    footnotes: list[tuple[Node, Block]] = []

    def flush() -> None:
        if current is not None:
            footnotes.extend((current, fn) for fn in _fill_initiative(ctx, current, segment))
        elif segment:
            # Text before the first initiative: nothing is expected there.
            for block in tabtext.blocks(ctx.text, segment):
                ctx.warn(block.first.no, "text outside any regional initiative; kept as a paragraph")
                (region.children if region else nodes).append(_paragraph(block, f"p-{block.first.no}"))
        segment.clear()

    for line in lines:
        found = _heading_of(line)
        if found is None:
            segment.append(line)
            continue
        flush()
        kind, m = found
        if kind == "region":
            region = Node(
                kind="section",
                slug="",
                title=line.stripped,
                start=line.content_start,
                end=line.content_end,
            )
            nodes.append(region)
            current = None
        else:
            current = _initiative(line, m)
            (region.children if region else nodes).append(current)
    flush()
    _attach_footnotes(ctx, nodes, footnotes)
    return nodes


def _initiative(line: Line, m: re.Match[str]) -> Node:
    code = f"{m.group('code')}{m.group('n')}"
    title = m.group("title").strip()
    name = f"Regional initiative {code}"
    node = Node(
        kind="instrument",
        slug=code.lower(),
        title=f"{name} – {title}",
        cite=name,
        instrument=name,
        instrument_title=title,
    )
    node.add(
        Node(
            kind="title",
            slug="title",
            title="title",
            start=line.content_start,
            end=line.content_end,
            passage=True,
        )
    )
    return node


def _paragraph(block: Block, slug: str, *, kind: str = "paragraph", cite: str | None = None) -> Node:
    return Node(
        kind=kind,
        slug=slug,
        title=cite or slug,
        start=block.start,
        end=block.end,
        cite=cite,
        passage=True,
    )


def _fill_initiative(ctx: ParseContext, inst: Node, lines: Sequence[Line]) -> list[Block]:
    """Add an initiative's objective, impact, results and processes table; return its footnotes."""
    table_at = next((i for i, ln in enumerate(lines) if _PROCESSES.match(ln.stripped)), None)
    body = lines if table_at is None else lines[:table_at]
    footnotes: list[Block] = []
    results: Node | None = None
    impact: Node | None = None
    last: Node | None = None  # the passage dash, bullet and lettered items hang from
    extra = 0

    for block in tabtext.blocks(ctx.text, body):
        if block.kind == "number" and block.shape.indent >= tabtext.DEEP:
            footnotes.append(block)
            continue
        words = block.body
        if block.kind == "text" and _OBJECTIVE.match(words):
            obj = inst.add(_paragraph(block, "objective", kind="objective", cite="objective"))
            obj.body_start = _after(ctx.text, block.start, "Objective", block.end)
            last, impact = obj, None
        elif block.kind == "text" and _IMPACT.match(words) and results is None:
            if words.rstrip(" :") == "Impact":
                impact = inst.add(
                    Node(
                        kind="section",
                        slug="impact",
                        title="Impact",
                        start=block.start,
                        end=block.end,
                        cite="impact",
                    )
                )
                last = impact
            else:
                last = inst.add(_paragraph(block, "impact", cite="impact"))
                last.body_start = _after(ctx.text, block.start, "Impact", block.end)
                impact = None
        elif block.kind == "text" and words.rstrip(" :") == "Expected results":
            results = inst.add(
                Node(
                    kind="block",
                    slug="",
                    title="Expected results",
                    start=block.start,
                    end=block.end,
                    lead_in="Expected results",
                )
            )
            impact, last = None, None
        elif block.kind == "text" and results is not None and not results.children and not _is_para(words):
            # "Assistance to countries in need in the following areas:" introduces every result.
            results.extra_headings.append((block.start, block.end))
            results.lead_in = words
        elif block.kind == "item" and results is not None:
            n = block.label.rstrip(")")
            last = results.add(tabtext.item_node(block, "result", f"result-{n}", f"expected result {n}"))
        elif block.kind == "letter" and last is not None and last.kind == "result":
            last.add(tabtext.item_node(block, "result", block.label.rstrip(")"), block.label))
        elif block.kind in ("dash", "bullet") and (impact is not None or last is not None):
            parent = impact if impact is not None else last
            word = "bullet" if block.kind == "bullet" else "dash"
            k = sum(1 for c in parent.children if c.slug.startswith(word + "-")) + 1
            kind = "paragraph" if parent is impact else parent.kind
            parent.add(tabtext.item_node(block, kind, f"{word}-{k}", f"{word} {k}"))
        else:
            extra += 1
            ctx.warn(block.first.no, f"unexpected text in {inst.instrument}; kept as a paragraph")
            last = inst.add(_paragraph(block, f"p{extra}", cite=f"paragraph {extra}"))
    if table_at is not None:
        inst.add(_processes(ctx, lines[table_at], lines[table_at + 1 :]))
    return footnotes


def _is_para(words: str) -> bool:
    """True for text that reads as a statement rather than a lead-in to a list."""
    return not words.endswith(":")


def _after(text: str, start: int, word: str, end: int) -> int | None:
    """Offset just after ``word`` and its colon, where the passage's own words begin (None if none do)."""
    m = re.compile(re.escape(word) + r"\s*:?\s*").match(text, start, end)
    return m.end() if m and m.end() < end else None


def _processes(ctx: ParseContext, heading: Line, lines: Sequence[Line]) -> Node:
    """The Europe initiatives' "contribute to the following processes" table (Process | Focus Area)."""
    node = Node(
        kind="section",
        slug="processes",
        title=heading.stripped,
        start=heading.content_start,
        end=heading.content_end,
        cite="processes",
        lead_in=heading.stripped,
    )
    table = tabtext.table_node(ctx, lines, header_hint=lambda cells: cells[:1] == ["Process"])
    if table.end > table.start:
        node.extra_headings.append((table.start, table.end))
    node.children.extend(table.children)
    return node


_MARKER = r"(?<=[a-z)]){n}(?=[\s.,;:)]|$)"


def _attach_footnotes(ctx: ParseContext, nodes: list[Node], footnotes: list[tuple[Node, Block]]) -> None:
    """Attach each footnote to the initiative whose text carries its marker, nearest before it."""
    passages = [
        (inst, n)
        for top in nodes
        for inst in top.walk()
        if inst.kind == "instrument"
        for n in inst.walk()
        if n.passage
    ]
    for home, block in footnotes:
        number = block.label
        marker = re.compile(_MARKER.format(n=re.escape(number)))
        owner = home
        best = -1
        for inst, n in passages:
            if n.start < block.start and n.start > best:
                if marker.search(ctx.text, n.body_start or n.start, n.end):
                    owner, best = inst, n.start
        if best < 0:
            ctx.warn(block.first.no, f"no marker for footnote {number}; kept with {home.instrument}")
        owner.add(footnote_node(number, block.start, block.end, body_start=block.body_start))

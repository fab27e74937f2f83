"""ITU-D study Questions (Question 1/1, ...): numbered sections, their paragraphs, items and tables.

Part V of the WTDC report prints, per study group, each Question's terms of reference::

    STUDY GROUP 1                                        -> heading (no id segment)
    QUESTION 1/1                                         -> instrument ``q-1-1``
    Enabling policies and strategies for ...             -> ``q-1-1/title`` (with the QUESTION line)
    1   Statement of the situation or problem            -> section ``q-1-1/1``
        Despite the significant progress ...             -> ``q-1-1/1/p1`` (paragraph counters)
    2.1 Continuing topics to consider ...                -> section ``q-1-1/2.1`` (beside section 2)
        4)  Needs, policies, mechanisms ...              -> ``q-1-1/2.1/4``
            –   methods for planning ...                 -> ``q-1-1/2.1/4/dash-1``
    7   Target audience + table                          -> rows ``q-1-1/7/consumers-end-users``
        a)  Target audience / b) Proposed methods ...    -> subsections ``q-1-1/7/a``
    8   a) How? (a table holding a list)                 -> ``q-1-1/8/a/1``, ``q-1-1/8/a/1/dash-1``
    1   These include the least developed countries  (six tabs deep)  -> footnote ``q-1-1/fn-1``

A section or subsection whose whole body is one paragraph is that paragraph's passage itself
(``q-1-1/4``), with its heading line kept as a heading. Dash items hang from the passage above them
(an item, or a paragraph ending "... to:"). The report's closing annexes follow the last Question in
this Part of the file; they go to ``annexes.parse_annexes``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import rag.parse.annexes as annexes
import rag.parse.tabtext as tabtext
from rag.parse.spans import Line
from rag.parse.tabtext import Block, Table
from rag.parse.tree import Node, ParseContext, footnote_node

logger = logging.getLogger(__name__)

_STUDY_GROUP = re.compile(r"^STUDY GROUP\s+(\d+)$")
_QUESTION = re.compile(r"^QUESTION\s+(\d+)/(\d+)$")
_SUBHEADING_WORDS = 8


def parse_questions(ctx: ParseContext, lines: Sequence[Line]) -> list[Node]:
    """Parse Part V: study groups holding Question instruments, then the report's annexes.

    Example:
        ``QUESTION 1/1`` becomes instrument "Question 1/1" (id segment ``q-1-1``); its item 3) of
        section 2.1 is passage ``wtdc-25-final-report/q-1-1/2.1/3``, cited "WTDC-25 Final Report,
        Question 1/1, 2.1, 3)".
    """
    annex_at = annexes.find_start(lines)
    nodes: list[Node] = []
    group: Node | None = None
    question: tuple[Node, Line] | None = None
    segment: list[Line] = []

    def flush() -> None:
        if question is not None:
            _fill_question(ctx, *question, segment)
        else:
            for event in tabtext.events(ctx, segment):
                if isinstance(event, Block):
                    ctx.warn(event.first.no, "text outside any study Question; kept as a paragraph")
                    target = group.children if group else nodes
                    target.append(_passage(event, f"p-{event.first.no}", "paragraph", "paragraph"))
                else:
                    (group.children if group else nodes).append(tabtext.table_node(ctx, event.lines))
        segment.clear()

    for line in lines[:annex_at]:
        text = line.stripped
        if m := _STUDY_GROUP.match(text):
            flush()
            question = None
            group = Node(
                kind="section",
                slug="",
                title=f"Study Group {m.group(1)}",
                start=line.content_start,
                end=line.content_end,
            )
            nodes.append(group)
        elif m := _QUESTION.match(text):
            flush()
            number = f"{m.group(1)}/{m.group(2)}"
            node = Node(
                kind="instrument",
                slug=f"q-{m.group(1)}-{m.group(2)}",
                title=f"Question {number}",
                cite=f"Question {number}",
                instrument=f"Question {number}",
            )
            (group.children if group else nodes).append(node)
            question = (node, line)
        else:
            segment.append(line)
    flush()
    nodes.extend(annexes.parse_annexes(ctx, lines[annex_at:]))
    return nodes


def _passage(block: Block, slug: str, kind: str, cite_word: str, *, number: int | None = None) -> Node:
    cite = f"{cite_word} {number}" if number is not None else cite_word
    return Node(
        kind=kind,
        slug=slug,
        title=cite,
        start=block.start,
        end=block.end,
        cite=cite,
        passage=True,
    )


@dataclass(slots=True)
class _State:
    """Where the next block of a Question goes."""

    question: Node
    section: Node | None = None
    sub: Node | None = None
    last_item: Node | None = None  # a numbered item: lettered and roman items hang from it
    last: Node | None = None  # the passage dash items hang from
    paragraphs: dict[int, int] = field(default_factory=dict)  # id(container) -> count

    @property
    def container(self) -> Node:
        return self.sub or self.section or self.question

    def next_paragraph(self) -> int:
        key = id(self.container)
        self.paragraphs[key] = self.paragraphs.get(key, 0) + 1
        return self.paragraphs[key]


def _fill_question(ctx: ParseContext, q: Node, heading: Line, lines: Sequence[Line]) -> None:
    events = tabtext.events(ctx, lines)
    title = Node(
        kind="title",
        slug="title",
        title="title",
        start=heading.content_start,
        end=heading.content_end,
        passage=True,
    )
    q.add(title)
    if events and isinstance(events[0], Block) and events[0].kind == "text":
        first = events.pop(0)
        title.end = first.end
        q.instrument_title = first.body
        q.title = f"Question {q.instrument.removeprefix('Question ')} – {first.body}"
    else:
        ctx.warn(heading.no, f"{q.instrument} has no title line")
    state = _State(question=q)
    for event in events:
        if isinstance(event, Table):
            _table(ctx, state, event)
        else:
            _block(ctx, state, event)
    _collapse(q)


def _table(ctx: ParseContext, state: _State, table: Table) -> None:
    node = tabtext.table_node(
        ctx,
        table.lines,
        # The "Target audience" header sometimes lost its closing markup (and its first cell).
        header_hint=lambda cells: "Developed countries" in cells,
    )
    state.container.add(node)
    state.last_item = state.last = None


def _is_subheading(block: Block) -> bool:
    """``a) Target audience``, ``b) Why?``: a lettered line that titles what follows."""
    words = block.body.split()
    return (
        block.kind == "letter"
        and not tabtext.is_roman(block.label)
        and 0 < len(words) <= _SUBHEADING_WORDS
        and not re.search(r"[.;,:]$", block.body)
    )


def _block(ctx: ParseContext, state: _State, block: Block) -> None:
    q = state.question
    kind, label = block.kind, block.label
    if kind == "number" and block.shape.indent >= tabtext.DEEP:
        q.add(footnote_node(label, block.start, block.end, body_start=block.body_start))
        return
    if kind == "number":
        node = Node(
            kind="section",
            slug=label,
            title=f"{label} {block.body}",
            start=block.start,
            end=block.end,
            cite=label,
            lead_in=f"{label} {block.body}",
        )
        top, _, _ = label.partition(".")
        if "." not in label:
            state.section, state.sub = q.add(node), None
        elif state.section is not None and state.section.slug == top:
            # 2.1 is cited and identified on its own ("Question 1/1, 2.1, 3)", ``q-1-1/2.1/3``), so it
            # sits beside section 2, whose heading it keeps as lead-in for context.
            node.lead_in = state.section.lead_in
            state.sub = q.add(node)
        else:
            ctx.warn(block.first.no, f"{q.instrument}: section {label} outside section {top}")
            state.section, state.sub = q.add(node), None
        state.last_item = state.last = None
        return
    if _is_subheading(block):
        node = Node(
            kind="section",
            slug=label.rstrip(")"),
            title=f"{label} {block.body}",
            start=block.start,
            end=block.end,
            cite=label,
            lead_in=f"{label} {block.body}",
        )
        state.sub = (state.section or q).add(node)
        state.last_item = state.last = None
        return
    if kind in ("item", "letter"):
        parent = state.container
        if kind == "letter" and state.last_item is not None:
            parent = state.last_item  # i), ii) under 1): the sub-items of a numbered item
        node = parent.add(tabtext.item_node(block, "question", label.rstrip(")"), label))
        if kind == "item":
            state.last_item = node
        state.last = node
        return
    if kind in ("dash", "bullet"):
        parent = state.last or state.container
        word = "dash" if kind == "dash" else "bullet"
        k = sum(1 for c in parent.children if c.slug.startswith(word + "-")) + 1
        parent.add(tabtext.item_node(block, "question", f"{word}-{k}", f"{word} {k}"))
        return
    k = state.next_paragraph()
    state.last = state.container.add(_passage(block, f"p{k}", "question", "paragraph", number=k))
    state.last_item = None


def _collapse(q: Node) -> None:
    """Make a section whose body is a single paragraph that paragraph's passage."""
    for node in list(q.walk()):
        if node.kind != "section" or len(node.children) != 1:
            continue
        child = node.children[0]
        if not (child.passage and child.kind == "question" and child.slug == "p1" and not child.children):
            continue
        # The heading leaves the path with the node's children, so the lead-in keeps it in context.
        node.extra_headings.append((node.start, node.end))
        node.lead_in = node.title
        node.start, node.end = child.start, child.end
        node.kind, node.passage, node.children = "question", True, []

"""The structure tree every parser builds, and its flattening into passages and an outline.

Parsers only find structure: they create ``Node``s with spans, slugs, labels and roles. Everything
derived from the tree (ids, paths, citations, context, text) is computed here, once, so that all
document kinds cite and identify passages the same way.

Ids are the slugs of the node's ancestors joined by ``/`` under the document id
(``wtdc-25-final-report/res-15/instructs/4``): they depend on the passage's place in the structure,
not on offsets or order, so an edit elsewhere in a document leaves them unchanged.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from rag.parse.spans import Line, clean_text, split_lines, trim_span
from rag.types import DocumentMeta, OutlineNode, ParsedDocument, Passage, PassageKind

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Node:
    """A node of a document's structure tree, mutable while the parser builds it.

    Args:
        kind: a ``PassageKind`` value for passages; for structure-only nodes a word such as
            ``document``, ``part``, ``section``, ``instrument``, ``block``, ``annex``, ``table``.
        slug: this node's segment of the passage id (``res-15``, ``instructs``, ``4``); empty to add
            nothing (a report section whose paragraphs carry their full number, ``7.9.6``).
        title: how the node appears in paths and the outline.
        start, end: the node's own span in the source: for a passage, its text (label included);
            for a structure node, its heading line(s), if it has one (``start == end`` if not).
        cite: this node's segment of the human citation, or None to leave it out.
        passage: whether the node yields a passage.
        body_start: where the passage's words start when a printed label precedes them.
        fragments: for a passage split in the source (a table cell across a page break), its pieces.
        label, clause, addressee, lead_in, instrument, instrument_title: passed down to descendants
            that do not set their own.
    """

    kind: str
    slug: str
    title: str
    start: int = 0
    end: int = 0
    cite: str | None = None
    passage: bool = False
    body_start: int | None = None
    fragments: list[tuple[int, int]] = field(default_factory=list)
    label: str | None = None
    clause: str | None = None
    addressee: str | None = None
    lead_in: str | None = None
    instrument: str | None = None
    instrument_title: str | None = None
    extra_headings: list[tuple[int, int]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def add(self, child: Node) -> Node:
        """Append a child and return it, so parsers can write ``block = res.add(Node(...))``."""
        self.children.append(child)
        return child

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def footnote_node(
    mark: str | None,
    start: int,
    end: int,
    *,
    body_start: int | None = None,
    slug: str | None = None,
    cite: str | None = None,
    lead_in: str | None = None,
) -> Node:
    """A footnote passage: one shape for every parser, so a note reads ``fn-1``, "footnote 1" everywhere.

    ``slug`` (default ``fn-<mark>``) and ``cite`` (default ``footnote <mark>``) are for the parsers
    that make a mark unique or cite the note under its region.
    """
    return Node(
        kind=PassageKind.FOOTNOTE.value,
        slug=slug if slug is not None else f"fn-{mark}",
        title=f"footnote {mark}",
        start=start,
        end=end,
        cite=cite if cite is not None else f"footnote {mark}",
        passage=True,
        body_start=body_start,
        label=mark,
        lead_in=lead_in,
    )


@dataclass(slots=True)
class ParseContext:
    """What a document parser receives: the text, its lines, and places to put layout and warnings."""

    meta: DocumentMeta
    text: str
    lines: list[Line] = field(default_factory=list)
    layout: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quiet: bool = False  # collect warnings without logging them (a trial parse)

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = split_lines(self.text)

    def warn(self, line_no: int, message: str) -> None:
        """Record a warning naming the file and line, and log it."""
        warning = f"{self.meta.file}:{line_no}: {message}"
        self.warnings.append(warning)
        if not self.quiet:
            logger.warning("%s", warning)

    def mark_layout(self, line: Line) -> None:
        """Classify a line as layout (page-break rows, empty markup): it holds no words to index."""
        if not line.blank:
            self.layout.append((line.content_start, line.content_end))

    def line_at(self, offset: int) -> Line:
        """The line holding ``offset`` (binary search)."""
        lo, hi = 0, len(self.lines) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.lines[mid].start <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.lines[lo]


DocumentParser = Callable[[ParseContext], Node]


def slugify(text: str, *, max_words: int = 6) -> str:
    """A short id segment from printed words: ``"recognizing further"`` -> ``recognizing-further``."""
    folded = unicodedata.normalize("NFKD", clean_text(text)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+(?:\.[0-9]+)*", folded.lower())
    return "-".join(words[:max_words]) or "x"


def _passage_text(text: str, node: Node) -> str:
    if node.fragments:
        return clean_text(" ".join(text[a:b] for a, b in node.fragments))
    start = node.body_start if node.body_start is not None else node.start
    return clean_text(text[start : node.end])


@dataclass(slots=True)
class _Inherited:
    path: tuple[str, ...]
    slugs: tuple[str, ...]
    cites: tuple[str, ...]
    clause: str | None = None
    addressee: str | None = None
    lead_in: str | None = None
    instrument: str | None = None
    instrument_title: str | None = None
    parent_text: str | None = None


def _passage(
    ctx: ParseContext, node: Node, inh: _Inherited, here: _Inherited, passage_id: str, text: str
) -> Passage:
    """The passage of a tree node: its span, citation, what it inherits, and its context for search."""
    meta = ctx.meta
    start, end = (
        (node.fragments[0][0], node.fragments[-1][1])
        if node.fragments
        else (trim_span(ctx.text, node.start, node.end))
    )
    context_parts = list(inh.path[1:])
    if here.lead_in and not any(here.lead_in in p for p in context_parts):
        context_parts.append(here.lead_in)
    if inh.parent_text:
        context_parts.append(inh.parent_text)
    return Passage(
        id=passage_id,
        doc=meta.id,
        source=meta.file,
        start=start,
        end=end,
        text=text,
        kind=PassageKind.from_str(node.kind).value,
        citation=", ".join((meta.short_title, *here.cites)),
        label=node.label,
        clause=here.clause,
        addressee=here.addressee,
        instrument=here.instrument,
        instrument_title=here.instrument_title,
        lead_in=here.lead_in,
        path=inh.path,
        context=" › ".join(context_parts),
        fragments=tuple(node.fragments) if node.fragments else (),
    )


def build_document(ctx: ParseContext, root: Node) -> ParsedDocument:
    """Flatten a parser's tree into passages (document order) and an outline, and collect headings.

    Raises:
        ValueError: if a passage node has no words; parsers must not create empty passages.
    """
    passages: list[Passage] = []
    headings: list[tuple[int, int]] = []
    seen_ids: dict[str, int] = {}
    meta = ctx.meta

    def unique(pid: str) -> str:
        # Two siblings printed with the same label (a revision-mark slip) would collide; the second
        # keeps its structural id with a counter rather than silently replacing the first.
        count = seen_ids.get(pid, 0) + 1
        seen_ids[pid] = count
        return pid if count == 1 else f"{pid}~{count}"

    def visit(node: Node, inh: _Inherited) -> OutlineNode:
        # An empty slug (a section that numbers its paragraphs itself) adds nothing to the id.
        slugs = inh.slugs + ((node.slug,) if node.slug and node is not root else ())
        here = _Inherited(
            path=inh.path,
            slugs=slugs,
            cites=inh.cites + ((node.cite,) if node.cite else ()),
            clause=node.clause or inh.clause,
            addressee=node.addressee or inh.addressee,
            lead_in=node.lead_in or inh.lead_in,
            instrument=node.instrument or inh.instrument,
            instrument_title=node.instrument_title or inh.instrument_title,
            parent_text=inh.parent_text,
        )
        passage_id: str | None = None
        own_text: str | None = None
        if node.passage:
            own_text = _passage_text(ctx.text, node)
            if not own_text:
                raise ValueError(f"{meta.file}: passage node {'/'.join(slugs)} has no words")
            passage_id = unique(meta.id + "/" + "/".join(slugs))
            passages.append(_passage(ctx, node, inh, here, passage_id, own_text))
        else:
            if node.end > node.start:
                headings.append(trim_span(ctx.text, node.start, node.end))
        headings.extend(node.extra_headings)
        child_inh = _Inherited(
            path=inh.path + (node.title,),
            slugs=slugs,
            cites=here.cites,
            clause=here.clause,
            addressee=here.addressee,
            lead_in=here.lead_in,
            instrument=here.instrument,
            instrument_title=here.instrument_title,
            parent_text=own_text if node.passage else inh.parent_text,
        )
        children = tuple(visit(child, child_inh) for child in node.children)
        return OutlineNode(
            title=node.title,
            kind=node.kind,
            start=node.start,
            end=node.end,
            passage_id=passage_id,
            children=children,
        )

    outline = visit(root, _Inherited(path=(), slugs=(), cites=()))
    passages.sort(key=lambda p: (p.start, p.end))
    return ParsedDocument(
        meta=meta,
        passages=tuple(passages),
        outline=outline,
        headings=tuple(sorted(headings)),
        layout=tuple(sorted(ctx.layout)),
        warnings=tuple(ctx.warnings),
    )

"""Where a passage sits: the heading and lead-in above it, the passages before and after, its document.

A search hit is a clause item or a paragraph; to read it a user needs what it continues ("instructs
the Director of BDT ..."), the items around it and the document's outline. ``ContextIndex`` derives
these once per loaded index (rows of each document in text order, each passage's outline parent), so
showing a passage in context is a few dictionary lookups (``GET /passages/{id}``, ``rag context``).

Example:
    >>> contexts = ContextIndex.build(passages, documents, outlines)          # doctest: +SKIP
    >>> c = contexts.of("wtdc-25-final-report/res-15/instructs/4")           # doctest: +SKIP
    >>> c.previous.id, c.parent.heading[:30]                                  # doctest: +SKIP
    ('wtdc-25-final-report/res-15/instructs/3', 'instructs the Director of the ')
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.errors import NotFoundError
from rag.types import DocumentMeta, OutlineNode, Passage

ID_EXAMPLE = "wtdc-25-final-report/res-15/instructs/4"


@dataclass(frozen=True, slots=True)
class ParentInfo:
    """Where a passage sits: the heading above it, the lead-in it continues, the parent passage if any."""

    heading: str | None
    kind: str | None
    passage_id: str | None
    lead_in: str | None
    path: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "kind": self.kind,
            "passage_id": self.passage_id,
            "lead_in": self.lead_in,
            "path": list(self.path),
        }


@dataclass(frozen=True, slots=True)
class PassageContext:
    """A passage with what it sits under and its neighbours in document order (None at either end)."""

    passage: Passage
    parent: ParentInfo
    previous: Passage | None
    next: Passage | None

    def to_dict(self) -> dict[str, Any]:
        """``{"passage", "parent", "previous", "next"}``, passages as ``Passage.to_dict``."""
        return {
            "passage": self.passage.to_dict(),
            "parent": self.parent.to_dict(),
            "previous": self.previous.to_dict() if self.previous is not None else None,
            "next": self.next.to_dict() if self.next is not None else None,
        }


@dataclass(frozen=True)
class ContextIndex:
    """The documents of one loaded index, their outlines, and each passage's place in them; never mutated.

    Build it with ``ContextIndex.build``; ``parents`` maps a passage id to its outline parent node.
    """

    passages: tuple[Passage, ...] = field(repr=False)
    documents: tuple[DocumentMeta, ...]
    outlines: Mapping[str, OutlineNode] = field(repr=False)
    structures: Mapping[str, dict[str, Any]] = field(repr=False)
    parents: Mapping[str, OutlineNode] = field(repr=False)
    _row_of: Mapping[str, int] = field(repr=False)
    _doc_rows: Mapping[str, tuple[int, ...]] = field(repr=False)  # rows of each document, in text order
    _position: Mapping[int, int] = field(repr=False)  # row -> index in its document's rows

    @classmethod
    def build(
        cls,
        passages: Sequence[Passage],
        documents: Sequence[DocumentMeta],
        outlines: Mapping[str, OutlineNode],
        structures: Mapping[str, dict[str, Any]] | None = None,
    ) -> ContextIndex:
        """Derive the lookups (one pass over the passages and the outlines).

        Args:
            structures: per added document, the counts of its structure report (``GET /documents``).
        """
        passages = tuple(passages)
        doc_rows: dict[str, list[int]] = {}
        for row, p in enumerate(passages):
            doc_rows.setdefault(p.doc, []).append(row)
        ordered = {
            doc: tuple(sorted(rows, key=lambda r: (passages[r].start, passages[r].end)))
            for doc, rows in doc_rows.items()
        }
        parents: dict[str, OutlineNode] = {}
        for outline in outlines.values():
            _collect_parents(outline, parents)
        return cls(
            passages=passages,
            documents=tuple(documents),
            outlines=dict(outlines),
            structures=dict(structures or {}),
            parents=parents,
            _row_of={p.id: row for row, p in enumerate(passages)},
            _doc_rows=ordered,
            _position={row: i for rows in ordered.values() for i, row in enumerate(rows)},
        )

    # ------------------------------------------------------------------------------------ passages

    def __contains__(self, passage_id: object) -> bool:
        return passage_id in self._row_of

    def find(self, passage_id: str) -> Passage | None:
        """The passage with this id, None if there is none."""
        row = self._row_of.get(passage_id)
        return None if row is None else self.passages[row]

    def get(self, passage_id: str) -> Passage:
        """The passage with this id (``NotFoundError`` otherwise, as ``Searcher.get`` raises it)."""
        passage = self.find(passage_id)
        if passage is None:
            raise NotFoundError(f"unknown passage {passage_id!r}", hint=f"ids look like {ID_EXAMPLE}")
        return passage

    def similar_ids(self, passage_id: str, n: int = 3) -> list[str]:
        """Ids close to a mistyped one (for "did you mean"): within its document if that is known.

        Within a document only the part after the document id is compared, so a shared long prefix
        does not make every id of the document look close.
        """
        doc, _, rest = passage_id.partition("/")
        if doc not in self._doc_rows:
            return difflib.get_close_matches(passage_id, list(self._row_of), n=n, cutoff=0.6)
        rests = [self.passages[r].id.partition("/")[2] for r in self._doc_rows[doc]]
        return [f"{doc}/{r}" for r in difflib.get_close_matches(rest, rests, n=n, cutoff=0.6)]

    def not_found(self, passage_id: str) -> NotFoundError:
        """The error for an unknown id with the next step: the ids closest to it, or how to list them."""
        close = self.similar_ids(passage_id)
        doc = passage_id.split("/", 1)[0]
        if close:
            hint = "did you mean " + " or ".join(close) + "?"
        elif doc in self._doc_rows:
            hint = f"list the ids of {doc} with `rag passages --doc {doc}`"
        else:
            known = ", ".join(d.id for d in self.documents)
            hint = f"an id starts with its document's id ({known}); list them with `rag passages --doc DOC`"
        return NotFoundError(f"unknown passage {passage_id!r}", hint=hint)

    def neighbours(self, passage: Passage) -> tuple[Passage | None, Passage | None]:
        """The passages just before and after ``passage`` in its document."""
        rows = self._doc_rows[passage.doc]
        i = self._position[self._row_of[passage.id]]
        before = self.passages[rows[i - 1]] if i > 0 else None
        after = self.passages[rows[i + 1]] if i + 1 < len(rows) else None
        return before, after

    def parent(self, passage: Passage) -> ParentInfo:
        """The outline heading above ``passage`` (its last path heading if the outline has none)."""
        node = self.parents.get(passage.id)
        heading = node.title if node is not None and node.kind != "document" else None
        if heading is None and passage.path:
            heading = passage.path[-1]
        return ParentInfo(
            heading=heading,
            kind=node.kind if node is not None else None,
            passage_id=node.passage_id if node is not None else None,
            lead_in=passage.lead_in,
            path=passage.path,
        )

    def of(self, passage_id: str) -> PassageContext:
        """The passage with this id in its context.

        Raises:
            NotFoundError: no passage has this id.
        """
        passage = self.get(passage_id)
        previous, following = self.neighbours(passage)
        return PassageContext(passage, self.parent(passage), previous, following)

    # ----------------------------------------------------------------------------------- documents

    def document(self, doc_id: str) -> DocumentMeta:
        """The document with this id (``NotFoundError`` naming the known ones otherwise)."""
        for meta in self.documents:
            if meta.id == doc_id:
                return meta
        known = ", ".join(d.id for d in self.documents)
        raise NotFoundError(f"unknown document {doc_id!r}", hint=f"known documents: {known}")

    def outline(self, doc_id: str) -> OutlineNode:
        """The document's table of contents (``NotFoundError`` for an unknown document)."""
        self.document(doc_id)
        return self.outlines[doc_id]

    def structure(self, doc_id: str) -> dict[str, Any] | None:
        """The structure report's counts of a document added with ``rag add`` (None for the others)."""
        return self.structures.get(doc_id)

    def document_passages(self, doc_id: str) -> tuple[Passage, ...]:
        """The passages of a document in text order (none for an unknown document)."""
        return tuple(self.passages[r] for r in self._doc_rows.get(doc_id, ()))

    def passage_count(self, doc_id: str) -> int:
        return len(self._doc_rows.get(doc_id, ()))


def _collect_parents(node: OutlineNode, parents: dict[str, OutlineNode]) -> None:
    for child in node.children:
        if child.passage_id is not None:
            parents.setdefault(child.passage_id, node)
        _collect_parents(child, parents)

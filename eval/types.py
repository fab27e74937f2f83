"""What the parts of the harness hand each other: a returned passage as the scorer sees it, and the error.

A pipeline (``eval.pipelines``) returns ``Retrieved`` passages; the judge (``eval.judge``) and the
results (``eval.results``) read them. Kept apart from the pipelines so that the judge, the results and
the reranker trainer need none of the pipeline implementations.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.errors import RagError
from rag.types import Passage

Span = tuple[int, int]


class EvalError(RagError):
    """The harness cannot run or score as asked (bad gold selection, unreachable service, ...)."""


@dataclass(frozen=True, slots=True)
class Retrieved:
    """One returned passage as the scorer sees it, whatever pipeline returned it."""

    id: str
    doc: str
    source: str
    spans: tuple[Span, ...]
    score: float
    citation: str
    text: str = ""
    instrument: str | None = None

    @classmethod
    def from_passage(cls, p: Passage, score: float) -> Retrieved:
        return cls(
            id=p.id,
            doc=p.doc,
            source=p.source,
            spans=p.spans,
            score=float(score),
            citation=p.citation,
            text=p.text,
            instrument=p.instrument,
        )

    @property
    def length(self) -> int:
        return sum(b - a for a, b in self.spans)

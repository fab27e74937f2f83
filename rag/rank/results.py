"""What a search returns: ``SearchResults`` holding ranked ``SearchHit``s (the facade's result types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rag.query.analysis import ParsedQuery
from rag.query.spelling import Correction
from rag.types import Passage, SearchFilters


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the passage, its score in the chosen mode, its rank, and its rank in each run.

    ``ranks`` maps run names (``bm25``, ``dense``, ``phrase``, ``reference``, ``cites``) to the
    passage's rank in that run, None where the run did not return it. ``pinned`` marks passages put
    first because the query names them; ``cites`` is the rank among the passages citing what a
    reference question asks about.
    """

    passage: Passage
    score: float
    rank: int
    ranks: dict[str, int | None] = field(default_factory=dict)
    pinned: bool = False

    def to_dict(self) -> dict[str, Any]:
        """``{"rank", "score", every passage field, "ranks", "pinned"}``: the JSON result record."""
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            **self.passage.to_dict(),
            "ranks": dict(self.ranks),
            "pinned": self.pinned,
        }


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The answer to one search."""

    query: str
    mode: str
    k: int
    hits: tuple[SearchHit, ...]
    parsed: ParsedQuery
    filters: SearchFilters = SearchFilters()
    took_ms: float = 0.0
    # misspelt words of the query and the corpus words they were read as (rag.query.spelling)
    corrections: tuple[Correction, ...] = ()
    lang: str = "en"  # the query's language, as detected or given (rag.query.language)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"query": self.query, "mode": self.mode, "lang": self.lang}
        if self.corrections:
            out["corrections"] = [{"typed": c.typed, "corrected": c.corrected} for c in self.corrections]
        return {**out, "results": [h.to_dict() for h in self.hits]}

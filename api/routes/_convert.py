"""Library dataclasses to response models."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Response
from pydantic import BaseModel

from api.schemas import (
    CitingPassagePublic,
    PassagePublic,
    ReferencePublic,
    SearchResultPublic,
    SpellingCorrectionPublic,
)
from rag.answer import ContextIndex
from rag.citator.citator import Citation, CitingPassage
from rag.citator.references import describe
from rag.rank.search import SearchHit, SearchResults, highlight_spans
from rag.types import Passage


def json_response(model: BaseModel) -> Response:
    """The model as JSON, serialised once.

    Returning a model lets FastAPI dump it to a dict, validate that against the response model again
    and then encode it: three passes over every result's text. The routes build their response models
    themselves (that is the check), so this skips the other two; the declared ``response_model``
    still documents the body in OpenAPI.
    """
    return Response(content=model.model_dump_json(), media_type="application/json")


def passage_public(p: Passage) -> PassagePublic:
    return PassagePublic(
        id=p.id,
        doc=p.doc,
        source=p.source,
        start=p.start,
        end=p.end,
        text=p.text,
        kind=p.kind,
        citation=p.citation,
        label=p.label,
        clause=p.clause,
        addressee=p.addressee,
        instrument=p.instrument,
        instrument_title=p.instrument_title,
        lead_in=p.lead_in,
        path=list(p.path),
        fragments=list(p.fragments),
    )


def result_fields(p: Passage, *, rank: int, score: float, highlights: Sequence[tuple[int, int]]) -> dict:
    """The fields of a search result (shared by /search, /ask and /precedents)."""
    return {
        "rank": rank,
        "score": round(score, 6),
        "id": p.id,
        "doc": p.doc,
        "source": p.source,
        "start": p.start,
        "end": p.end,
        "citation": p.citation,
        "text": p.text,
        "label": p.label,
        "clause": p.clause,
        "addressee": p.addressee,
        "instrument": p.instrument,
        "kind": p.kind,
        "path": list(p.path),
        "highlights": list(highlights),
    }


def highlight_text(results: SearchResults) -> str:
    """The words to highlight: the ranked words and any quoted phrases of the query."""
    return " ".join([results.parsed.ranking_text, *results.parsed.phrases])


def search_result(hit: SearchHit, words: str) -> SearchResultPublic:
    p = hit.passage
    return SearchResultPublic(
        **result_fields(p, rank=hit.rank, score=hit.score, highlights=highlight_spans(p.text, words))
    )


def search_results(results: SearchResults) -> list[SearchResultPublic]:
    words = highlight_text(results)
    return [search_result(hit, words) for hit in results.hits]


def corrections_public(results: SearchResults) -> list[SpellingCorrectionPublic]:
    """The query's misspelt words and what was searched for instead (``/search`` and ``/ask``)."""
    return [SpellingCorrectionPublic(typed=c.typed, corrected=c.corrected) for c in results.corrections]


def reference_label(key: str) -> str:
    """A human name for a key; the key itself for a format ``describe`` does not know (never a 500)."""
    try:
        return describe(key)
    except ValueError:
        return key


def reference_public(c: Citation, passages: ContextIndex) -> ReferencePublic:
    target = passages.find(c.target) if c.target is not None else None
    return ReferencePublic(
        key=c.key,
        label=reference_label(c.key),
        surface=c.surface,
        start=c.start,
        end=c.end,
        kind=c.kind,
        revision=c.revision,
        pinpoint=c.pinpoint,
        target=c.target,
        target_citation=target.citation if target is not None else None,
    )


def citing_passage_public(cp: CitingPassage, passages: ContextIndex) -> CitingPassagePublic:
    """A citing passage with the references that matched, highlighted in its text."""
    return CitingPassagePublic(
        **passage_public(cp.passage).model_dump(),
        highlights=[(c.start, c.end) for c in cp.citations],
        cites=[reference_public(c, passages) for c in cp.citations],
        scope="passage" if cp.scope == "passage" else "instrument",
        asks=[passage_public(a) for a in cp.asks],
    )

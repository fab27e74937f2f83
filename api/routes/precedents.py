"""``POST /precedents``: existing clauses closest to a draft, with the wording they share."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import ComputeGateDep, EngineDep
from api.routes._convert import json_response, result_fields
from api.routes._responses import error_responses
from api.routes.search import to_filters
from api.schemas import (
    PrecedentRequest,
    PrecedentResponse,
    PrecedentResult,
    SameWordingPublic,
    SharedWordingPublic,
)
from api.state import Engine
from rag.precedents.finder import find_precedents
from rag.query.drafts import role_from_str

router = APIRouter(tags=["precedents"])


@router.post(
    "/precedents",
    response_model=PrecedentResponse,
    responses=error_responses(400, 413, 422, 503),
    summary="Find precedent wording for a draft clause",
)
async def precedents(body: PrecedentRequest, engine: EngineDep, gate: ComputeGateDep) -> Response:
    """Existing clauses closest to the draft in meaning and wording.

    Each result carries every ``/search`` field plus ``shared``: the word sequences (3+ words) it has
    in common with the draft, as spans in both texts, and how many other passages also contain each.
    ``highlights`` mark the shared wording in the passage. Clauses of the draft's role ("instructs
    ...", "recognizing that ...") or of the given ``clause`` rank first.
    """
    return await gate.run(lambda: _precedents(engine, body))


def _precedents(engine: Engine, body: PrecedentRequest) -> Response:
    clause = role_from_str(body.clause) if body.clause and body.clause.strip() else None
    found = find_precedents(
        engine.searcher.context, body.text, clause, body.k, filters=to_filters(body.filters)
    )
    results = [
        PrecedentResult(
            **result_fields(p.passage, rank=p.rank, score=p.score, highlights=[s.passage for s in p.shared]),
            wording=round(p.wording, 4),
            meaning=round(p.meaning, 4),
            same_role=p.same_role,
            same_wording=[
                SameWordingPublic(id=d.id, citation=d.citation, dice=round(dice, 3))
                for d, dice in p.duplicates
            ],
            shared=[
                SharedWordingPublic(
                    text=s.text, words=s.words, draft=s.draft, passage=s.passage, also_in=s.also_in
                )
                for s in p.shared
            ],
        )
        for p in found.results
    ]
    return json_response(
        PrecedentResponse(
            clause=found.clause.value if found.clause is not None else None,
            clause_source=found.clause_source,
            took_ms=round(found.took_ms, 2),
            results=results,
        )
    )

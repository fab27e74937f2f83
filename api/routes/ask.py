"""``POST /ask``: an answer quoting the best passages, with numbered citations."""

from __future__ import annotations

import time

from fastapi import APIRouter, Response

from api.deps import ComputeGateDep, EngineDep, SettingsDep
from api.routes._convert import corrections_public, json_response, search_results
from api.routes._responses import error_responses
from api.routes.search import to_filters
from api.schemas import AskRequest, AskResponse, CitationPublic

router = APIRouter(tags=["ask"])


@router.post(
    "/ask",
    response_model=AskResponse,
    responses=error_responses(400, 413, 422, 503),
    summary="Answer a question from the passages, with citations",
)
def ask(body: AskRequest, engine: EngineDep, settings: SettingsDep, gate: ComputeGateDep) -> Response:
    """By default an extractive answer: the best-matching sentences of the top passages, each followed
    by ``[n]`` pointing into ``citations``. When an OpenAI-compatible endpoint is configured
    (``RAG_LLM_BASE_URL``, ``RAG_LLM_MODEL``, ``RAG_LLM_API_KEY``) it composes the answer from the
    retrieved passages only; if it fails, the answer is extractive and ``notice`` says why.
    """
    started = time.perf_counter()
    with gate:  # the search only: a configured language model's answer is network waiting
        results = engine.searcher.search(
            body.question, k=body.k, filters=to_filters(body.filters), lang=body.lang
        )
    answer = engine.assistant.answerer(settings.llm).answer(body.question, results)
    return json_response(
        AskResponse(
            question=results.query,
            lang=results.lang,
            corrections=corrections_public(results),
            answer=answer.text,
            citations=[CitationPublic(n=c.n, id=c.id, citation=c.citation) for c in answer.citations],
            results=search_results(results),
            answered_by=answer.answered_by.value,
            notice=answer.notice,
            took_ms=round(1000 * (time.perf_counter() - started), 2),
        )
    )

"""``POST /search`` and ``GET /search``: ranked passages with highlights."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.deps import ComputeGateDep, EngineDep
from api.routes._convert import corrections_public, json_response, search_results
from api.routes._responses import error_responses
from api.schemas import (
    CONTROL_NOTE,
    K_MAX,
    LANG_NOTE,
    QUERY_MAX_CHARS,
    Filters,
    LanguageCode,
    PlainText,
    SearchRequest,
    SearchResponse,
)
from api.state import Engine
from rag.types import Mode, SearchFilters

router = APIRouter(tags=["search"])

GET_PARAMETERS = frozenset({"q", "k", "mode", "doc", "instrument", "clause", "kind", "cites", "lang"})


def to_filters(filters: Filters) -> SearchFilters:
    return SearchFilters(
        doc=tuple(filters.doc),
        instrument=tuple(filters.instrument),
        clause=tuple(filters.clause),
        kind=tuple(filters.kind),
        cites=tuple(filters.cites),
    )


def run_search(engine: Engine, request: SearchRequest) -> SearchResponse:
    started = time.perf_counter()
    results = engine.searcher.search(
        request.query, k=request.k, mode=request.mode, filters=to_filters(request.filters), lang=request.lang
    )
    public = search_results(results)
    return SearchResponse(
        query=results.query,
        mode=results.mode,
        lang=results.lang,
        took_ms=round(1000 * (time.perf_counter() - started), 2),
        corrections=corrections_public(results),
        results=public,
    )


@router.post(
    "/search",
    response_model=SearchResponse,
    responses=error_responses(400, 413, 422, 503),
    summary="Search the passages",
)
async def search(body: SearchRequest, engine: EngineDep, gate: ComputeGateDep) -> Response:
    """Rank passages for a query (hybrid, BM25 or dense), optionally filtered.

    A "quoted phrase" must occur in every result; a reference such as "Res. 15 instructs 4" or
    "WTPF-26 §7.9.6" puts the passage it names first.
    """
    return await gate.run(lambda: json_response(run_search(engine, body)))


@router.get(
    "/search",
    response_model=SearchResponse,
    responses=error_responses(422, 503),
    summary="Search the passages (query string form, for links and curl)",
)
async def search_get(
    request: Request,
    engine: EngineDep,
    gate: ComputeGateDep,
    q: Annotated[
        PlainText, Query(min_length=1, max_length=QUERY_MAX_CHARS, description="the query; " + CONTROL_NOTE)
    ],
    k: Annotated[int, Query(ge=1, le=K_MAX, description="number of results")] = 10,
    mode: Annotated[Mode, Query(description="hybrid, bm25 or dense")] = Mode.HYBRID,
    doc: Annotated[list[str] | None, Query(description="document id (repeatable)")] = None,
    instrument: Annotated[list[str] | None, Query(description="instrument name (repeatable)")] = None,
    clause: Annotated[list[str] | None, Query(description="clause role (repeatable)")] = None,
    kind: Annotated[list[str] | None, Query(description="passage kind (repeatable)")] = None,
    cites: Annotated[
        list[str] | None,
        Query(description='cited instrument, e.g. "Resolution 70/1" or "itu/wtdc/res/15" (repeatable)'),
    ] = None,
    lang: Annotated[LanguageCode | None, Query(description=LANG_NOTE)] = None,
) -> Response:
    """Same as ``POST /search``: ``/search?q=digital+skills&k=5&doc=wtdc-25-final-report&clause=resolves``,
    ``/search?q=sustainable+development&cites=Resolution+70/1``.

    An unknown parameter is a 422, as an unknown field is in ``POST /search``: a misspelt filter
    (``clauses=instructs``) must not silently widen the results.
    """
    unknown = sorted(set(request.query_params) - GET_PARAMETERS)
    if unknown:
        raise RequestValidationError(
            [
                {"type": "extra_forbidden", "loc": ("query", name), "msg": "unknown parameter", "input": None}
                for name in unknown
            ]
        )
    try:
        filters = Filters(
            doc=doc or [],
            instrument=instrument or [],
            clause=clause or [],
            kind=kind or [],
            cites=cites or [],
        )
    except ValidationError as exc:
        raise RequestValidationError(
            [{**err, "loc": ("query", *err["loc"])} for err in exc.errors()]
        ) from None
    body = SearchRequest.model_construct(query=q, k=k, mode=mode, filters=filters, lang=lang)
    return await gate.run(lambda: json_response(run_search(engine, body)))
